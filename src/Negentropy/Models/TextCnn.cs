using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Negentropy.Models;

/// <summary>
/// Convolutional sentence classifier (Kim, 2014): token embeddings, parallel 1-D convolutions of widths
/// 3, 4 and 5 with ReLU, max-pooling over time, dropout, then one linear layer.
/// </summary>
public sealed class TextCnn : nn.Module<Tensor, Tensor>
{
    public static IReadOnlyList<int> FilterSizes { get; } = new[] { 3, 4, 5 };
    public const int FiltersPerSize = 100;

    private readonly Embedding embeddings;
    private readonly ModuleList<Conv1d> convolutions = new();
    private readonly Dropout dropout;
    private readonly Linear classifier;

    public TextCnn(ModelSpec spec) : base(nameof(TextCnn))
    {
        embeddings = nn.Embedding(spec.VocabularySize, spec.Width, padding_idx: 0);
        foreach (int size in FilterSizes)
        {
            convolutions.Add(nn.Conv1d(spec.Width, FiltersPerSize, size));
        }
        dropout = nn.Dropout(spec.Dropout);
        classifier = nn.Linear(FiltersPerSize * FilterSizes.Count, spec.Outputs);
        RegisterComponents();
    }

    /// <param name="tokens">Token ids [batch, length], int64, padded with 0.</param>
    public override Tensor forward(Tensor tokens)
    {
        using var scope = NewDisposeScope();
        int widest = FilterSizes.Max();
        if (tokens.shape[1] < widest)
        {
            // The widest filter needs that many positions; padding ids embed to zeros.
            tokens = nn.functional.pad(tokens, new long[] { 0, widest - tokens.shape[1] }, value: 0);
        }
        Tensor embedded = embeddings.forward(tokens).transpose(1, 2);
        Tensor lengths = tokens.ne(0).sum(1, keepdim: true);
        var pooled = new Tensor[FilterSizes.Count];
        for (int i = 0; i < FilterSizes.Count; i++)
        {
            Tensor features = nn.functional.relu(convolutions[i].forward(embedded));
            // Windows that start past the text's last full window see only padding, so they are left out.
            // A text shorter than the filter keeps its first window.
            Tensor valid = lengths.sub(FilterSizes[i] - 1).clamp_min(1);
            Tensor starts = torch.arange(features.shape[2], device: tokens.device).unsqueeze(0);
            Tensor outside = starts.ge(valid).unsqueeze(1);
            pooled[i] = features.masked_fill(outside, double.NegativeInfinity).amax(new long[] { 2 });
        }
        return classifier.forward(dropout.forward(torch.cat(pooled, 1))).MoveToOuterDisposeScope();
    }
}
