using System.Text.Json;
using System.Text.Json.Nodes;
using Negentropy.Reporting;

namespace Negentropy.Text;

/// <summary>
/// Reads and writes text encoder files: one JSON object with "format_version" 1 and a "kind". Read
/// errors are <see cref="UserInputException"/>s that name the file and the field.
/// </summary>
internal static class EncoderFile
{
    public const int FormatVersion = 1;

    /// <summary>Returns a JSON object that already has the format version and <paramref name="kind"/>.</summary>
    public static JsonObject Create(string kind) => new()
    {
        ["format_version"] = FormatVersion,
        ["kind"] = kind,
    };

    public static void Write(string path, JsonObject json) =>
        AtomicFile.WriteAllText(path, json.ToJsonString(JsonFormats.Indented) + "\n");

    public static JsonObject Read(string path)
    {
        if (!File.Exists(path))
        {
            throw new UserInputException($"{path}: text encoder file not found; pass the file that the encoder's Save wrote");
        }

        JsonNode? node;
        try
        {
            node = JsonNode.Parse(File.ReadAllText(path));
        }
        catch (JsonException exception)
        {
            throw new UserInputException($"{path}: invalid JSON at line {exception.LineNumber + 1}: {exception.Message}", exception);
        }
        if (node is not JsonObject json)
        {
            throw new UserInputException($"{path}: expected a JSON object describing a text encoder");
        }

        int version = GetInt(json, "format_version", path);
        if (version != FormatVersion)
        {
            throw new UserInputException($"{path}: text encoder format version {version} is not supported: this build reads version {FormatVersion}");
        }
        return json;
    }

    public static string GetString(JsonObject json, string name, string path) => Get<string>(json, name, path, "a string");

    public static int GetInt(JsonObject json, string name, string path) => Get<int>(json, name, path, "an integer");

    public static bool GetBool(JsonObject json, string name, string path) => Get<bool>(json, name, path, "true or false");

    public static JsonArray GetArray(JsonObject json, string name, string path) =>
        json[name] as JsonArray ?? throw new UserInputException($"{path}: field \"{name}\" is missing or is not an array");

    private static T Get<T>(JsonObject json, string name, string path, string expected)
    {
        if (json[name] is JsonValue value && value.TryGetValue(out T? result) && result is not null)
        {
            return result;
        }
        throw new UserInputException($"{path}: field \"{name}\" is missing or is not {expected}");
    }
}
