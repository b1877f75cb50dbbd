namespace Negentropy.Evaluation;

/// <summary>
/// ROC AUC and average precision from scores, as scikit-learn computes them. AUC is the
/// Mann–Whitney statistic, so a positive and a negative with equal scores count one half.
/// </summary>
/// <remarks>
/// A class with no positive or no negative samples has no AUC or average precision (NaN); the
/// averages skip it. Multiclass figures come from one <see cref="ScoreRankings"/>.
/// </remarks>
public static class RankingMetrics
{
    /// <summary>Per-class AUCs and their averages; skipped classes have NaN and are listed.</summary>
    public sealed record OneVsRest(double[] PerClass, double Macro, double Weighted, IReadOnlyList<int> SkippedClasses);

    /// <summary>Binary ROC AUC of <paramref name="scores"/> for <paramref name="positives"/>; NaN when either class is missing.</summary>
    public static double BinaryRocAuc(IReadOnlyList<bool> positives, IReadOnlyList<double> scores)
    {
        (ulong[] keys, int[] targets, long positiveCount) = RankBinary(positives, scores);
        long negativeCount = keys.Length - positiveCount;
        if (positiveCount == 0 || negativeCount == 0)
        {
            return double.NaN;
        }
        double[] u = ScoreRankings.MannWhitneyRow(keys, targets, positive: 1, numClasses: 2);
        return u[0] / ((double)positiveCount * negativeCount);
    }

    /// <summary>Binary average precision: Σ (Rₙ − Rₙ₋₁)·Pₙ over score thresholds in decreasing order; NaN with no positives.</summary>
    public static double BinaryAveragePrecision(IReadOnlyList<bool> positives, IReadOnlyList<double> scores)
    {
        (ulong[] keys, int[] targets, _) = RankBinary(positives, scores);
        return AveragePrecision(keys, targets, positive: 1);
    }

    /// <summary>One-vs-rest ROC AUC per class, with the macro and support-weighted averages over the classes that have one.</summary>
    public static OneVsRest RocAucOneVsRest(ScoreRankings rankings)
    {
        int numClasses = rankings.NumClasses;
        double[,] u = rankings.MannWhitney;
        var perClass = new double[numClasses];
        for (int a = 0; a < numClasses; a++)
        {
            long positives = rankings.ClassCounts[a];
            long negatives = rankings.Count - positives;
            double wins = 0;
            for (int b = 0; b < numClasses; b++)
            {
                wins += b == a ? 0 : u[a, b];
            }
            perClass[a] = positives == 0 || negatives == 0 ? double.NaN : wins / ((double)positives * negatives);
        }

        int[] defined = Enumerable.Range(0, numClasses).Where(k => !double.IsNaN(perClass[k])).ToArray();
        int[] skipped = Enumerable.Range(0, numClasses).Where(k => double.IsNaN(perClass[k])).ToArray();
        double macro = defined.Length == 0 ? double.NaN : defined.Average(k => perClass[k]);
        double weightSum = defined.Sum(k => (double)rankings.ClassCounts[k]);
        double weighted = weightSum == 0 ? double.NaN : defined.Sum(k => perClass[k] * rankings.ClassCounts[k]) / weightSum;
        return new OneVsRest(perClass, macro, weighted, skipped);
    }

    /// <summary>
    /// One-vs-one macro ROC AUC (Hand &amp; Till, 2001). Each pair of classes present in the targets scores
    /// the mean of AUC(a vs b, scored by a) and AUC(b vs a, scored by b) on the samples of those two
    /// classes, and the result averages the pairs. NaN when fewer than two classes are present.
    /// </summary>
    public static double RocAucOneVsOne(ScoreRankings rankings)
    {
        double[,] u = rankings.MannWhitney;
        double sum = 0;
        int pairs = 0;
        for (int a = 0; a < rankings.NumClasses; a++)
        {
            for (int b = a + 1; b < rankings.NumClasses; b++)
            {
                double pairCount = (double)rankings.ClassCounts[a] * rankings.ClassCounts[b];
                if (pairCount == 0)
                {
                    continue;
                }
                sum += 0.5 * ((u[a, b] / pairCount) + (u[b, a] / pairCount));
                pairs++;
            }
        }
        return pairs == 0 ? double.NaN : sum / pairs;
    }

    /// <summary>Average precision per class (one vs rest), NaN for classes without positives.</summary>
    public static double[] AveragePrecisionPerClass(ScoreRankings rankings)
    {
        var perClass = new double[rankings.NumClasses];
        Parallel.For(0, rankings.NumClasses, k => perClass[k] = AveragePrecision(rankings.SortedKeys[k], rankings.SortedTargets[k], k));
        return perClass;
    }

    private static (ulong[] Keys, int[] Targets, long Positives) RankBinary(IReadOnlyList<bool> positives, IReadOnlyList<double> scores)
    {
        if (positives.Count != scores.Count)
        {
            throw new ArgumentException($"positives has {positives.Count} entries but scores has {scores.Count}; they must be the same length", nameof(scores));
        }
        (ulong[] keys, int[] order) = RadixSort.Sort(scores.ToArray());
        var targets = new int[order.Length];
        long positiveCount = 0;
        for (int j = 0; j < order.Length; j++)
        {
            targets[j] = positives[order[j]] ? 1 : 0;
            positiveCount += targets[j];
        }
        return (keys, targets, positiveCount);
    }

    // Walks the ascending keys from the top, one run of equal scores at a time.
    private static double AveragePrecision(ulong[] keys, int[] targets, int positive)
    {
        long totalPositives = 0;
        foreach (int target in targets)
        {
            totalPositives += target == positive ? 1 : 0;
        }
        if (totalPositives == 0)
        {
            return double.NaN;
        }

        double averagePrecision = 0;
        long truePositives = 0;
        long seen = 0;
        double previousRecall = 0;
        int end = keys.Length;
        while (end > 0)
        {
            ulong value = keys[end - 1];
            int start = end;
            while (start > 0 && keys[start - 1] == value)
            {
                start--;
                truePositives += targets[start] == positive ? 1 : 0;
                seen++;
            }
            double recall = (double)truePositives / totalPositives;
            averagePrecision += (recall - previousRecall) * ((double)truePositives / seen);
            previousRecall = recall;
            end = start;
        }
        return averagePrecision;
    }
}
