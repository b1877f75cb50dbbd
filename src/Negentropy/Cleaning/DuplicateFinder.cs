using System.Numerics;
using System.Security.Cryptography;
using Negentropy.Data;

namespace Negentropy.Cleaning;

/// <summary>
/// Finds exact duplicates (same bytes, by SHA-256) and near duplicates (64-bit average hashes within a
/// Hamming distance) among a dataset's images. Pairs whose labels differ come first.
/// </summary>
/// <remarks>
/// The average hash shrinks an image to 8×8 by area averaging over its first channel and sets one bit
/// per cell above the mean. Near pairs are found by multi-index hashing. With distance d ≤ 7 the 64 bits
/// are cut into d + 1 blocks. Two hashes within distance d agree exactly on at least one block, so only
/// hashes that share a block are compared.
/// </remarks>
public static class DuplicateFinder
{
    /// <summary>The default: exact duplicates only. Average hashes of small, plain images (Fashion-MNIST, say) collide often, so a near-duplicate distance is a choice to make and review.</summary>
    public const int DefaultMaxDistance = -1;
    public const int MaxSupportedDistance = 7;

    /// <summary>A pair of images, first index lower: identical bytes (Exact, Distance 0) or average hashes Distance bits apart.</summary>
    public sealed record Pair(int First, int Second, int Distance, bool ConflictingLabels, bool Exact = false);

    /// <summary>Returns exact pairs and, when <paramref name="maxDistance"/> is 0 or more, pairs whose hashes are within that many bits; conflicting labels first, then exact, then by distance.</summary>
    public static IReadOnlyList<Pair> Find(ImageDataset dataset, int maxDistance = DefaultMaxDistance)
    {
        if (maxDistance is < -1 or > MaxSupportedDistance)
        {
            throw new ArgumentOutOfRangeException(nameof(maxDistance), maxDistance, $"must be -1 (exact only) or 0 to {MaxSupportedDistance} bits");
        }

        var pairs = new HashSet<(int, int)>();
        var result = new List<Pair>();
        void Add(int a, int b, int distance, bool exact)
        {
            (int first, int second) = a < b ? (a, b) : (b, a);
            if (pairs.Add((first, second)))
            {
                result.Add(new Pair(first, second, distance, dataset.Labels[first] != dataset.Labels[second], exact));
            }
        }

        // Exact: identical bytes share a SHA-256 digest.
        var byDigest = new Dictionary<string, List<int>>();
        int size = dataset.ImageSize;
        for (int i = 0; i < dataset.Count; i++)
        {
            string digest = Convert.ToHexString(SHA256.HashData(dataset.Pixels.AsSpan(i * size, size)));
            if (!byDigest.TryGetValue(digest, out List<int>? members))
            {
                byDigest[digest] = members = new List<int>();
            }
            members.Add(i);
        }
        foreach (List<int> members in byDigest.Values.Where(m => m.Count > 1))
        {
            for (int a = 0; a < members.Count; a++)
            {
                for (int b = a + 1; b < members.Count; b++)
                {
                    Add(members[a], members[b], 0, exact: true);
                }
            }
        }

        if (maxDistance < 0)
        {
            return Ordered(result);
        }

        // Near: multi-index hashing over d + 1 blocks of the average hash.
        ulong[] hashes = Enumerable.Range(0, dataset.Count).Select(i => AverageHash(dataset, i)).ToArray();
        int blocks = maxDistance + 1;
        for (int block = 0; block < blocks; block++)
        {
            int start = block * 64 / blocks;
            int end = (block + 1) * 64 / blocks;
            ulong mask = (end - start == 64 ? ulong.MaxValue : ((1UL << (end - start)) - 1)) << start;
            foreach (IGrouping<ulong, int> group in Enumerable.Range(0, dataset.Count).GroupBy(i => hashes[i] & mask).Where(g => g.Count() > 1))
            {
                int[] members = group.ToArray();
                for (int a = 0; a < members.Length; a++)
                {
                    for (int b = a + 1; b < members.Length; b++)
                    {
                        int distance = BitOperations.PopCount(hashes[members[a]] ^ hashes[members[b]]);
                        if (distance <= maxDistance)
                        {
                            Add(members[a], members[b], distance, exact: false);
                        }
                    }
                }
            }
        }

        return Ordered(result);
    }

    private static Pair[] Ordered(List<Pair> pairs) =>
        pairs.OrderByDescending(p => p.ConflictingLabels).ThenByDescending(p => p.Exact).ThenBy(p => p.Distance).ThenBy(p => p.First).ThenBy(p => p.Second).ToArray();

    /// <summary>The 64-bit average hash of image <paramref name="index"/> (row-major cells, bit 0 first).</summary>
    public static ulong AverageHash(ImageDataset dataset, int index)
    {
        int offset = index * dataset.ImageSize;
        Span<double> cells = stackalloc double[64];
        for (int cellY = 0; cellY < 8; cellY++)
        {
            int y0 = cellY * dataset.Height / 8;
            int y1 = Math.Max(y0 + 1, (cellY + 1) * dataset.Height / 8);
            for (int cellX = 0; cellX < 8; cellX++)
            {
                int x0 = cellX * dataset.Width / 8;
                int x1 = Math.Max(x0 + 1, (cellX + 1) * dataset.Width / 8);
                double sum = 0;
                for (int y = y0; y < y1; y++)
                {
                    for (int x = x0; x < x1; x++)
                    {
                        sum += dataset.Pixels[offset + (y * dataset.Width) + x];
                    }
                }
                cells[(cellY * 8) + cellX] = sum / ((y1 - y0) * (x1 - x0));
            }
        }

        double mean = 0;
        foreach (double cell in cells)
        {
            mean += cell / 64;
        }
        ulong hash = 0;
        for (int bit = 0; bit < 64; bit++)
        {
            if (cells[bit] > mean)
            {
                hash |= 1UL << bit;
            }
        }
        return hash;
    }
}
