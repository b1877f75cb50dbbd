using Negentropy.Data;
using Negentropy.Models;
using Negentropy.Training;
using TorchSharp;
using TorchSharp.Modules;
using Xunit;
using static TorchSharp.torch;

namespace Negentropy.Tests.Training;

/// <summary>Proves that training and evaluation steps free every tensor they create on this thread.</summary>
public sealed class TensorLeakTests : IDisposable
{
    private readonly TemporaryFolder folder = new();

    public void Dispose() => folder.Dispose();

    private static long LiveTensors() => DisposeScopeManager.Statistics.ThreadTotalLiveCount;

    [Theory]
    [InlineData("cnn", 0.0)]
    [InlineData("cnn", 1.0)]
    [InlineData("resnet", 0.0)]
    [InlineData("resnet", 1.0)]
    public void TrainAndEvalSteps_ReturnToBaseline(string architecture, double clipGradNorm)
    {
        TorchRuntime.Configure(threads: 1, seed: 1);
        ImageDataset data = TinyData.Create(64);
        ChannelNormalization normalization = ChannelNormalization.Compute(data);
        var spec = new ModelSpec(architecture, 1, 28, 28, 3, 8, architecture == "resnet" ? 8 : 2, 0.2);
        using var tensors = new ImageTensors(data, normalization);
        using nn.Module<Tensor, Tensor> model = ModelFactory.Create(spec);
        using OptimizerHelper optimizer = torch.optim.AdamW(model.parameters(), 0.01);
        var state = new TrainingState { Options = new TrainingOptions { BatchSize = 16, ClipGradNorm = clipGradNorm }, Spec = spec, Normalization = normalization, ClassNames = data.ClassNames };
        var trainer = new Trainer(model, optimizer, tensors, tensors, state, folder.Path, NullTrainingObserver.Instance);
        int[] order = ImageTensors.EpochOrder(tensors.Count, 1, 1, shuffle: true);
        using Tensor lossSum = torch.zeros(1, ScalarType.Float64);
        using Tensor correct = torch.zeros(1, ScalarType.Int64);
        using Tensor gradientNormSum = torch.zeros(1, ScalarType.Float64);

        // The first step creates the optimizer's moment buffers, which live as long as the optimizer.
        model.train();
        trainer.TrainStep(order, 0, lossSum, correct, gradientNormSum);
        long baseline = LiveTensors();

        for (int step = 1; step < 4; step++)
        {
            trainer.TrainStep(order, step, lossSum, correct, gradientNormSum);
        }
        Assert.True(gradientNormSum.item<double>() > 0, "the gradient norm sum should grow with each step");
        long afterTraining = LiveTensors();
        Evaluator.Predict(model, tensors, 3, batchSize: 16);
        long afterEvaluation = LiveTensors();

        Assert.Equal(baseline, afterTraining);
        Assert.Equal(baseline, afterEvaluation);
    }

    [Fact]
    public void LiveCount_SeesAnUndisposedTensor()
    {
        TorchRuntime.EnsureLoaded();
        long baseline = LiveTensors();

        Tensor leaked = torch.ones(3);
        long withLeak = LiveTensors();
        leaked.Dispose();

        Assert.Equal(baseline + 1, withLeak);
        Assert.Equal(baseline, LiveTensors());
    }
}
