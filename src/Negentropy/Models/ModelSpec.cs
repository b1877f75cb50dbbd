using System.Text.Json.Serialization;

namespace Negentropy.Models;

/// <summary>
/// Everything needed to rebuild a model: its architecture name, input shape, number of classes and
/// size settings. Stored in model.json so that a saved model can be loaded without its options.
/// </summary>
/// <param name="Architecture">"cnn", "resnet", "resnet18" or "resnet34" for images; "fasttext", "textcnn", "bilstm" or "transformer" for text.</param>
/// <param name="Width">Images: channels of the first stage, each later stage doubling them (64 is torchvision's resnet18 and resnet34). Text: the embedding size.</param>
/// <param name="Depth">cnn: conv blocks; resnet: layers 6n+2 (8, 14, 20, …); resnet18 and resnet34: 18 and 34, fixed; bilstm and transformer: layers; unused by fasttext and textcnn.</param>
/// <param name="Dropout">Dropout probability before the classifier.</param>
/// <param name="VocabularySize">Text: the number of token ids, padding id 0 included; 0 for images.</param>
/// <param name="MaxLength">Text: the most tokens read per sample; 0 for images.</param>
/// <param name="Pooling">transformer: "cls" or "mean"; null otherwise.</param>
/// <param name="Binary">Two classes with one logit for class 1 (sigmoid and binary cross-entropy) instead of two.</param>
/// <param name="InputAdapter">resnet18 and resnet34: the channel repeat and resize that run first in the model; null when the images need none, and for the other architectures.</param>
public sealed record ModelSpec(
    [property: JsonPropertyName("architecture")] string Architecture,
    [property: JsonPropertyName("input_channels")] int InputChannels,
    [property: JsonPropertyName("input_height")] int InputHeight,
    [property: JsonPropertyName("input_width")] int InputWidth,
    [property: JsonPropertyName("num_classes")] int NumClasses,
    [property: JsonPropertyName("width")] int Width,
    [property: JsonPropertyName("depth")] int Depth,
    [property: JsonPropertyName("dropout")] double Dropout,
    [property: JsonPropertyName("vocabulary_size")] int VocabularySize = 0,
    [property: JsonPropertyName("max_length")] int MaxLength = 0,
    [property: JsonPropertyName("pooling")] string? Pooling = null,
    [property: JsonPropertyName("binary")] bool Binary = false,
    [property: JsonPropertyName("input_adapter"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] InputAdapter? InputAdapter = null)
{
    /// <summary>Logits per sample: 1 for a binary model, else the class count.</summary>
    [JsonIgnore] public int Outputs => Binary ? 1 : NumClasses;

    /// <summary>True for the text architectures, whose input is token ids [batch, length].</summary>
    [JsonIgnore] public bool IsText => ModelFactory.TextArchitectures.Contains(Architecture);
}
