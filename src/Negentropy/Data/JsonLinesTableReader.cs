using System.Globalization;
using System.Text.Json;
using Negentropy.Reporting;

namespace Negentropy.Data;

/// <summary>
/// Reads the JSON Lines form of a text table: one JSON object per line, with a string, number or
/// boolean value (or null, read as empty) under each text key and the label key. Blank lines are skipped.
/// </summary>
internal static class JsonLinesTableReader
{
    public static TextTable Read(ReadOnlyMemory<byte> utf8, TextTableOptions options, string source)
    {
        var builder = new TextTableBuilder();
        var parts = new string[options.TextColumns.Count];
        long line = 0;
        int start = 0;
        ReadOnlySpan<byte> all = utf8.Span;
        while (start < all.Length)
        {
            int length = all[start..].IndexOf((byte)'\n');
            int next = length < 0 ? all.Length : start + length + 1;
            ReadOnlyMemory<byte> content = utf8[start..(length < 0 ? all.Length : start + length)];
            line++;
            start = next;

            if (content.Span.Trim(" \t\r"u8).IsEmpty)
            {
                continue;
            }
            ReadRow(content, options, parts, builder, $"{source} line {line}", line);
        }
        return builder.Build(source);
    }

    private static void ReadRow(ReadOnlyMemory<byte> content, TextTableOptions options, string[] parts, TextTableBuilder builder, string location, long line)
    {
        using JsonDocument document = Parse(content, location);
        JsonElement row = document.RootElement;
        if (row.ValueKind != JsonValueKind.Object)
        {
            throw new UserInputException($"{location}: invalid row, a JSON {JsonFormats.Describe(row.ValueKind)} instead of an object; write one JSON object per line, such as {{\"{options.TextColumns[0]}\": \"...\", \"{options.LabelColumn}\": \"...\"}}");
        }
        for (int i = 0; i < parts.Length; i++)
        {
            parts[i] = Value(row, options.TextColumns[i], "text", location);
        }
        builder.Add(parts, Value(row, options.LabelColumn, "label", location), line);
    }

    private static JsonDocument Parse(ReadOnlyMemory<byte> content, string location)
    {
        try
        {
            return JsonDocument.Parse(content);
        }
        catch (JsonException exception)
        {
            // The message of JsonException ends with its own position fields, which count from 0 within
            // this one line; the byte position is restated from 1.
            string message = exception.Message;
            int positionStart = message.IndexOf(" LineNumber:", StringComparison.Ordinal);
            string reason = (positionStart >= 0 ? message[..positionStart] : message).TrimEnd('.', ' ');
            long column = (exception.BytePositionInLine ?? 0) + 1;
            throw new UserInputException(string.Create(CultureInfo.InvariantCulture,
                $"{location}: invalid JSON at byte {column} of the line ({reason}); each line must be one JSON object"), exception);
        }
    }

    private static string Value(JsonElement row, string key, string role, string location)
    {
        if (!row.TryGetProperty(key, out JsonElement value))
        {
            string[] keys = row.EnumerateObject().Select(property => property.Name).ToArray();
            throw new UserInputException(TextTableColumns.MissingKey(keys, key, role, location));
        }
        return value.ValueKind switch
        {
            JsonValueKind.String => value.GetString()!,
            JsonValueKind.Number => FormatNumber(value),
            JsonValueKind.True => "true",
            JsonValueKind.False => "false",
            JsonValueKind.Null => "",
            _ => throw new UserInputException($"{location}: key '{key}' has a JSON {JsonFormats.Describe(value.ValueKind)}; expected a string, a number or a boolean"),
        };
    }

    // Integers print as written, and other finite numbers in their shortest round-trip form with the
    // invariant culture, so 1, 1.0 and 1e0 all give the label "1".
    private static string FormatNumber(JsonElement value)
    {
        if (value.TryGetInt64(out long integer))
        {
            return integer.ToString(CultureInfo.InvariantCulture);
        }
        if (value.TryGetDouble(out double real) && double.IsFinite(real))
        {
            return real.ToString("R", CultureInfo.InvariantCulture);
        }
        return value.GetRawText();
    }

}
