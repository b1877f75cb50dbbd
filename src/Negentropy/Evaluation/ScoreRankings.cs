namespace Negentropy.Evaluation;

/// <summary>
/// Each class's column of a probability matrix sorted ascending, with the target of the sample at every
/// sorted position, and the Mann–Whitney statistics that ROC AUC needs. Built once per report, it serves
/// one-vs-rest AUC, one-vs-one AUC and average precision with sequential passes only.
/// </summary>
public sealed class ScoreRankings
{
    private readonly Lazy<double[,]> mannWhitney;

    private ScoreRankings(ulong[][] sortedKeys, int[][] sortedTargets, long[] classCounts)
    {
        SortedKeys = sortedKeys;
        SortedTargets = sortedTargets;
        ClassCounts = classCounts;
        mannWhitney = new Lazy<double[,]>(ComputeMannWhitney);
    }

    public int NumClasses => ClassCounts.Length;

    public long Count => SortedTargets.Length == 0 ? 0 : SortedTargets[0].Length;

    /// <summary>Per class k, the order-preserving keys (<see cref="RadixSort.SortableKey"/>) of column k, ascending.</summary>
    public ulong[][] SortedKeys { get; }

    /// <summary>Per class k, the target of the sample at each position of <see cref="SortedKeys"/>[k].</summary>
    public int[][] SortedTargets { get; }

    /// <summary>Number of samples whose target is each class.</summary>
    public long[] ClassCounts { get; }

    /// <summary>
    /// U[a, b]: the number of pairs (x of class a, y of class b) with pₐ(x) &gt; pₐ(y), plus one half for
    /// each tie. AUC(a vs b, scored by a) is U[a, b] / (nₐ·n_b).
    /// </summary>
    public double[,] MannWhitney => mannWhitney.Value;

    /// <summary>Sorts every column of <paramref name="probs"/> [rows, numClasses], row-major.</summary>
    public static ScoreRankings Create(ReadOnlySpan<double> probs, IReadOnlyList<int> targets, int numClasses)
    {
        if (probs.Length != targets.Count * numClasses)
        {
            throw new ArgumentException($"probs has {probs.Length} values, expected {targets.Count} rows × {numClasses} classes", nameof(probs));
        }
        double[] values = probs.ToArray();
        int[] targetArray = targets.ToArray();
        var keys = new ulong[numClasses][];
        var sortedTargets = new int[numClasses][];
        Parallel.For(0, numClasses, k =>
        {
            (ulong[] sorted, int[] order) = RadixSort.Sort(values, stride: numClasses, offset: k);
            var classes = new int[order.Length];
            for (int j = 0; j < order.Length; j++)
            {
                classes[j] = targetArray[order[j]];
            }
            keys[k] = sorted;
            sortedTargets[k] = classes;
        });

        var counts = new long[numClasses];
        foreach (int target in targetArray)
        {
            counts[target]++;
        }
        return new ScoreRankings(keys, sortedTargets, counts);
    }

    /// <summary>Returns the row U[positive, ·] from column <paramref name="positive"/>'s order; see <see cref="MannWhitney"/>.</summary>
    internal static double[] MannWhitneyRow(ulong[] keys, int[] targets, int positive, int numClasses)
    {
        var u = new double[numClasses];
        var below = new long[numClasses];
        var inGroup = new long[numClasses];
        int start = 0;
        while (start < keys.Length)
        {
            int end = start + 1;
            while (end < keys.Length && keys[end] == keys[start])
            {
                end++;
            }

            if (end - start == 1)
            {
                int target = targets[start];
                if (target == positive)
                {
                    for (int b = 0; b < numClasses; b++)
                    {
                        u[b] += below[b];
                    }
                }
                below[target]++;
            }
            else
            {
                // A run of equal scores: a positive beats everything below the run and ties half of the run.
                for (int j = start; j < end; j++)
                {
                    inGroup[targets[j]]++;
                }
                long positives = inGroup[positive];
                if (positives > 0)
                {
                    for (int b = 0; b < numClasses; b++)
                    {
                        u[b] += positives * (below[b] + (0.5 * inGroup[b]));
                    }
                }
                for (int j = start; j < end; j++)
                {
                    int target = targets[j];
                    below[target] += inGroup[target];
                    inGroup[target] = 0;
                }
            }
            start = end;
        }
        return u;
    }

    private double[,] ComputeMannWhitney()
    {
        int numClasses = NumClasses;
        var u = new double[numClasses, numClasses];
        Parallel.For(0, numClasses, a =>
        {
            double[] row = MannWhitneyRow(SortedKeys[a], SortedTargets[a], a, numClasses);
            for (int b = 0; b < numClasses; b++)
            {
                u[a, b] = row[b];
            }
        });
        return u;
    }
}
