namespace Negentropy.Monitoring;

/// <summary>The scores of both windows at one evaluation, and the alerts that fired at it.</summary>
/// <param name="EvaluatedAt">The moment the windows were read.</param>
/// <param name="Count">Scores of the count window, or null when it is empty.</param>
/// <param name="Time">Scores of the time window, or null when it is empty.</param>
/// <param name="Fired">Alerts that fired at this evaluation, in rule order; empty when none did.</param>
public sealed record DriftEvaluation(DateTimeOffset EvaluatedAt, DriftScores? Count, DriftScores? Time, IReadOnlyList<Alert> Fired);
