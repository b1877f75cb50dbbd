namespace Negentropy.Monitoring;

/// <summary>One answered input, as the prediction log stores it.</summary>
/// <param name="TimestampUtc">When the answer was computed.</param>
/// <param name="InputHash">Lower-case hex SHA-256 of the input: the UTF-8 text, the decoded image file bytes, or the pixel bytes.</param>
/// <param name="ClassIndex">The predicted class index.</param>
/// <param name="Label">The predicted class name.</param>
/// <param name="EntropyBits">Predictive entropy of the answer, in bits.</param>
/// <param name="Abstain">True when the entropy was above the abstention threshold.</param>
/// <param name="LatencyMs">Time from the request's arrival to its answer, in milliseconds.</param>
/// <param name="ModelName">The serving model's name from model.json.</param>
/// <param name="ModelVersion">The serving model's version from model.json.</param>
public sealed record PredictionRecord(
    DateTimeOffset TimestampUtc,
    string InputHash,
    int ClassIndex,
    string Label,
    double EntropyBits,
    bool Abstain,
    double LatencyMs,
    string ModelName,
    string ModelVersion);
