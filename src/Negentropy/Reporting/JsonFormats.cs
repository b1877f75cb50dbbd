using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace Negentropy.Reporting;

/// <summary>Serializer settings shared by every JSON file Negentropy writes.</summary>
public static class JsonFormats
{
    /// <summary>One line per document (metrics.jsonl, checkpoint headers). Infinity and NaN are written as strings.</summary>
    public static JsonSerializerOptions Compact { get; } = Create(indented: false);

    /// <summary>Indented, for files people read (model.json, report.json).</summary>
    public static JsonSerializerOptions Indented { get; } = Create(indented: true);

    /// <summary>Returns the JSON type name of <paramref name="kind"/> for error messages: "object", "array", "string", "number", "boolean" or "null".</summary>
    public static string Describe(JsonValueKind kind) => kind switch
    {
        JsonValueKind.Object => "object",
        JsonValueKind.Array => "array",
        JsonValueKind.String => "string",
        JsonValueKind.Number => "number",
        JsonValueKind.True or JsonValueKind.False => "boolean",
        _ => "null",
    };

    private static JsonSerializerOptions Create(bool indented) => new()
    {
        WriteIndented = indented,
        NumberHandling = JsonNumberHandling.AllowNamedFloatingPointLiterals,
        Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
        DefaultIgnoreCondition = JsonIgnoreCondition.Never,
    };
}
