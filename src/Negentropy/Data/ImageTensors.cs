using TorchSharp;
using static TorchSharp.torch;

namespace Negentropy.Data;

/// <summary>
/// A dataset normalized once into tensors that live as long as this object: images [N, C, H, W]
/// float32 and targets [N] int64. Batches are gathered from them with index_select.
/// </summary>
public sealed class ImageTensors : IBatchSource
{
    public ImageTensors(ImageDataset dataset, ChannelNormalization normalization)
    {
        Count = dataset.Count;
        using (NewDisposeScope())
        {
            Tensor raw = tensor(dataset.Pixels, new long[] { dataset.Count, dataset.Channels, dataset.Height, dataset.Width });
            Tensor mean = tensor(normalization.Mean.Select(m => (float)m).ToArray()).reshape(1, dataset.Channels, 1, 1);
            Tensor std = tensor(normalization.Std.Select(s => (float)s).ToArray()).reshape(1, dataset.Channels, 1, 1);
            Images = raw.to_type(ScalarType.Float32).div_(255f).sub_(mean).div_(std).MoveToOuterDisposeScope();
            Targets = tensor(dataset.Labels.Select(label => (long)label).ToArray()).MoveToOuterDisposeScope();
        }
    }

    public int Count { get; }

    /// <summary>Normalized images, [N, C, H, W] float32.</summary>
    public Tensor Images { get; }

    /// <summary>Class indices, [N] int64.</summary>
    public Tensor Targets { get; }

    /// <summary>
    /// Returns the sample order of one epoch: a seeded shuffle that depends only on
    /// (<paramref name="seed"/>, <paramref name="epoch"/>), so a resumed run gets the same batches.
    /// </summary>
    public static int[] EpochOrder(int count, int seed, int epoch, bool shuffle)
    {
        int[] order = Enumerable.Range(0, count).ToArray();
        if (shuffle)
        {
            // HashCode.Combine is randomized per process, so the per-epoch seed is mixed by hand.
            new Random(unchecked((seed * 1_000_003) ^ (epoch * 7_919) ^ 0x5EED)).Shuffle(order);
        }
        return order;
    }

    /// <summary>Returns the number of batches of size <paramref name="batchSize"/>, the last one partial.</summary>
    public int BatchCount(int batchSize) => (Count + batchSize - 1) / batchSize;

    /// <summary>
    /// Gathers batch <paramref name="batchIndex"/> of <paramref name="order"/>. The tensors belong to
    /// the caller's current dispose scope.
    /// </summary>
    public (Tensor Inputs, Tensor Targets) Batch(int[] order, int batchIndex, int batchSize)
    {
        int start = batchIndex * batchSize;
        int length = Math.Min(batchSize, Count - start);
        Tensor indices = tensor(order.AsSpan(start, length).ToArray().Select(i => (long)i).ToArray());
        return (Images.index_select(0, indices), Targets.index_select(0, indices));
    }

    public void Dispose()
    {
        Images.Dispose();
        Targets.Dispose();
    }
}
