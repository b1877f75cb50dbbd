namespace Negentropy.Monitoring;

/// <summary>The statistic and two-sided p-value of a two-sample Kolmogorov–Smirnov test.</summary>
/// <param name="Statistic">D, the largest absolute difference between the two empirical distribution functions.</param>
/// <param name="PValue">Two-sided p-value from the Kolmogorov limiting distribution; see <see cref="KolmogorovSmirnov.TwoSample"/>.</param>
public readonly record struct KolmogorovSmirnovResult(double Statistic, double PValue);

/// <summary>Two-sample Kolmogorov–Smirnov test, for comparing live entropies with a reference sample.</summary>
public static class KolmogorovSmirnov
{
    /// <summary>Largest sample size for which scipy.stats.ks_2samp's default method returns D as an exact fraction.</summary>
    public const int ScipyExactMaxSize = 10_000;

    /// <summary>Tests whether two samples come from the same continuous distribution.</summary>
    /// <remarks>
    /// D = sup_x |F_a(x) − F_b(x)| over the empirical distribution functions, evaluated after all tied values.
    /// It equals the statistic of scipy.stats.ks_2samp with its default method (SciPy 1.10) bit for bit. When
    /// neither sample is larger than <see cref="ScipyExactMaxSize"/>, SciPy returns the exact fraction h / lcm(m, n),
    /// rounded once. Above that it returns the difference of the two rounded quotients i/m − j/n, which can
    /// differ from the fraction in the last bit, and this method does the same.
    /// The p-value is Q_KS(√(m·n/(m+n))·D), the survival function of the Kolmogorov limiting distribution
    /// (scipy.stats.kstwobign.sf), with m and n the sample sizes. It is exact only in the limit of large
    /// samples and an approximation for small ones. It differs from ks_2samp(method="asymp"), which in
    /// SciPy 1.10 uses the finite-n distribution at round(m·n/(m+n)) instead. Ties make the test conservative.
    /// </remarks>
    /// <exception cref="ArgumentException">A sample is empty or contains NaN.</exception>
    public static KolmogorovSmirnovResult TwoSample(ReadOnlySpan<double> a, ReadOnlySpan<double> b)
    {
        double[] sortedA = SortedCopy(a, nameof(a));
        double[] sortedB = SortedCopy(b, nameof(b));
        double statistic = Statistic(sortedA, sortedB);
        double effectiveSize = (double)sortedA.Length * sortedB.Length / ((double)sortedA.Length + sortedB.Length);
        return new KolmogorovSmirnovResult(statistic, KolmogorovSurvival(Math.Sqrt(effectiveSize) * statistic));
    }

    /// <summary>Returns Q_KS(x) = P(K &gt; x) = 2 Σ_{k≥1} (−1)^(k−1) exp(−2k²x²) for the Kolmogorov distribution K.</summary>
    /// <remarks>
    /// For x below 1 the alternating series converges slowly, so this uses the equivalent Jacobi theta form
    /// P(K ≤ x) = (√(2π)/x) Σ_{k≥1} exp(−(2k−1)²π²/(8x²)) there; at x ≤ 1 the survival is above 0.27, so
    /// the subtraction from 1 loses no relative precision that matters.
    /// </remarks>
    public static double KolmogorovSurvival(double x)
    {
        if (double.IsNaN(x))
        {
            throw new ArgumentException("x is NaN", nameof(x));
        }
        if (x <= 0)
        {
            return 1;
        }
        if (x < 1)
        {
            double cdf = 0;
            double scale = -Math.PI * Math.PI / (8 * x * x);
            for (int k = 1; k <= 100; k++)
            {
                double odd = 2 * k - 1;
                double term = Math.Exp(odd * odd * scale);
                cdf += term;
                if (term < 1e-17 * cdf)
                {
                    break;
                }
            }
            return Math.Clamp(1 - Math.Sqrt(2 * Math.PI) / x * cdf, 0, 1);
        }
        double survival = 0;
        double sign = 1;
        for (int k = 1; k <= 100; k++)
        {
            double term = Math.Exp(-2.0 * k * k * x * x);
            survival += sign * term;
            if (term < 1e-17 * survival || term == 0)
            {
                break;
            }
            sign = -sign;
        }
        return Math.Clamp(2 * survival, 0, 1);
    }

    // Walks both sorted samples past each distinct value, then compares F_a = i/m and F_b = j/n there.
    private static double Statistic(double[] a, double[] b)
    {
        long gcd = (long)System.Numerics.BigInteger.GreatestCommonDivisor(a.Length, b.Length);
        long aReduced = a.Length / gcd;
        long bReduced = b.Length / gcd;
        int i = 0;
        int j = 0;
        long maxNumerator = 0;
        double maxDifference = 0;
        while (i < a.Length || j < b.Length)
        {
            double value = j >= b.Length || (i < a.Length && a[i] <= b[j]) ? a[i] : b[j];
            while (i < a.Length && a[i] <= value)
            {
                i++;
            }
            while (j < b.Length && b[j] <= value)
            {
                j++;
            }
            // i/m − j/n = (i·n/g − j·m/g) / lcm(m, n), with g = gcd(m, n).
            maxNumerator = Math.Max(maxNumerator, Math.Abs(i * bReduced - j * aReduced));
            maxDifference = Math.Max(maxDifference, Math.Abs((double)i / a.Length - (double)j / b.Length));
        }
        if (Math.Max(a.Length, b.Length) <= ScipyExactMaxSize)
        {
            long lcm = aReduced * b.Length;
            return (double)maxNumerator / lcm;
        }
        return maxDifference;
    }

    private static double[] SortedCopy(ReadOnlySpan<double> sample, string name)
    {
        if (sample.IsEmpty)
        {
            throw new ArgumentException($"{name} is empty; the Kolmogorov–Smirnov test needs at least one value in each sample", name);
        }
        double[] sorted = sample.ToArray();
        for (int i = 0; i < sorted.Length; i++)
        {
            if (double.IsNaN(sorted[i]))
            {
                throw new ArgumentException($"{name}[{i}] is NaN; the Kolmogorov–Smirnov test needs ordered values", name);
            }
        }
        Array.Sort(sorted);
        return sorted;
    }
}
