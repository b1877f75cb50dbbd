namespace Negentropy.Monitoring;

/// <summary>One predicted input, as the prediction log stores it.</summary>
/// <param name="TimestampUtc">When the prediction was computed.</param>
/// <param name="InputHash">Lower-case hex SHA-256 of the input: the UTF-8 text, the decoded image file bytes, or the pixel bytes.</param>
/// <param name="ClassIndex">The predicted class index.</param>
/// <param name="Label">The predicted class name.</param>
/// <param name="EntropyBits">Predictive entropy of the prediction, in bits.</param>
/// <param name="Abstain">True when the entropy was above the abstention threshold.</param>
/// <param name="LatencyMs">Time from the start of the request's handling to its prediction, in milliseconds.</param>
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
