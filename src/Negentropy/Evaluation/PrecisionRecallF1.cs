namespace Negentropy.Evaluation;

/// <summary>
/// Precision, recall and F1 per class with micro, macro and weighted averages, for the classes in
/// <see cref="Labels"/>, which may include classes absent from the data.
/// </summary>
/// <remarks>
/// A ratio whose denominator is 0 is ill-defined and takes the <c>zeroDivision</c> value (0, 1 or NaN).
/// With 0 or 1 the results equal scikit-learn 1.2's precision_recall_fscore_support. With NaN,
/// ill-defined values are NaN and the averages skip them, as scikit-learn 1.3 and later do.
/// F1 is 2·tp / (2·tp + fp + fn), which equals the harmonic mean of precision and recall wherever both are defined.
/// </remarks>
public sealed class PrecisionRecallF1
{
    private PrecisionRecallF1(IReadOnlyList<int> labels, double[] precision, double[] recall, double[] f1, long[] support,
        ClassMetrics micro, ClassMetrics macro, ClassMetrics weighted, IReadOnlyList<int> illDefinedLabels)
    {
        Labels = labels;
        Precision = precision;
        Recall = recall;
        F1 = f1;
        Support = support;
        Micro = micro;
        Macro = macro;
        Weighted = weighted;
        IllDefinedLabels = illDefinedLabels;
    }

    public IReadOnlyList<int> Labels { get; }

    public IReadOnlyList<double> Precision { get; }

    public IReadOnlyList<double> Recall { get; }

    public IReadOnlyList<double> F1 { get; }

    public IReadOnlyList<long> Support { get; }

    public ClassMetrics Micro { get; }

    public ClassMetrics Macro { get; }

    public ClassMetrics Weighted { get; }

    /// <summary>Labels whose precision or recall was ill-defined and took the zero-division value.</summary>
    public IReadOnlyList<int> IllDefinedLabels { get; }

    /// <summary>Computes the metrics for <paramref name="labels"/> (default: 0..numClasses−1).</summary>
    /// <param name="zeroDivision">Value of an ill-defined ratio: 0, 1 or NaN.</param>
    public static PrecisionRecallF1 Compute(IReadOnlyList<int> targets, IReadOnlyList<int> preds, int numClasses,
        IReadOnlyList<int>? labels = null, double zeroDivision = 0)
    {
        if (!(zeroDivision is 0 or 1 || double.IsNaN(zeroDivision)))
        {
            throw new ArgumentOutOfRangeException(nameof(zeroDivision), zeroDivision, "must be 0, 1 or NaN");
        }
        if (targets.Count != preds.Count)
        {
            throw new ArgumentException($"targets has {targets.Count} entries but preds has {preds.Count}; they must be the same length", nameof(preds));
        }
        var truePositives = new long[numClasses];
        var predicted = new long[numClasses];
        var support = new long[numClasses];
        for (int i = 0; i < targets.Count; i++)
        {
            support[targets[i]]++;
            predicted[preds[i]]++;
            if (targets[i] == preds[i])
            {
                truePositives[targets[i]]++;
            }
        }
        return FromCounts(truePositives, predicted, support, labels, zeroDivision);
    }

    /// <summary>Computes the metrics from per-class counts of true positives, predictions and targets.</summary>
    public static PrecisionRecallF1 FromCounts(long[] truePositives, long[] predicted, long[] support, IReadOnlyList<int>? labels = null, double zeroDivision = 0)
    {
        if (!(zeroDivision is 0 or 1 || double.IsNaN(zeroDivision)))
        {
            throw new ArgumentOutOfRangeException(nameof(zeroDivision), zeroDivision, "must be 0, 1 or NaN");
        }
        labels ??= Enumerable.Range(0, support.Length).ToArray();

        int count = labels.Count;
        var precision = new double[count];
        var recall = new double[count];
        var f1 = new double[count];
        var labelSupport = new long[count];
        var illDefined = new List<int>();
        long tpSum = 0;
        long predictedSum = 0;
        long supportSum = 0;
        for (int index = 0; index < count; index++)
        {
            int label = labels[index];
            long tp = truePositives[label];
            precision[index] = Divide(tp, predicted[label], zeroDivision);
            recall[index] = Divide(tp, support[label], zeroDivision);
            f1[index] = Divide(2 * tp, (2 * tp) + (predicted[label] - tp) + (support[label] - tp), zeroDivision);
            labelSupport[index] = support[label];
            if (predicted[label] == 0 || support[label] == 0)
            {
                illDefined.Add(label);
            }
            tpSum += tp;
            predictedSum += predicted[label];
            supportSum += support[label];
        }

        var micro = new ClassMetrics(
            Divide(tpSum, predictedSum, zeroDivision),
            Divide(tpSum, supportSum, zeroDivision),
            Divide(2 * tpSum, (2 * tpSum) + (predictedSum - tpSum) + (supportSum - tpSum), zeroDivision),
            supportSum);
        var macro = new ClassMetrics(Average(precision, null), Average(recall, null), Average(f1, null), supportSum);
        ClassMetrics weighted = supportSum == 0
            ? new ClassMetrics(zeroDivision, zeroDivision, zeroDivision, 0)
            : new ClassMetrics(Average(precision, labelSupport), Average(recall, labelSupport), Average(f1, labelSupport), supportSum);
        return new PrecisionRecallF1(labels, precision, recall, f1, labelSupport, micro, macro, weighted, illDefined);
    }

    private static double Divide(long numerator, long denominator, double zeroDivision) =>
        denominator == 0 ? zeroDivision : (double)numerator / denominator;

    // Mean of the non-NaN values, weighted by support when given; NaN when none is left.
    private static double Average(double[] values, long[]? weights)
    {
        double sum = 0;
        double weightSum = 0;
        for (int i = 0; i < values.Length; i++)
        {
            if (double.IsNaN(values[i]))
            {
                continue;
            }
            double weight = weights is null ? 1 : weights[i];
            sum += values[i] * weight;
            weightSum += weight;
        }
        return weightSum == 0 ? double.NaN : sum / weightSum;
    }
}
