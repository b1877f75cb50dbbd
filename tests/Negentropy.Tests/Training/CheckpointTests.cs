using Negentropy.Data;
using Negentropy.Models;
using Negentropy.Reporting;
using Negentropy.Training;
using TorchSharp;
using TorchSharp.Modules;
using Xunit;
using static TorchSharp.torch;

namespace Negentropy.Tests.Training;

public sealed class CheckpointTests : IDisposable
{
    private readonly TemporaryFolder folder = new();

    public void Dispose() => folder.Dispose();

    private static TrainingState NewState(ModelSpec spec, ChannelNormalization normalization) => new()
    {
        Options = new TrainingOptions { Epochs = 2, BatchSize = 16, Seed = 3 },
        Spec = spec,
        Normalization = normalization,
        ClassNames = new[] { "band 0", "band 1", "band 2" },
    };

    private static (ModelSpec Spec, ImageDataset Data, ChannelNormalization Normalization) Setup(string architecture)
    {
        ImageDataset data = TinyData.Create(96);
        var spec = new ModelSpec(architecture, 1, 28, 28, 3, 8, architecture == "resnet" ? 8 : 2, 0.2);
        return (spec, data, ChannelNormalization.Compute(data));
    }

    [Theory]
    [InlineData("cnn")]
    [InlineData("resnet")]
    public void RoundTrip_RestoresWeightsBuffersAndOutputs(string architecture)
    {
        TorchRuntime.Configure(threads: 1, seed: 5);
        (ModelSpec spec, ImageDataset data, ChannelNormalization normalization) = Setup(architecture);
        using var tensors = new ImageTensors(data, normalization);
        using nn.Module<Tensor, Tensor> model = ModelFactory.Create(spec);
        using OptimizerHelper optimizer = torch.optim.AdamW(model.parameters(), 0.01);
        TrainingState state = NewState(spec, normalization);
        var trainer = new Trainer(model, optimizer, tensors, tensors, state, folder.Path, NullTrainingObserver.Instance);
        int[] order = ImageTensors.EpochOrder(tensors.Count, 3, 1, shuffle: true);
        using (Tensor lossSum = torch.zeros(1, ScalarType.Float64))
        using (Tensor correct = torch.zeros(1, ScalarType.Int64))
        {
            model.train();
            for (int step = 0; step < 4; step++)
            {
                trainer.TrainStep(order, step, lossSum, correct);
            }
        }
        state.EpochsCompleted = 1;
        PredictionSet before = Evaluator.Predict(model, tensors, 3);
        Dictionary<string, double[]> buffersBefore = model.named_buffers().ToDictionary(b => b.name, b => Values(b.buffer));
        Assert.Contains(buffersBefore.Keys, name => name.EndsWith("running_mean", StringComparison.Ordinal));
        Assert.Contains(buffersBefore, pair => pair.Key.EndsWith("running_mean", StringComparison.Ordinal) && pair.Value.Any(v => v != 0));
        string path = folder.Combine("round-trip.ckpt");

        Checkpoint.Save(path, state, model, optimizer);
        torch.manual_seed(999);
        using nn.Module<Tensor, Tensor> reloaded = ModelFactory.Create(spec);
        using OptimizerHelper reloadedOptimizer = torch.optim.AdamW(reloaded.parameters(), 0.01);
        TrainingState loadedState = Checkpoint.Load(path, reloaded, reloadedOptimizer);
        PredictionSet after = Evaluator.Predict(reloaded, tensors, 3);

        Assert.Equal(before.Probabilities, after.Probabilities);
        Assert.Equal(1, loadedState.EpochsCompleted);
        Assert.Equal(spec, loadedState.Spec);
        foreach ((string name, Tensor buffer) in reloaded.named_buffers())
        {
            Assert.Equal(buffersBefore[name], Values(buffer));
        }
    }

    private static double[] Values(Tensor tensor)
    {
        using Tensor asDouble = tensor.to_type(ScalarType.Float64);
        return asDouble.data<double>().ToArray();
    }

    [Fact]
    public void SavedModel_RoundTripGivesSameOutputs()
    {
        TorchRuntime.Configure(threads: 1, seed: 6);
        (ModelSpec spec, ImageDataset data, ChannelNormalization normalization) = Setup("cnn");
        using var tensors = new ImageTensors(data, normalization);
        using nn.Module<Tensor, Tensor> model = ModelFactory.Create(spec);
        PredictionSet before = Evaluator.Predict(model, tensors, 3);
        var manifest = new ModelManifest
        {
            Name = "tiny-cnn",
            Version = "test",
            CreatedUtc = DateTimeOffset.UnixEpoch,
            Spec = spec,
            ClassNames = new[] { "band 0", "band 1", "band 2" },
            Normalization = normalization,
            Training = new TrainingOptions(),
        };

        SavedModel.Save(folder.Path, manifest, model);
        (ModelManifest loadedManifest, nn.Module<Tensor, Tensor> loaded) = SavedModel.Load(folder.Path);
        using (loaded)
        {
            PredictionSet after = Evaluator.Predict(loaded, tensors, 3);
            Assert.Equal(before.Probabilities, after.Probabilities);
        }
        Assert.Equal(manifest.Spec, loadedManifest.Spec);
        Assert.Equal(normalization.Mean, loadedManifest.Normalization.Mean);
    }

    [Fact]
    public void Load_TruncatedCheckpointIsAnInputError()
    {
        TorchRuntime.Configure(threads: 1, seed: 7);
        (ModelSpec spec, _, ChannelNormalization normalization) = Setup("cnn");
        using nn.Module<Tensor, Tensor> model = ModelFactory.Create(spec);
        using OptimizerHelper optimizer = torch.optim.AdamW(model.parameters(), 0.01);
        string path = folder.Combine("cut.ckpt");
        Checkpoint.Save(path, NewState(spec, normalization), model, optimizer);
        byte[] whole = File.ReadAllBytes(path);
        File.WriteAllBytes(path, whole.AsSpan(0, whole.Length / 2).ToArray());

        var error = Assert.Throws<UserInputException>(() => Checkpoint.Load(path, model, optimizer));

        Assert.StartsWith(path + ": corrupt or truncated checkpoint", error.Message);
    }

    [Fact]
    public void ReadState_RejectsOtherFiles()
    {
        string path = folder.Combine("not-a-checkpoint.ckpt");
        File.WriteAllBytes(path, new byte[] { 5, (byte)'h', (byte)'e', (byte)'l', (byte)'l', (byte)'o', 0, 0, 0, 0 });

        var error = Assert.Throws<UserInputException>(() => Checkpoint.ReadState(path));

        Assert.Equal($"{path}: not a Negentropy checkpoint (it starts with 'hello')", error.Message);
    }

    [Fact]
    public void Save_LeavesNoTemporaryFile()
    {
        TorchRuntime.Configure(threads: 1, seed: 8);
        (ModelSpec spec, _, ChannelNormalization normalization) = Setup("cnn");
        using nn.Module<Tensor, Tensor> model = ModelFactory.Create(spec);
        using OptimizerHelper optimizer = torch.optim.SGD(model.parameters(), 0.1);

        Checkpoint.Save(folder.Combine("last.ckpt"), NewState(spec, normalization), model, optimizer);

        Assert.Equal(new[] { "last.ckpt" }, Directory.GetFiles(folder.Path).Select(Path.GetFileName));
    }
}
