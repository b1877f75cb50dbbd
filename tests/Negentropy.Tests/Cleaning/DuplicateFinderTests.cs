using Negentropy.Cleaning;
using Negentropy.Data;
using Xunit;

namespace Negentropy.Tests.Cleaning;

public sealed class DuplicateFinderTests
{
    // 40 random 28×28 images and three copies. Image 40 copies image 3 with the same label, 41 copies
    // image 5 with another label, and 42 is image 7 with 20 pixels nudged by 1, a near duplicate.
    private static ImageDataset Build()
    {
        var random = new Random(9);
        const int count = 43;
        const int size = 28 * 28;
        var pixels = new byte[count * size];
        var labels = new int[count];
        for (int i = 0; i < 40; i++)
        {
            random.NextBytes(pixels.AsSpan(i * size, size));
            labels[i] = i % 4;
        }
        Array.Copy(pixels, 3 * size, pixels, 40 * size, size);
        labels[40] = labels[3];
        Array.Copy(pixels, 5 * size, pixels, 41 * size, size);
        labels[41] = (labels[5] + 1) % 4;
        Array.Copy(pixels, 7 * size, pixels, 42 * size, size);
        labels[42] = labels[7];
        for (int k = 0; k < 20; k++)
        {
            int position = (42 * size) + (k * 37);
            pixels[position] = (byte)Math.Min(255, pixels[position] + 1);
        }
        return new ImageDataset(pixels, labels, 1, 28, 28, new[] { "a", "b", "c", "d" });
    }

    [Fact]
    public void Find_ReportsExactNearAndConflictingPairs()
    {
        IReadOnlyList<DuplicateFinder.Pair> pairs = DuplicateFinder.Find(Build(), maxDistance: 4);

        Assert.Equal(3, pairs.Count);
        Assert.Equal(new DuplicateFinder.Pair(5, 41, 0, ConflictingLabels: true, Exact: true), pairs[0]);
        Assert.Contains(new DuplicateFinder.Pair(3, 40, 0, ConflictingLabels: false, Exact: true), pairs);
        DuplicateFinder.Pair near = Assert.Single(pairs, p => p.First == 7);
        Assert.Equal(42, near.Second);
        Assert.InRange(near.Distance, 0, 4);
        Assert.False(near.ConflictingLabels);
        Assert.False(near.Exact);
    }

    [Fact]
    public void Find_ByDefaultReportsExactPairsOnly()
    {
        IReadOnlyList<DuplicateFinder.Pair> pairs = DuplicateFinder.Find(Build());

        Assert.Equal(2, pairs.Count);
        Assert.All(pairs, pair => Assert.True(pair.Exact));
    }

    [Fact]
    public void Find_ZeroDistanceKeepsOnlyIdenticalHashes()
    {
        ImageDataset dataset = Build();

        IReadOnlyList<DuplicateFinder.Pair> pairs = DuplicateFinder.Find(dataset, maxDistance: 0);

        Assert.All(pairs, pair => Assert.Equal(DuplicateFinder.AverageHash(dataset, pair.First), DuplicateFinder.AverageHash(dataset, pair.Second)));
        Assert.Contains(pairs, pair => pair.First == 3 && pair.Second == 40);
    }

    [Fact]
    public void Find_RejectsUnsupportedDistance()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => DuplicateFinder.Find(Build(), maxDistance: 8));
        Assert.Throws<ArgumentOutOfRangeException>(() => DuplicateFinder.Find(Build(), maxDistance: -2));
    }

    [Fact]
    public void AverageHash_IgnoresTinyChangesOnly()
    {
        ImageDataset dataset = Build();

        ulong original = DuplicateFinder.AverageHash(dataset, 7);
        ulong nudged = DuplicateFinder.AverageHash(dataset, 42);
        ulong other = DuplicateFinder.AverageHash(dataset, 8);

        Assert.True(System.Numerics.BitOperations.PopCount(original ^ nudged) <= 2);
        Assert.True(System.Numerics.BitOperations.PopCount(original ^ other) > DuplicateFinder.DefaultMaxDistance);
    }
}
