using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Negentropy.Models;

/// <summary>
/// fastText-style classifier (Joulin et al., 2017): the mean of the token embeddings (an EmbeddingBag over
/// hashed word and character n-grams, padding id 0 left out), dropout, then one linear layer.
/// </summary>
public sealed class FastTextClassifier : nn.Module<Tensor, Tensor>
{
    private readonly EmbeddingBag embeddings;
    private readonly Dropout dropout;
    private readonly Linear classifier;

    public FastTextClassifier(ModelSpec spec) : base(nameof(FastTextClassifier))
    {
        embeddings = nn.EmbeddingBag(spec.VocabularySize, spec.Width, mode: EmbeddingBagMode.Mean, padding_index: 0);
        dropout = nn.Dropout(spec.Dropout);
        classifier = nn.Linear(spec.Width, spec.Outputs);
        RegisterComponents();
        using (torch.no_grad())
        {
            // Small uniform embeddings, as fastText initializes them, keep early means near zero.
            double bound = 1.0 / spec.Width;
            embeddings.weight!.uniform_(-bound, bound);
            embeddings.weight![0].zero_();
        }
    }

    /// <param name="tokens">Token ids [batch, length], int64, padded with 0.</param>
    public override Tensor forward(Tensor tokens)
    {
        using var scope = NewDisposeScope();
        Tensor pooled = embeddings.call(tokens, null, null);
        return classifier.forward(dropout.forward(pooled)).MoveToOuterDisposeScope();
    }
}
