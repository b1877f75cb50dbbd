using System.Text.Json.Serialization;

namespace Negentropy.Models;

/// <summary>
/// Everything needed to rebuild a model: its architecture name, input shape, number of classes and
/// size settings. Stored in model.json so that a saved model can be loaded without its options.
/// </summary>
/// <param name="Architecture">"cnn" or "resnet".</param>
/// <param name="Width">Channels of the first stage; each later stage doubles them.</param>
/// <param name="Depth">For cnn, the number of conv blocks (2 or 3); for resnet, the layer count 6n+2 (8, 14, 20, …).</param>
/// <param name="Dropout">Dropout probability before the classifier.</param>
public sealed record ModelSpec(
    [property: JsonPropertyName("architecture")] string Architecture,
    [property: JsonPropertyName("input_channels")] int InputChannels,
    [property: JsonPropertyName("input_height")] int InputHeight,
    [property: JsonPropertyName("input_width")] int InputWidth,
    [property: JsonPropertyName("num_classes")] int NumClasses,
    [property: JsonPropertyName("width")] int Width,
    [property: JsonPropertyName("depth")] int Depth,
    [property: JsonPropertyName("dropout")] double Dropout);
