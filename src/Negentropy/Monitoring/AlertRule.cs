namespace Negentropy.Monitoring;

/// <summary>Which side of the threshold makes an alert rule fire.</summary>
public enum AlertComparison
{
    Above,
    Below,
}

/// <summary>One alert rule: a metric of one window compared with a threshold.</summary>
/// <param name="Name">Unique name, reported in every alert.</param>
/// <param name="Metric">One of <see cref="DriftScores.MetricNames"/>.</param>
/// <param name="ClassName">The class of a per-class metric (class_share, class_share_z); null for the others.</param>
/// <param name="Threshold">The rule fires when the metric is strictly above or strictly below it.</param>
/// <param name="Window">"count" or "time": the window whose scores the rule reads.</param>
public sealed record AlertRule(string Name, string Metric, string? ClassName, double Threshold, AlertComparison Comparison, string Window)
{
    /// <summary>Returns "above" or "below", as the configuration file and alerts spell it.</summary>
    public string ComparisonName => Comparison == AlertComparison.Above ? "above" : "below";

    /// <summary>Returns true when the value crosses the threshold; NaN never does.</summary>
    public bool IsViolatedBy(double value) => Comparison == AlertComparison.Above ? value > Threshold : value < Threshold;
}
