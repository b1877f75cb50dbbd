using Negentropy.Data;
using Negentropy.Models;
using Negentropy.Training;
using TorchSharp;
using TorchSharp.Modules;
using Xunit;
using static TorchSharp.torch;

namespace Negentropy.Tests.Models;

/// <summary>The text architectures: output shapes, padding, tensor lifetimes, and training on a separable toy set.</summary>
public sealed class TextModelTests : IDisposable
{
    private readonly TemporaryFolder folder = new();

    public void Dispose() => folder.Dispose();

    public static TheoryData<string, string?> Architectures() => new()
    {
        { "fasttext", null },
        { "textcnn", null },
        { "bilstm", null },
        { "transformer", "cls" },
        { "transformer", "mean" },
    };

    private static ModelSpec Spec(string architecture, string? pooling) =>
        new(architecture, 1, 1, 1, 3, 16, ModelFactory.DefaultDepth(architecture), 0.1, VocabularySize: 40, MaxLength: 12, Pooling: pooling);

    [Theory]
    [MemberData(nameof(Architectures))]
    public void Forward_GivesLogitsPerSampleAndIgnoresPadding(string architecture, string? pooling)
    {
        TorchRuntime.Configure(threads: 1, seed: 3);
        using nn.Module<Tensor, Tensor> model = ModelFactory.Create(Spec(architecture, pooling));
        model.eval();
        using var scope = NewDisposeScope();
        using var noGrad = torch.no_grad();

        Tensor logits = model.forward(tensor(new long[] { 5, 6, 7, 0, 0, 0, 0, 0, 0, 0, 0, 0 }, new long[] { 1, 12 }));
        Tensor shorter = model.forward(tensor(new long[] { 5, 6, 7 }, new long[] { 1, 3 }));
        Tensor empty = model.forward(tensor(new long[] { 0, 0 }, new long[] { 1, 2 }));

        Assert.Equal(new long[] { 1, 3 }, logits.shape);
        Assert.True(torch.allclose(logits, shorter, rtol: 1e-4, atol: 1e-5), $"{architecture}: trailing padding changed the logits");
        Assert.False(empty.isnan().any().item<bool>(), $"{architecture}: an all-padding text gives NaN");
    }

    [Theory]
    [MemberData(nameof(Architectures))]
    public void Training_SeparatesKeywordClasses(string architecture, string? pooling)
    {
        TorchRuntime.Configure(threads: 1, seed: 5);
        // Class k's texts contain keyword id 10 + k somewhere among filler ids 20–39.
        var random = new Random(9);
        var tokens = new List<int[]>();
        var labels = new int[240];
        for (int i = 0; i < labels.Length; i++)
        {
            labels[i] = i % 3;
            int length = random.Next(3, 12);
            int[] row = Enumerable.Range(0, length).Select(_ => 20 + random.Next(20)).ToArray();
            row[random.Next(length)] = 10 + labels[i];
            tokens.Add(row);
        }
        ModelSpec spec = Spec(architecture, pooling);
        using var data = new TextTensors(tokens, labels);
        using nn.Module<Tensor, Tensor> model = ModelFactory.Create(spec);
        using OptimizerHelper optimizer = torch.optim.AdamW(model.parameters(), architecture == "fasttext" ? 0.05 : 0.005);
        var options = new TrainingOptions { BatchSize = 16, Epochs = 15, Patience = 0, CheckpointIntervalSeconds = 0, TensorBoard = false };
        var state = new TrainingState { Options = options, Spec = spec, Normalization = new ChannelNormalization(Array.Empty<double>(), Array.Empty<double>()), ClassNames = new[] { "a", "b", "c" } };
        var trainer = new Trainer(model, optimizer, data, data, state, folder.Path, NullTrainingObserver.Instance);

        long before = DisposeScopeManager.Statistics.ThreadTotalLiveCount;
        trainer.Run(CancellationToken.None);
        PredictionSet predictions = Evaluator.Predict(model, data, 3);

        Assert.True(predictions.Accuracy() >= 0.95, $"{architecture} ({pooling}): training accuracy {predictions.Accuracy():P1} on a separable set");
        Assert.InRange(DisposeScopeManager.Statistics.ThreadTotalLiveCount - before, 0, 0);
    }
}
