namespace Negentropy.Monitoring;

/// <summary>A rule that started firing: what it measured, over which window, and against what threshold.</summary>
/// <param name="TimestampUtc">When the rule fired.</param>
/// <param name="Rule">The rule's name from the alert configuration.</param>
/// <param name="Metric">The measured quantity, such as "class_psi" or "class_share_z".</param>
/// <param name="ClassName">The class the metric is about, or null for whole-distribution metrics.</param>
/// <param name="Value">The measured value.</param>
/// <param name="Threshold">The rule's threshold.</param>
/// <param name="Comparison">"above" or "below": how the value crossed the threshold.</param>
/// <param name="Window">"count" or "time".</param>
/// <param name="WindowCount">Predictions in the window when the rule fired.</param>
/// <param name="ModelVersion">The serving model's version.</param>
/// <param name="Message">One line for people: the rule, the value and the threshold.</param>
public sealed record Alert(
    DateTimeOffset TimestampUtc,
    string Rule,
    string Metric,
    string? ClassName,
    double Value,
    double Threshold,
    string Comparison,
    string Window,
    int WindowCount,
    string ModelVersion,
    string Message);
