using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Negentropy.Models;

/// <summary>
/// A small Transformer encoder: token embeddings plus learned position embeddings, <c>Depth</c> encoder
/// layers (4 heads, feed-forward 2 × <c>Width</c>, padding masked out), then either a learned [CLS]
/// token's output or the mean over the tokens (<c>Pooling</c>), layer norm, dropout and one linear layer.
/// </summary>
public sealed class TransformerClassifier : nn.Module<Tensor, Tensor>
{
    public const int Heads = 4;

    private readonly bool useCls;
    private readonly Embedding embeddings;
    private readonly Embedding positions;
    private readonly Parameter cls;
    private readonly TransformerEncoder encoder;
    private readonly LayerNorm norm;
    private readonly Dropout dropout;
    private readonly Linear classifier;

    public TransformerClassifier(ModelSpec spec) : base(nameof(TransformerClassifier))
    {
        useCls = spec.Pooling != "mean";
        embeddings = nn.Embedding(spec.VocabularySize, spec.Width, padding_idx: 0);
        positions = nn.Embedding(spec.MaxLength + 1, spec.Width);
        cls = nn.Parameter(torch.randn(1, 1, spec.Width).mul_(0.02));
        encoder = nn.TransformerEncoder(nn.TransformerEncoderLayer(spec.Width, Heads, 2 * spec.Width, spec.Dropout), spec.Depth);
        norm = nn.LayerNorm(spec.Width);
        dropout = nn.Dropout(spec.Dropout);
        classifier = nn.Linear(spec.Width, spec.Outputs);
        RegisterComponents();
    }

    /// <param name="tokens">Token ids [batch, length], int64, padded with 0.</param>
    public override Tensor forward(Tensor tokens)
    {
        using var scope = NewDisposeScope();
        long batch = tokens.shape[0];
        Tensor padding = TextMasks.Padding(tokens);
        Tensor hidden = embeddings.forward(tokens);
        if (useCls)
        {
            hidden = torch.cat(new[] { cls.expand(batch, 1, cls.shape[2]), hidden }, 1);
            padding = torch.cat(new[] { torch.zeros(batch, 1, ScalarType.Bool, tokens.device), padding }, 1);
        }
        long length = hidden.shape[1];
        hidden = hidden.add(positions.forward(torch.arange(length, device: tokens.device)).unsqueeze(0));
        // TorchSharp's encoder takes [length, batch, width].
        Tensor encoded = encoder.call(hidden.transpose(0, 1), null, padding).transpose(0, 1);
        Tensor pooled;
        if (useCls)
        {
            pooled = encoded.select(1, 0);
        }
        else
        {
            Tensor keep = padding.logical_not().unsqueeze(2).to_type(encoded.dtype);
            pooled = encoded.mul(keep).sum(1).div(keep.sum(1).clamp_min(1));
        }
        return classifier.forward(dropout.forward(norm.forward(pooled))).MoveToOuterDisposeScope();
    }
}
