namespace Negentropy.Evaluation;

/// <summary>Proper scoring rules over probability matrices [rows, numClasses], row-major.</summary>
public static class ProbabilityMetrics
{
    /// <summary>Clipping bound of <see cref="LogLoss"/>: the float64 machine epsilon, 2⁻⁵², as scikit-learn's eps="auto".</summary>
    public const double LogLossEpsilon = 2.220446049250313e-16;

    /// <summary>
    /// Mean negative log-likelihood of the targets in nats. As in scikit-learn 1.2, probabilities are
    /// clipped to [ε, 1−ε] and each row is renormalized, so a confident wrong 0/1 prediction costs
    /// −ln ε ≈ 36.04 rather than infinity.
    /// </summary>
    public static double LogLoss(IReadOnlyList<int> targets, ReadOnlySpan<double> probs, int numClasses)
    {
        double sum = 0;
        for (int i = 0; i < targets.Count; i++)
        {
            ReadOnlySpan<double> row = probs.Slice(i * numClasses, numClasses);
            double rowSum = 0;
            foreach (double p in row)
            {
                rowSum += Math.Clamp(p, LogLossEpsilon, 1 - LogLossEpsilon);
            }
            double target = Math.Clamp(row[targets[i]], LogLossEpsilon, 1 - LogLossEpsilon) / rowSum;
            sum -= Math.Log(target);
        }
        return targets.Count == 0 ? double.NaN : sum / targets.Count;
    }

    /// <summary>
    /// Multiclass Brier score (Brier, 1950): mean over rows of Σₖ (pₖ − 1[y = k])², from 0 (perfect)
    /// to 2. For two classes it is twice <see cref="BrierBinary"/>.
    /// </summary>
    public static double BrierMulticlass(IReadOnlyList<int> targets, ReadOnlySpan<double> probs, int numClasses)
    {
        double sum = 0;
        for (int i = 0; i < targets.Count; i++)
        {
            ReadOnlySpan<double> row = probs.Slice(i * numClasses, numClasses);
            for (int k = 0; k < numClasses; k++)
            {
                double error = row[k] - (targets[i] == k ? 1 : 0);
                sum += error * error;
            }
        }
        return targets.Count == 0 ? double.NaN : sum / targets.Count;
    }

    /// <summary>Binary Brier score, scikit-learn's brier_score_loss: mean (p₁ − y)² with class 1 positive, from 0 to 1.</summary>
    public static double BrierBinary(IReadOnlyList<int> targets, ReadOnlySpan<double> probs)
    {
        double sum = 0;
        for (int i = 0; i < targets.Count; i++)
        {
            double error = probs[(i * 2) + 1] - targets[i];
            sum += error * error;
        }
        return targets.Count == 0 ? double.NaN : sum / targets.Count;
    }
}
