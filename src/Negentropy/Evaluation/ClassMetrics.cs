namespace Negentropy.Evaluation;

/// <summary>Precision, recall, F1 and support of one class or one average.</summary>
public sealed record ClassMetrics(double Precision, double Recall, double F1, long Support);
