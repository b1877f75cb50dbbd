using Negentropy.Training;
using TorchSharp;
using Xunit;
using static TorchSharp.torch;

namespace Negentropy.Tests.Training;

public sealed class EvaluatorTests
{
    [Fact]
    public void LogProbabilities_OneLogitIsSigmoidPair()
    {
        TorchRuntime.EnsureLoaded();
        using var scope = NewDisposeScope();

        double[] probabilities = Evaluator.LogProbabilities(tensor(new[] { 0.0, 2.0, -30.0 }, new long[] { 3, 1 })).exp().data<double>().ToArray();

        double sigmoid = 1 / (1 + Math.Exp(-2));
        Assert.Equal(new[] { 0.5, 0.5 }, probabilities[..2]);
        Assert.Equal(1 - sigmoid, probabilities[2], 12);
        Assert.Equal(sigmoid, probabilities[3], 12);
        Assert.Equal(1.0, probabilities[4], 12);
        Assert.Equal(1.0, Math.Exp(-30) / (1 + Math.Exp(-30)) / probabilities[5], 12);
    }

    [Fact]
    public void LogProbabilities_SeveralLogitsIsSoftmax()
    {
        TorchRuntime.EnsureLoaded();
        using var scope = NewDisposeScope();

        double[] probabilities = Evaluator.LogProbabilities(tensor(new[] { 1.0, 1.0, 1.0 + Math.Log(2) }, new long[] { 1, 3 })).exp().data<double>().ToArray();

        Assert.Equal(0.25, probabilities[0], 12);
        Assert.Equal(0.25, probabilities[1], 12);
        Assert.Equal(0.5, probabilities[2], 12);
    }
}
