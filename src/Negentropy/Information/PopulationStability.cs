namespace Negentropy.Information;

/// <summary>
/// Population stability index: PSI = Σ (a − e)·ln(a / e) over the bins of an expected (reference)
/// distribution e and an actual one a, in nats. Below 0.1 is commonly read as stable, 0.1–0.25 as a
/// moderate shift and above 0.25 as a large one.
/// </summary>
public static class PopulationStability
{
    /// <summary>
    /// Floor applied to every proportion before the logarithm, so an empty bin gives a large but finite
    /// term; the proportions are not renormalized after flooring.
    /// </summary>
    public const double ProportionFloor = 1e-4;

    /// <summary>Returns the PSI of two proportion vectors over the same bins.</summary>
    public static double Index(ReadOnlySpan<double> expected, ReadOnlySpan<double> actual)
    {
        if (expected.Length != actual.Length || expected.IsEmpty)
        {
            throw new ArgumentException($"expected has {expected.Length} bins and actual has {actual.Length}; they must match and be non-empty", nameof(actual));
        }
        double psi = 0;
        for (int i = 0; i < expected.Length; i++)
        {
            if (!(expected[i] >= 0) || !(actual[i] >= 0) || double.IsInfinity(expected[i]) || double.IsInfinity(actual[i]))
            {
                throw new ArgumentException($"bin {i}: proportions must be finite and non-negative, got expected {expected[i]} and actual {actual[i]}", nameof(actual));
            }
            double e = Math.Max(expected[i], ProportionFloor);
            double a = Math.Max(actual[i], ProportionFloor);
            psi += (a - e) * Math.Log(a / e);
        }
        return psi;
    }
}
