using static TorchSharp.torch;

namespace Negentropy.Data;

/// <summary>
/// A dataset held as tensors that the training loop and the evaluator read in batches: images, token
/// sequences, or anything else a model takes as one input tensor.
/// </summary>
public interface IBatchSource : IDisposable
{
    int Count { get; }

    /// <summary>Returns the number of batches of size <paramref name="batchSize"/>, the last one partial.</summary>
    int BatchCount(int batchSize) => (Count + batchSize - 1) / batchSize;

    /// <summary>
    /// Gathers batch <paramref name="batchIndex"/> of <paramref name="order"/>: the model input and the
    /// int64 class indices. The tensors belong to the caller's current dispose scope.
    /// </summary>
    (Tensor Inputs, Tensor Targets) Batch(int[] order, int batchIndex, int batchSize);
}
