using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Negentropy.Models;

/// <summary>
/// Bidirectional LSTM with attention pooling: token embeddings, <c>Depth</c> BiLSTM layers of
/// <c>Width</c> units per direction, a learned score per position (padding masked out), the
/// softmax-weighted sum of the outputs, dropout, then one linear layer.
/// </summary>
public sealed class BiLstmClassifier : nn.Module<Tensor, Tensor>
{
    private readonly Embedding embeddings;
    private readonly LSTM lstm;
    private readonly Linear attention;
    private readonly Dropout dropout;
    private readonly Linear classifier;

    public BiLstmClassifier(ModelSpec spec) : base(nameof(BiLstmClassifier))
    {
        embeddings = nn.Embedding(spec.VocabularySize, spec.Width, padding_idx: 0);
        lstm = nn.LSTM(spec.Width, spec.Width, numLayers: spec.Depth, batchFirst: true, bidirectional: true,
            dropout: spec.Depth > 1 ? spec.Dropout : 0);
        attention = nn.Linear(2 * spec.Width, 1);
        dropout = nn.Dropout(spec.Dropout);
        classifier = nn.Linear(2 * spec.Width, spec.Outputs);
        RegisterComponents();
    }

    /// <param name="tokens">Token ids [batch, length], int64, padded with 0.</param>
    public override Tensor forward(Tensor tokens)
    {
        using var scope = NewDisposeScope();
        Tensor padding = TextMasks.Padding(tokens);
        // Packing by length keeps trailing padding out of both directions' states.
        Tensor lengths = padding.logical_not().sum(1);
        var packed = nn.utils.rnn.pack_padded_sequence(embeddings.forward(tokens), lengths, batch_first: true, enforce_sorted: false);
        (nn.utils.rnn.PackedSequence packedOutputs, _, _) = lstm.call(packed, null);
        (Tensor outputs, _) = nn.utils.rnn.pad_packed_sequence(packedOutputs, batch_first: true, total_length: tokens.shape[1]);
        // call() rather than forward() runs the layer's forward hooks, where LoRA adapters live.
        Tensor scores = attention.call(outputs).squeeze(2).masked_fill(padding, double.NegativeInfinity);
        Tensor weights = nn.functional.softmax(scores, 1).unsqueeze(2);
        Tensor pooled = outputs.mul(weights).sum(1);
        return classifier.forward(dropout.forward(pooled)).MoveToOuterDisposeScope();
    }
}
