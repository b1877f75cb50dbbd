namespace Negentropy.Serving;

/// <summary>The model's output for one input: class probabilities and their entropy.</summary>
/// <param name="Probs">Probabilities in class order, summing to 1.</param>
/// <param name="ClassIndex">The most probable class (the first on ties).</param>
/// <param name="EntropyBits">Predictive entropy −Σ p·log₂ p.</param>
public sealed record RawPrediction(double[] Probs, int ClassIndex, double EntropyBits);
