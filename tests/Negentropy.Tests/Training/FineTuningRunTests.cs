using System.Text.Json.Nodes;
using Negentropy.Data;
using Negentropy.Models;
using Negentropy.Reporting;
using Negentropy.Tests.Data;
using Negentropy.Training;
using TorchSharp;
using Xunit;
using static TorchSharp.torch;

namespace Negentropy.Tests.Training;

/// <summary>Whole training runs in each --finetune mode on a generated IDX folder (4 classes, cnn width 8).</summary>
public sealed class FineTuningRunTests : IDisposable
{
    // The cnn of FineTuningTests with a 4-class head: fc2 is 32 -> 4, so 128 + 4 parameters.
    private const long HeadParameters = 132;
    private const long ModelParameters = 72 + 16 + 1_152 + 32 + 25_120 + HeadParameters;
    private const long AdapterParameters = 6_272 + 256;

    private readonly TemporaryFolder folder = new();

    public void Dispose() => folder.Dispose();

    [Theory]
    [InlineData(FineTuning.Full, ModelParameters, ModelParameters)]
    [InlineData(FineTuning.Head, HeadParameters, ModelParameters)]
    [InlineData(FineTuning.Lora, AdapterParameters + HeadParameters, ModelParameters + AdapterParameters)]
    public void Mode_TrainsAndReportsCounts(string mode, long trainable, long total)
    {
        string data = folder.Combine("idx");
        Directory.CreateDirectory(data);
        IdxFiles.WriteFolder(data, trainCount: 120, testCount: 30, classes: 4);
        string output = folder.Combine("run");
        var options = new TrainingOptions
        {
            Data = data,
            Width = 8,
            Epochs = 2,
            Threads = 1,
            TensorBoard = false,
            CheckpointIntervalSeconds = 0,
            FineTuningMode = mode,
        };

        TrainingRun.Result result = TrainingRun.Start(options, output, NullTrainingObserver.Instance, CancellationToken.None);

        JsonObject training = JsonNode.Parse(File.ReadAllText(Path.Combine(output, RunReport.JsonFileName)))!["training"]!.AsObject();
        Assert.Equal(mode, training["finetune"]!.GetValue<string>());
        Assert.Equal(trainable, training["trainable_parameters"]!.GetValue<long>());
        Assert.Equal(total, training["total_parameters"]!.GetValue<long>());
        double perEpoch = training["seconds_per_epoch"]!.GetValue<double>();
        Assert.Equal(result.State.History.Average(epoch => epoch.Seconds), perEpoch, 9);
        Assert.True(perEpoch > 0, "an epoch takes time");
        Assert.Contains($"trainable parameters ({mode})", File.ReadAllText(Path.Combine(output, HtmlReport.FileName)));

        // The saved model is a plain cnn, adapters merged, and reproduces the run's test predictions.
        (ModelManifest manifest, nn.Module<Tensor, Tensor> loaded) = SavedModel.Load(output);
        using (loaded)
        {
            Assert.Equal(ModelParameters, manifest.ParameterCount);
            Assert.Equal(mode, manifest.Training.FineTuningMode);
            ImageDataset test = DataSource.Load(data, dataDirectory: null).Test;
            using var tensors = new ImageTensors(test, manifest.Normalization);
            PredictionSet predictions = Evaluator.Predict(loaded, tensors, manifest.ClassNames.Count);
            Assert.Equal(result.Evaluation.Accuracy, predictions.Accuracy(), 12);
        }
    }

    [Fact]
    public void LoraRun_RecordsEffectiveRankAndAlpha()
    {
        string data = folder.Combine("idx");
        Directory.CreateDirectory(data);
        IdxFiles.WriteFolder(data, trainCount: 60, testCount: 20, classes: 3);
        var options = new TrainingOptions
        {
            Data = data,
            Width = 8,
            Epochs = 1,
            Threads = 1,
            TensorBoard = false,
            FineTuningMode = FineTuning.Lora,
            LoraAlpha = 4,
        };

        TrainingRun.Result result = TrainingRun.Start(options, folder.Combine("run"), NullTrainingObserver.Instance, CancellationToken.None);

        Assert.Equal(FineTuning.DefaultLoraRank, result.Manifest.Training.LoraRank);
        Assert.Equal(4, result.Manifest.Training.LoraAlpha);
    }
}
