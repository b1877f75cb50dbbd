using System.Globalization;
using System.Text.Json.Serialization;

namespace Negentropy.Models;

/// <summary>A key whose tensor has one shape in the model and another in the file.</summary>
public sealed record ShapeConflict(
    [property: JsonPropertyName("key")] string Key,
    [property: JsonPropertyName("model_shape")] IReadOnlyList<long> ModelShape,
    [property: JsonPropertyName("file_shape")] IReadOnlyList<long> FileShape)
{
    /// <summary>Formats the conflict as "fc.weight: model [10, 512], file [1000, 512]".</summary>
    public override string ToString() => $"{Key}: model {FormatShape(ModelShape)}, file {FormatShape(FileShape)}";

    /// <summary>Formats a shape as PyTorch prints it, such as "[10, 512]".</summary>
    public static string FormatShape(IReadOnlyList<long> shape) =>
        "[" + string.Join(", ", shape.Select(d => d.ToString(CultureInfo.InvariantCulture))) + "]";
}
