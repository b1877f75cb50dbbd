namespace Negentropy.Evaluation;

/// <summary>
/// ROC AUC and average precision from scores, as scikit-learn computes them. AUC is the
/// Mann–Whitney statistic, so a positive and a negative with equal scores count one half.
/// </summary>
/// <remarks>
/// Multiclass scores are [rows, numClasses] row-major. Each class's scores are sorted once
/// (<see cref="Rank"/>), and every one-vs-rest and one-vs-one pass walks those sorted arrays.
/// A class with no positive or no negative samples has no AUC or average precision; the averages skip it.
/// </remarks>
public static class RankingMetrics
{
    /// <summary>Per-class AUCs and their averages; skipped classes have NaN and are listed.</summary>
    public sealed record OneVsRest(double[] PerClass, double Macro, double Weighted, IReadOnlyList<int> SkippedClasses);

    /// <summary>One class's scores sorted ascending, with the sample index of each sorted score.</summary>
    /// <remarks>Tied scores may come in any order: every pass handles a run of equal scores as one group.</remarks>
    public sealed record ClassRanking(double[] SortedScores, int[] Order);

    /// <summary>Sorts each class's column of <paramref name="probs"/>.</summary>
    public static ClassRanking[] Rank(ReadOnlySpan<double> probs, int rows, int numClasses)
    {
        var rankings = new ClassRanking[numClasses];
        double[] values = probs.ToArray();
        Parallel.For(0, numClasses, k =>
        {
            var keys = new double[rows];
            var order = new int[rows];
            for (int i = 0; i < rows; i++)
            {
                keys[i] = values[(i * numClasses) + k];
                order[i] = i;
            }
            Array.Sort(keys, order);
            rankings[k] = new ClassRanking(keys, order);
        });
        return rankings;
    }

    /// <summary>Binary ROC AUC of <paramref name="scores"/> for <paramref name="positives"/>; NaN when either class is missing.</summary>
    public static double BinaryRocAuc(IReadOnlyList<bool> positives, IReadOnlyList<double> scores)
    {
        ClassRanking ranking = RankOne(scores);
        var labels = new sbyte[scores.Count];
        for (int i = 0; i < labels.Length; i++)
        {
            labels[i] = positives[i] ? (sbyte)1 : (sbyte)0;
        }
        return RocAuc(ranking, labels);
    }

    /// <summary>One-vs-rest ROC AUC per class, with the macro and support-weighted averages over the classes that have one.</summary>
    public static OneVsRest RocAucOneVsRest(IReadOnlyList<int> targets, int numClasses, ClassRanking[] rankings)
    {
        var perClass = new double[numClasses];
        Parallel.For(0, numClasses, k => perClass[k] = RocAuc(rankings[k], Labels(targets, positive: k, negative: -1)));

        var support = new long[numClasses];
        foreach (int target in targets)
        {
            support[target]++;
        }
        int[] defined = Enumerable.Range(0, numClasses).Where(k => !double.IsNaN(perClass[k])).ToArray();
        int[] skipped = Enumerable.Range(0, numClasses).Where(k => double.IsNaN(perClass[k])).ToArray();
        double macro = defined.Length == 0 ? double.NaN : defined.Average(k => perClass[k]);
        double weightSum = defined.Sum(k => (double)support[k]);
        double weighted = weightSum == 0 ? double.NaN : defined.Sum(k => perClass[k] * support[k]) / weightSum;
        return new OneVsRest(perClass, macro, weighted, skipped);
    }

    /// <summary>
    /// One-vs-one macro ROC AUC (Hand &amp; Till, 2001): for each pair of classes present in the targets,
    /// the mean of AUC(a vs b, scored by a) and AUC(b vs a, scored by b) on the samples of those two
    /// classes, averaged over pairs. NaN when fewer than two classes are present.
    /// </summary>
    public static double RocAucOneVsOne(IReadOnlyList<int> targets, int numClasses, ClassRanking[] rankings)
    {
        var present = new bool[numClasses];
        foreach (int target in targets)
        {
            present[target] = true;
        }
        var pairs = new List<(int A, int B)>();
        for (int a = 0; a < numClasses; a++)
        {
            for (int b = a + 1; b < numClasses; b++)
            {
                if (present[a] && present[b])
                {
                    pairs.Add((a, b));
                }
            }
        }
        if (pairs.Count == 0)
        {
            return double.NaN;
        }

        var pairScores = new double[pairs.Count];
        Parallel.For(0, pairs.Count, p =>
        {
            (int a, int b) = pairs[p];
            double aVersusB = RocAuc(rankings[a], Labels(targets, positive: a, negative: b));
            double bVersusA = RocAuc(rankings[b], Labels(targets, positive: b, negative: a));
            pairScores[p] = 0.5 * (aVersusB + bVersusA);
        });
        return pairScores.Average();
    }

    /// <summary>Binary average precision: Σ (Rₙ − Rₙ₋₁)·Pₙ over score thresholds in decreasing order; NaN with no positives.</summary>
    public static double BinaryAveragePrecision(IReadOnlyList<bool> positives, IReadOnlyList<double> scores)
    {
        ClassRanking ranking = RankOne(scores);
        var labels = new sbyte[scores.Count];
        for (int i = 0; i < labels.Length; i++)
        {
            labels[i] = positives[i] ? (sbyte)1 : (sbyte)0;
        }
        return AveragePrecision(ranking, labels);
    }

    /// <summary>Average precision per class (one vs rest), NaN for classes without positives.</summary>
    public static double[] AveragePrecisionPerClass(IReadOnlyList<int> targets, int numClasses, ClassRanking[] rankings)
    {
        var perClass = new double[numClasses];
        Parallel.For(0, numClasses, k => perClass[k] = AveragePrecision(rankings[k], Labels(targets, positive: k, negative: -1)));
        return perClass;
    }

    // Per sample: 1 for the positive class, 0 for the negative class (any other class when negative is −1), −1 to leave out.
    private static sbyte[] Labels(IReadOnlyList<int> targets, int positive, int negative)
    {
        var labels = new sbyte[targets.Count];
        for (int i = 0; i < labels.Length; i++)
        {
            int target = targets[i];
            labels[i] = target == positive ? (sbyte)1 : negative < 0 || target == negative ? (sbyte)0 : (sbyte)-1;
        }
        return labels;
    }

    private static ClassRanking RankOne(IReadOnlyList<double> scores)
    {
        double[] keys = scores.ToArray();
        int[] order = Enumerable.Range(0, keys.Length).ToArray();
        Array.Sort(keys, order);
        return new ClassRanking(keys, order);
    }

    // Mann–Whitney AUC over the ascending ranking. Tied scores share their average rank.
    private static double RocAuc(ClassRanking ranking, sbyte[] labels)
    {
        double[] scores = ranking.SortedScores;
        int[] order = ranking.Order;
        double positiveRankSum = 0;
        long positives = 0;
        long negatives = 0;
        long rank = 0;
        int start = 0;
        while (start < scores.Length)
        {
            double value = scores[start];
            int end = start;
            long groupPositives = 0;
            long groupSize = 0;
            while (end < scores.Length && scores[end] == value)
            {
                sbyte label = labels[order[end]];
                if (label >= 0)
                {
                    groupSize++;
                    groupPositives += label;
                }
                end++;
            }
            // Ranks rank+1 … rank+groupSize share their mean.
            positiveRankSum += groupPositives * (rank + ((groupSize + 1) / 2.0));
            positives += groupPositives;
            negatives += groupSize - groupPositives;
            rank += groupSize;
            start = end;
        }
        if (positives == 0 || negatives == 0)
        {
            return double.NaN;
        }
        return (positiveRankSum - (positives * (positives + 1) / 2.0)) / ((double)positives * negatives);
    }

    private static double AveragePrecision(ClassRanking ranking, sbyte[] labels)
    {
        double[] scores = ranking.SortedScores;
        int[] order = ranking.Order;
        long totalPositives = 0;
        foreach (sbyte label in labels)
        {
            totalPositives += label == 1 ? 1 : 0;
        }
        if (totalPositives == 0)
        {
            return double.NaN;
        }

        double averagePrecision = 0;
        long truePositives = 0;
        long seen = 0;
        double previousRecall = 0;
        int end = scores.Length;
        while (end > 0)
        {
            double value = scores[end - 1];
            int start = end;
            while (start > 0 && scores[start - 1] == value)
            {
                start--;
                truePositives += labels[order[start]] == 1 ? 1 : 0;
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
