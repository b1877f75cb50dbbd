namespace Negentropy.Evaluation;

/// <summary>
/// Metrics over label arrays and confusion matrices, computed as scikit-learn 1.2 computes them:
/// accuracy, balanced accuracy, top-k accuracy, Matthews correlation and Cohen's kappa.
/// </summary>
public static class LabelMetrics
{
    /// <summary>Share of samples whose prediction equals the target.</summary>
    public static double Accuracy(IReadOnlyList<int> targets, IReadOnlyList<int> preds)
    {
        RequireSameLength(targets.Count, preds.Count);
        int correct = 0;
        for (int i = 0; i < targets.Count; i++)
        {
            correct += targets[i] == preds[i] ? 1 : 0;
        }
        return targets.Count == 0 ? double.NaN : (double)correct / targets.Count;
    }

    /// <summary>
    /// Mean recall over the classes that occur in the targets. Classes that are only predicted are left
    /// out, as scikit-learn's balanced_accuracy_score does (it warns about them).
    /// </summary>
    public static double BalancedAccuracy(ConfusionMatrix matrix)
    {
        double sum = 0;
        int present = 0;
        for (int k = 0; k < matrix.NumClasses; k++)
        {
            long support = matrix.Support(k);
            if (support > 0)
            {
                sum += (double)matrix[k, k] / support;
                present++;
            }
        }
        return present == 0 ? double.NaN : sum / present;
    }

    /// <summary>
    /// Share of samples whose target is among the <paramref name="k"/> highest scores of its row.
    /// Among equal scores the higher class index ranks first, as in scikit-learn's top_k_accuracy_score
    /// (a stable ascending sort, reversed).
    /// </summary>
    /// <param name="probs">Scores [rows, numClasses], row-major.</param>
    public static double TopKAccuracy(IReadOnlyList<int> targets, ReadOnlySpan<double> probs, int numClasses, int k)
    {
        if (k < 1)
        {
            throw new ArgumentOutOfRangeException(nameof(k), k, "must be at least 1");
        }
        RequireSameLength(targets.Count, probs.Length / numClasses);
        int hits = 0;
        for (int i = 0; i < targets.Count; i++)
        {
            ReadOnlySpan<double> row = probs.Slice(i * numClasses, numClasses);
            int target = targets[i];
            double score = row[target];
            int rank = 0;
            for (int j = 0; j < numClasses; j++)
            {
                if (row[j] > score || (row[j] == score && j > target))
                {
                    rank++;
                }
            }
            hits += rank < k ? 1 : 0;
        }
        return targets.Count == 0 ? double.NaN : (double)hits / targets.Count;
    }

    /// <summary>Matthews correlation coefficient, multiclass (Gorodkin's R_K); 0 when either marginal is constant.</summary>
    public static double MatthewsCorrelation(ConfusionMatrix matrix)
    {
        double samples = matrix.Total;
        double correct = matrix.Correct;
        double targetsDotPreds = 0;
        double predsDotPreds = 0;
        double targetsDotTargets = 0;
        for (int k = 0; k < matrix.NumClasses; k++)
        {
            double support = matrix.Support(k);
            double predicted = matrix.PredictedCount(k);
            targetsDotPreds += support * predicted;
            predsDotPreds += predicted * predicted;
            targetsDotTargets += support * support;
        }
        double covariance = (correct * samples) - targetsDotPreds;
        double predVariance = (samples * samples) - predsDotPreds;
        double targetVariance = (samples * samples) - targetsDotTargets;
        if (predVariance * targetVariance == 0)
        {
            return 0;
        }
        return covariance / Math.Sqrt(targetVariance * predVariance);
    }

    /// <summary>Cohen's kappa (unweighted): 1 − observed disagreement / disagreement expected by chance; NaN when chance disagreement is 0.</summary>
    public static double CohenKappa(ConfusionMatrix matrix)
    {
        double total = matrix.Total;
        double observed = 0;
        double expected = 0;
        for (int i = 0; i < matrix.NumClasses; i++)
        {
            for (int j = 0; j < matrix.NumClasses; j++)
            {
                if (i == j)
                {
                    continue;
                }
                observed += matrix[i, j];
                expected += (double)matrix.PredictedCount(i) * matrix.Support(j) / total;
            }
        }
        return expected == 0 ? double.NaN : 1 - (observed / expected);
    }

    private static void RequireSameLength(int targets, int preds)
    {
        if (targets != preds)
        {
            throw new ArgumentException($"targets has {targets} entries but the predictions have {preds}; they must be the same length");
        }
    }
}
