namespace Negentropy.Information;

/// <summary>
/// Entropy, cross-entropy and divergences of discrete distributions, with SciPy's conventions
/// (scipy.stats.entropy, scipy.spatial.distance.jensenshannon): a zero probability contributes 0,
/// and KL(p‖q) is +∞ where q is 0 and p is not.
/// </summary>
public static class Distributions
{
    /// <summary>Absolute tolerance on the sum of a distribution when <c>normalize</c> is false.</summary>
    public const double SumTolerance = 1e-6;

    /// <summary>Returns the index of the largest value, the first one on ties: the predicted class of a probability row.</summary>
    public static int ArgMax(ReadOnlySpan<double> p)
    {
        int best = 0;
        for (int k = 1; k < p.Length; k++)
        {
            if (p[k] > p[best])
            {
                best = k;
            }
        }
        return best;
    }

    /// <summary>Shannon entropy H(p) = −Σ p·log p.</summary>
    /// <param name="normalize">Divide by the sum first, as SciPy does; otherwise the sum must be 1 within <see cref="SumTolerance"/>.</param>
    public static double Entropy(ReadOnlySpan<double> p, LogBase unit = LogBase.Bits, bool normalize = false)
    {
        double total = Validate(p, nameof(p), normalize);
        double nats = 0;
        foreach (double value in p)
        {
            double probability = value / total;
            if (probability > 0)
            {
                nats -= probability * Math.Log(probability);
            }
        }
        return nats * unit.FromNats();
    }

    /// <summary>Cross-entropy H(p, q) = −Σ p·log q = H(p) + KL(p‖q); +∞ where q is 0 and p is not.</summary>
    public static double CrossEntropy(ReadOnlySpan<double> p, ReadOnlySpan<double> q, LogBase unit = LogBase.Bits, bool normalize = false) =>
        Entropy(p, unit, normalize) + KlDivergence(p, q, unit, normalize);

    /// <summary>Kullback–Leibler divergence KL(p‖q) = Σ p·log(p/q); +∞ where q is 0 and p is not.</summary>
    public static double KlDivergence(ReadOnlySpan<double> p, ReadOnlySpan<double> q, LogBase unit = LogBase.Bits, bool normalize = false)
    {
        (double totalP, double totalQ) = ValidatePair(p, q, normalize);
        double nats = 0;
        for (int i = 0; i < p.Length; i++)
        {
            double pi = p[i] / totalP;
            double qi = q[i] / totalQ;
            if (pi == 0)
            {
                continue;
            }
            if (qi == 0)
            {
                return double.PositiveInfinity;
            }
            nats += pi * Math.Log(pi / qi);
        }
        return nats * unit.FromNats();
    }

    /// <summary>Jensen–Shannon divergence: the mean KL of p and q from their average m; at most 1 bit.</summary>
    public static double JensenShannonDivergence(ReadOnlySpan<double> p, ReadOnlySpan<double> q, LogBase unit = LogBase.Bits, bool normalize = false)
    {
        (double totalP, double totalQ) = ValidatePair(p, q, normalize);
        double nats = 0;
        for (int i = 0; i < p.Length; i++)
        {
            double pi = p[i] / totalP;
            double qi = q[i] / totalQ;
            double mi = 0.5 * (pi + qi);
            if (pi > 0)
            {
                nats += 0.5 * pi * Math.Log(pi / mi);
            }
            if (qi > 0)
            {
                nats += 0.5 * qi * Math.Log(qi / mi);
            }
        }
        return Math.Max(0, nats) * unit.FromNats();
    }

    /// <summary>Jensen–Shannon distance, the square root of the divergence (scipy.spatial.distance.jensenshannon).</summary>
    public static double JensenShannonDistance(ReadOnlySpan<double> p, ReadOnlySpan<double> q, LogBase unit = LogBase.Bits, bool normalize = false) =>
        Math.Sqrt(JensenShannonDivergence(p, q, unit, normalize));

    // Returns the divisor that makes the values a distribution: their sum when normalizing, else 1.
    private static double Validate(ReadOnlySpan<double> values, string name, bool normalize)
    {
        if (values.IsEmpty)
        {
            throw new ArgumentException($"{name} is empty; a distribution needs at least one probability", name);
        }
        double sum = 0;
        for (int i = 0; i < values.Length; i++)
        {
            double value = values[i];
            if (!double.IsFinite(value) || value < 0)
            {
                throw new ArgumentException($"{name}[{i}] is {value}; probabilities must be finite and non-negative", name);
            }
            sum += value;
        }
        if (normalize)
        {
            if (sum <= 0)
            {
                throw new ArgumentException($"{name} sums to {sum}; normalizing needs a positive sum", name);
            }
            return sum;
        }
        if (Math.Abs(sum - 1) > SumTolerance)
        {
            throw new ArgumentException($"{name} sums to {sum}, not 1 within {SumTolerance}; pass normalize: true to rescale it", name);
        }
        return 1;
    }

    // Returns the divisors of p and q after checking both and their lengths.
    private static (double TotalP, double TotalQ) ValidatePair(ReadOnlySpan<double> p, ReadOnlySpan<double> q, bool normalize)
    {
        if (p.Length != q.Length)
        {
            throw new ArgumentException($"p has {p.Length} entries but q has {q.Length}; they must be the same length", nameof(q));
        }
        return (Validate(p, nameof(p), normalize), Validate(q, nameof(q), normalize));
    }
}
