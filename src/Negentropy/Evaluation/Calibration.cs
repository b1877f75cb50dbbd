namespace Negentropy.Evaluation;

/// <summary>
/// Calibration of predicted probabilities: expected and maximum calibration error (Naeini et al., 2015;
/// Guo et al., 2017) and reliability-diagram bins.
/// </summary>
/// <remarks>
/// Equal-width bin b of B covers confidences in (b/B, (b+1)/B]; the first bin also takes 0, so a
/// confidence of exactly 1 falls in the last bin. ECE = Σ_b (n_b / N)·|accuracy_b − confidence_b|.
/// </remarks>
public static class Calibration
{
    public const int DefaultBins = 15;

    /// <summary>One bin of a reliability diagram; the means are NaN when the bin is empty.</summary>
    public sealed record Bin(double Lower, double Upper, long Count, double MeanConfidence, double Accuracy);

    /// <summary>Top-label reliability bins: the confidence is the highest probability, "correct" is argmax = target.</summary>
    public static Bin[] TopLabelBins(IReadOnlyList<int> targets, ReadOnlySpan<double> probs, int numClasses, int bins = DefaultBins)
    {
        (double[] confidence, bool[] correct) = TopLabel(targets, probs, numClasses);
        return EqualWidthBins(confidence, correct, bins);
    }

    /// <summary>Top-label ECE with equal-width bins.</summary>
    public static double ExpectedCalibrationError(IReadOnlyList<int> targets, ReadOnlySpan<double> probs, int numClasses, int bins = DefaultBins) =>
        Ece(TopLabelBins(targets, probs, numClasses, bins), targets.Count);

    /// <summary>Maximum calibration error: the largest |accuracy − confidence| over non-empty equal-width bins.</summary>
    public static double MaximumCalibrationError(IReadOnlyList<int> targets, ReadOnlySpan<double> probs, int numClasses, int bins = DefaultBins) =>
        MceFromBins(TopLabelBins(targets, probs, numClasses, bins));

    /// <summary>ECE from reliability bins of <paramref name="rows"/> samples.</summary>
    public static double EceFromBins(Bin[] reliability, int rows) => Ece(reliability, rows);

    /// <summary>MCE from reliability bins; NaN when every bin is empty.</summary>
    public static double MceFromBins(Bin[] reliability)
    {
        double max = double.NaN;
        foreach (Bin bin in reliability.Where(b => b.Count > 0))
        {
            double gap = Math.Abs(bin.Accuracy - bin.MeanConfidence);
            max = double.IsNaN(max) ? gap : Math.Max(max, gap);
        }
        return max;
    }

    /// <summary>
    /// Top-label ECE with equal-mass bins: samples sorted by confidence and cut into <paramref name="bins"/>
    /// contiguous groups whose sizes differ by at most one, the larger ones first (numpy's array_split).
    /// </summary>
    public static double EqualMassCalibrationError(IReadOnlyList<int> targets, ReadOnlySpan<double> probs, int numClasses, int bins = DefaultBins)
    {
        RequireBins(bins);
        (double[] confidence, bool[] correct) = TopLabel(targets, probs, numClasses);
        // The radix sort is stable, as numpy's argsort(kind="stable"), so ties split the same way.
        (_, int[] order) = RadixSort.Sort(confidence);
        int n = order.Length;
        double ece = 0;
        int start = 0;
        for (int b = 0; b < bins; b++)
        {
            int size = (n / bins) + (b < n % bins ? 1 : 0);
            if (size == 0)
            {
                continue;
            }
            double confidenceSum = 0;
            long correctCount = 0;
            for (int j = start; j < start + size; j++)
            {
                confidenceSum += confidence[order[j]];
                correctCount += correct[order[j]] ? 1 : 0;
            }
            ece += (double)size / n * Math.Abs(((double)correctCount / size) - (confidenceSum / size));
            start += size;
        }
        return n == 0 ? double.NaN : ece;
    }

    /// <summary>Class-wise ECE: for each class k, the ECE of pₖ against 1[y = k] with equal-width bins, averaged over classes.</summary>
    public static double ClasswiseCalibrationError(IReadOnlyList<int> targets, ReadOnlySpan<double> probs, int numClasses, int bins = DefaultBins)
    {
        int rows = targets.Count;
        double[] values = probs.ToArray();
        var perClass = new double[numClasses];
        Parallel.For(0, numClasses, k =>
        {
            var confidence = new double[rows];
            var outcome = new bool[rows];
            for (int i = 0; i < rows; i++)
            {
                confidence[i] = values[(i * numClasses) + k];
                outcome[i] = targets[i] == k;
            }
            perClass[k] = Ece(EqualWidthBins(confidence, outcome, bins), rows);
        });
        return perClass.Sum() / numClasses;
    }

    /// <summary>Returns the equal-width bin of <paramref name="confidence"/>: bin b covers (b/B, (b+1)/B], bin 0 also 0.</summary>
    public static int BinIndex(double confidence, int bins)
    {
        int index = Math.Clamp((int)Math.Ceiling(confidence * bins) - 1, 0, bins - 1);
        // The product can round across a boundary, so the edges are checked exactly.
        while (index > 0 && confidence <= (double)index / bins)
        {
            index--;
        }
        while (index < bins - 1 && confidence > (double)(index + 1) / bins)
        {
            index++;
        }
        return index;
    }

    private static Bin[] EqualWidthBins(double[] confidence, bool[] correct, int bins)
    {
        RequireBins(bins);
        var counts = new long[bins];
        var confidenceSums = new double[bins];
        var correctCounts = new long[bins];
        for (int i = 0; i < confidence.Length; i++)
        {
            int b = BinIndex(confidence[i], bins);
            counts[b]++;
            confidenceSums[b] += confidence[i];
            correctCounts[b] += correct[i] ? 1 : 0;
        }
        var result = new Bin[bins];
        for (int b = 0; b < bins; b++)
        {
            result[b] = new Bin((double)b / bins, (double)(b + 1) / bins, counts[b],
                counts[b] == 0 ? double.NaN : confidenceSums[b] / counts[b],
                counts[b] == 0 ? double.NaN : (double)correctCounts[b] / counts[b]);
        }
        return result;
    }

    private static double Ece(Bin[] bins, int rows)
    {
        if (rows == 0)
        {
            return double.NaN;
        }
        double ece = 0;
        foreach (Bin bin in bins.Where(b => b.Count > 0))
        {
            ece += (double)bin.Count / rows * Math.Abs(bin.Accuracy - bin.MeanConfidence);
        }
        return ece;
    }

    private static (double[] Confidence, bool[] Correct) TopLabel(IReadOnlyList<int> targets, ReadOnlySpan<double> probs, int numClasses)
    {
        var confidence = new double[targets.Count];
        var correct = new bool[targets.Count];
        for (int i = 0; i < targets.Count; i++)
        {
            ReadOnlySpan<double> row = probs.Slice(i * numClasses, numClasses);
            int best = 0;
            for (int k = 1; k < numClasses; k++)
            {
                if (row[k] > row[best])
                {
                    best = k;
                }
            }
            confidence[i] = row[best];
            correct[i] = best == targets[i];
        }
        return (confidence, correct);
    }

    private static void RequireBins(int bins)
    {
        if (bins < 1)
        {
            throw new ArgumentOutOfRangeException(nameof(bins), bins, "must be at least 1");
        }
    }
}
