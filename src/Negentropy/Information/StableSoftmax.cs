namespace Negentropy.Information;

/// <summary>
/// Log-softmax and cross-entropy from logits in float64, with the maximum subtracted before
/// exponentiating so that large logits neither overflow nor lose the small ones.
/// </summary>
public static class StableSoftmax
{
    /// <summary>log Σ exp(x) computed as max + log Σ exp(x − max).</summary>
    public static double LogSumExp(ReadOnlySpan<double> logits)
    {
        (double max, double logSum) = ShiftedLogSumExp(logits);
        return max + logSum;
    }

    /// <summary>Writes log softmax(<paramref name="logits"/>) into <paramref name="destination"/>.</summary>
    public static void LogSoftmax(ReadOnlySpan<double> logits, Span<double> destination)
    {
        (double max, double logSum) = ShiftedLogSumExp(logits);
        for (int i = 0; i < logits.Length; i++)
        {
            // (x − max) − log Σ exp(x − max) never forms max + log Σ, which loses digits when max is large.
            destination[i] = (logits[i] - max) - logSum;
        }
    }

    /// <summary>Cross-entropy −log softmax(logits)[target] in nats: logits [1000, 0] with target 1 give 1000, [1e8, 1e8] give ln 2.</summary>
    public static double CrossEntropy(ReadOnlySpan<double> logits, int target)
    {
        if ((uint)target >= (uint)logits.Length)
        {
            throw new ArgumentOutOfRangeException(nameof(target), target, $"must index one of the {logits.Length} logits");
        }
        (double max, double logSum) = ShiftedLogSumExp(logits);
        return logSum - (logits[target] - max);
    }

    // Returns the maximum and log Σ exp(x − max).
    private static (double Max, double LogSum) ShiftedLogSumExp(ReadOnlySpan<double> logits)
    {
        if (logits.IsEmpty)
        {
            throw new ArgumentException("logits is empty", nameof(logits));
        }
        double max = double.NegativeInfinity;
        foreach (double value in logits)
        {
            max = Math.Max(max, value);
        }
        if (double.IsNegativeInfinity(max))
        {
            return (max, 0);
        }
        double sum = 0;
        foreach (double value in logits)
        {
            sum += Math.Exp(value - max);
        }
        return (max, Math.Log(sum));
    }
}
