using static TorchSharp.torch;

namespace Negentropy.Data;

/// <summary>
/// Encoded texts for the training loop: each batch is the token ids [batch, length] int64, padded with
/// 0 to the longest sample in the batch, and the targets [batch] int64.
/// </summary>
public sealed class TextTensors : IBatchSource
{
    private readonly IReadOnlyList<int[]> tokens;
    private readonly int[] labels;

    /// <param name="tokens">Token ids per sample, already truncated to the model's maximum length.</param>
    public TextTensors(IReadOnlyList<int[]> tokens, int[] labels)
    {
        if (tokens.Count != labels.Length)
        {
            throw new ArgumentException($"{tokens.Count} token lists but {labels.Length} labels", nameof(labels));
        }
        this.tokens = tokens;
        this.labels = labels;
    }

    public int Count => labels.Length;

    public (Tensor Inputs, Tensor Targets) Batch(int[] order, int batchIndex, int batchSize)
    {
        int start = batchIndex * batchSize;
        int size = Math.Min(batchSize, Count - start);
        int length = 1;
        for (int i = 0; i < size; i++)
        {
            length = Math.Max(length, tokens[order[start + i]].Length);
        }
        var ids = new long[size * length];
        var targets = new long[size];
        for (int i = 0; i < size; i++)
        {
            int sample = order[start + i];
            int[] row = tokens[sample];
            for (int t = 0; t < row.Length; t++)
            {
                ids[(i * length) + t] = row[t];
            }
            targets[i] = labels[sample];
        }
        return (tensor(ids, new long[] { size, length }), tensor(targets));
    }

    public void Dispose()
    {
        // The samples live on the host; each batch's tensors belong to the caller's dispose scope.
    }
}
