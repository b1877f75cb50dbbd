using Negentropy.Information;

namespace Negentropy.Monitoring;

/// <summary>How far the predictions of one window have drifted from the monitoring reference.</summary>
/// <remarks>
/// Metric names (<see cref="MetricNames"/>) are the ones alert rules and gauges use. PSI is in nats with
/// proportions floored at <see cref="PopulationStability.ProportionFloor"/>, and the Jensen–Shannon
/// divergence is in bits, at most 1.
/// </remarks>
public sealed record DriftScores
{
    public const string ClassPsiMetric = "class_psi";
    public const string ClassJsMetric = "class_js";
    public const string EntropyPsiMetric = "entropy_psi";
    public const string EntropyKsMetric = "entropy_ks";
    public const string EntropyKsPMetric = "entropy_ks_p";
    public const string MeanEntropyMetric = "mean_entropy";
    public const string AbstentionRateMetric = "abstention_rate";
    public const string ClassShareMetric = "class_share";
    public const string ClassShareZMetric = "class_share_z";

    /// <summary>Every metric an alert rule can name.</summary>
    public static IReadOnlyList<string> MetricNames { get; } =
    [
        ClassPsiMetric, ClassJsMetric, EntropyPsiMetric, EntropyKsMetric, EntropyKsPMetric,
        MeanEntropyMetric, AbstentionRateMetric, ClassShareMetric, ClassShareZMetric,
    ];

    /// <summary>"count" or "time".</summary>
    public required string Window { get; init; }

    public required int PredictionCount { get; init; }

    /// <summary>PSI of the predicted-class shares against the reference's.</summary>
    public required double ClassPsi { get; init; }

    /// <summary>Jensen–Shannon divergence of the predicted-class shares from the reference's, in bits.</summary>
    public required double ClassJs { get; init; }

    /// <summary>PSI of the window's entropies over the reference's entropy bins.</summary>
    public required double EntropyPsi { get; init; }

    /// <summary>Two-sample Kolmogorov–Smirnov D of the window's entropies against the reference's entropy sample.</summary>
    public required double EntropyKs { get; init; }

    /// <summary>
    /// Two-sided p-value of <see cref="EntropyKs"/>, from <see cref="KolmogorovSmirnov.TwoSample"/>. A window larger than
    /// <see cref="PredictionWindow.MaxEntropySample"/> is tested on its sample, so the p-value is that of the sample size.
    /// </summary>
    public required double EntropyKsP { get; init; }

    public required double MeanEntropyBits { get; init; }

    public required double AbstentionRate { get; init; }

    /// <summary>Share of the window's predictions of each class, in class order.</summary>
    public required IReadOnlyList<double> ClassShares { get; init; }

    /// <summary>
    /// (share − p) / √(p(1 − p)/n) per class, with p the reference share and n the window's prediction count:
    /// how many binomial standard errors the share has moved. p is clamped to [f, 1 − f] with
    /// f = <see cref="ShareFloor"/>(reference), so a class the reference never (or always) predicted gives a
    /// large but finite score.
    /// </summary>
    public required IReadOnlyList<double> ClassShareZ { get; init; }

    /// <summary>
    /// Returns the floor on reference shares in <see cref="ClassShareZ"/>: half of one validation prediction,
    /// 0.5 / reference.Count, below which the reference cannot resolve a share.
    /// </summary>
    public static double ShareFloor(MonitoringReference reference) => 0.5 / Math.Max(1, reference.Count);

    /// <summary>Scores a non-empty window against the reference.</summary>
    /// <exception cref="ArgumentException">The window is empty or its class count differs from the reference's.</exception>
    public static DriftScores Compute(MonitoringReference reference, WindowSnapshot window)
    {
        int numClasses = reference.ClassNames.Count;
        if (window.PredictionCount == 0)
        {
            throw new ArgumentException("the window is empty; drift scores need at least one prediction", nameof(window));
        }
        if (window.ClassCounts.Count != numClasses)
        {
            throw new ArgumentException($"the window has {window.ClassCounts.Count} classes but the reference has {numClasses}", nameof(window));
        }
        double n = window.PredictionCount;

        double[] referenceShares = reference.ClassShares.ToArray();
        double[] shares = window.ClassCounts.Select(c => c / n).ToArray();
        double floor = ShareFloor(reference);
        var shareZ = new double[numClasses];
        for (int k = 0; k < numClasses; k++)
        {
            double p = Math.Clamp(referenceShares[k], floor, 1 - floor);
            shareZ[k] = (shares[k] - p) / Math.Sqrt(p * (1 - p) / n);
        }

        double[] entropies = window.EntropiesBits.ToArray();
        var binShares = new double[reference.EntropyBinShares.Count];
        foreach (double entropy in entropies)
        {
            binShares[reference.EntropyBin(entropy)] += 1;
        }
        for (int bin = 0; bin < binShares.Length; bin++)
        {
            binShares[bin] /= n;
        }
        KolmogorovSmirnovResult ks = KolmogorovSmirnov.TwoSample(entropies, reference.EntropySample.ToArray());

        return new DriftScores
        {
            Window = window.Window,
            PredictionCount = window.PredictionCount,
            ClassPsi = PopulationStability.Index(referenceShares, shares),
            ClassJs = Distributions.JensenShannonDivergence(referenceShares, shares, LogBase.Bits, normalize: true),
            EntropyPsi = PopulationStability.Index(reference.EntropyBinShares.ToArray(), binShares),
            EntropyKs = ks.Statistic,
            EntropyKsP = ks.PValue,
            MeanEntropyBits = entropies.Average(),
            AbstentionRate = window.Abstentions / n,
            ClassShares = shares,
            ClassShareZ = shareZ,
        };
    }

    /// <summary>Returns the value of a metric named in <see cref="MetricNames"/>.</summary>
    /// <param name="classIndex">The class, for class_share and class_share_z; ignored by the other metrics.</param>
    /// <exception cref="ArgumentException">The metric is unknown, or it needs a class and none was given.</exception>
    public double Metric(string metric, int? classIndex = null) => metric switch
    {
        ClassPsiMetric => ClassPsi,
        ClassJsMetric => ClassJs,
        EntropyPsiMetric => EntropyPsi,
        EntropyKsMetric => EntropyKs,
        EntropyKsPMetric => EntropyKsP,
        MeanEntropyMetric => MeanEntropyBits,
        AbstentionRateMetric => AbstentionRate,
        ClassShareMetric => ClassShares[RequireClass(metric, classIndex)],
        ClassShareZMetric => ClassShareZ[RequireClass(metric, classIndex)],
        _ => throw new ArgumentException($"unknown metric '{metric}'; expected one of {string.Join(", ", MetricNames)}", nameof(metric)),
    };

    /// <summary>Returns true for metrics that are about one class and so need a class name in a rule.</summary>
    public static bool IsPerClass(string metric) => metric is ClassShareMetric or ClassShareZMetric;

    private static int RequireClass(string metric, int? classIndex) =>
        classIndex ?? throw new ArgumentException($"metric '{metric}' is per class; pass a class index", nameof(classIndex));
}
