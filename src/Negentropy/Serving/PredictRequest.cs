using System.Text.Json.Serialization;

namespace Negentropy.Serving;

/// <summary>The body of POST /v1/predict, as the OpenAPI document describes it.</summary>
public sealed record PredictRequest([property: JsonPropertyName("inputs")] IReadOnlyList<PredictInput> Inputs);

/// <summary>One input: exactly one of text, image or pixels.</summary>
/// <param name="Text">A document, for a text model.</param>
/// <param name="Image">A PNG or JPEG file in base64, for an image model; it is resized to the model's input size.</param>
/// <param name="Pixels">Integers 0–255 in the model's layout (channels, rows, columns, row-major), for an image model.</param>
public sealed record PredictInput(
    [property: JsonPropertyName("text")] string? Text,
    [property: JsonPropertyName("image")] string? Image,
    [property: JsonPropertyName("pixels")] IReadOnlyList<int>? Pixels);
