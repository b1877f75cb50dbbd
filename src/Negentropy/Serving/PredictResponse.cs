using System.Text.Json.Serialization;

namespace Negentropy.Serving;

/// <summary>The response of POST /v1/predict: the model that made the predictions and one prediction per input, in order.</summary>
public sealed record PredictResponse(
    [property: JsonPropertyName("model")] ModelInfo Model,
    [property: JsonPropertyName("predictions")] IReadOnlyList<PredictionOutput> Predictions);

/// <summary>The serving model's name and version from its model.json.</summary>
public sealed record ModelInfo(
    [property: JsonPropertyName("name")] string Name,
    [property: JsonPropertyName("version")] string Version);

/// <summary>The prediction for one input.</summary>
/// <param name="Label">The most probable class.</param>
/// <param name="Probabilities">Class probabilities, most probable first; the top_k most probable when top_k is given.</param>
/// <param name="EntropyBits">Predictive entropy of the full distribution, in bits.</param>
/// <param name="NormalizedEntropy">The entropy divided by log₂ of the class count, in [0, 1].</param>
/// <param name="Abstain">True when the entropy is above the abstention threshold: hand this case to a person.</param>
public sealed record PredictionOutput(
    [property: JsonPropertyName("label")] string Label,
    [property: JsonPropertyName("probabilities")] IReadOnlyDictionary<string, double> Probabilities,
    [property: JsonPropertyName("entropy_bits")] double EntropyBits,
    [property: JsonPropertyName("normalized_entropy")] double NormalizedEntropy,
    [property: JsonPropertyName("abstain")] bool Abstain);
