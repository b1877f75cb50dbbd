using System.Globalization;
using System.Text.RegularExpressions;
using CsvHelper;

namespace Negentropy.Data;

/// <summary>
/// Reads a text-classification table from CSV, TSV or JSON Lines: a text made of one or more columns
/// and a label per row. Every error is a <see cref="UserInputException"/> that names the file, and the
/// line when one is at fault.
/// </summary>
/// <remarks>
/// CSV and TSV follow RFC 4180 with the separator ',' or a tab. The first record is the header. Quoted
/// fields may contain separators, line breaks and doubled quotes (""). Lines may end in LF or CRLF, and
/// blank lines are skipped. Every record must have as many fields as the header. JSON Lines has one JSON
/// object per line, and blank lines are skipped. The file is decoded by <see cref="TextFileDecoder"/>.
/// </remarks>
public static partial class TextTableReader
{
    /// <summary>File extensions and the format each one selects when <see cref="TextTableOptions.Format"/> is null.</summary>
    public static readonly IReadOnlyDictionary<string, string> FormatsByExtension = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase)
    {
        [".csv"] = "csv",
        [".tsv"] = "tsv",
        [".jsonl"] = "jsonl",
        [".ndjson"] = "jsonl",
    };

    private static readonly string[] FormatNames = ["csv", "tsv", "jsonl", "ndjson"];

    public static TextTable Read(string path, TextTableOptions options)
    {
        TextTableColumns.Validate(options);
        string format = ResolveFormat(path, options.Format);
        if (!File.Exists(path))
        {
            throw new UserInputException(Directory.Exists(path) ? $"{path}: is a folder; pass a CSV, TSV or JSONL file" : $"{path}: file not found");
        }

        ReadOnlyMemory<byte> utf8 = TextFileDecoder.Read(path, options.Encoding);
        return format switch
        {
            "csv" => ReadDelimited(utf8, ',', options, path),
            "tsv" => ReadDelimited(utf8, '\t', options, path),
            _ => JsonLinesTableReader.Read(utf8, options, path),
        };
    }

    private static string ResolveFormat(string path, string? format)
    {
        if (format is not null)
        {
            string name = format.Trim().ToLowerInvariant();
            return FormatNames.Contains(name)
                ? (name == "ndjson" ? "jsonl" : name)
                : throw new UserInputException($"format '{format}' is not supported; use one of {string.Join(", ", FormatNames)}");
        }

        string extension = Path.GetExtension(path);
        if (FormatsByExtension.TryGetValue(extension, out string? byExtension))
        {
            return byExtension;
        }
        string accepted = string.Join(", ", FormatsByExtension.Keys);
        return extension.Length == 0
            ? throw new UserInputException($"{path}: the file has no extension, so its format is unknown; rename it to end in one of {accepted}, or give the format")
            : throw new UserInputException($"{path}: extension '{extension}' is not a known table format; use one of {accepted}, or give the format");
    }

    private static TextTable ReadDelimited(ReadOnlyMemory<byte> utf8, char separator, TextTableOptions options, string source)
    {
        var csvOptions = new CsvReaderOptions
        {
            Separator = separator,
            HasHeader = false,
            Mode = CsvMode.Rfc4180,
            AllowLineBreaksInQuotes = true,
            SkipEmptyLines = true,
            TrackLineNumbers = true,
            MalformedData = CsvMalformedDataHandling.Throw,
            FormatProvider = CultureInfo.InvariantCulture,
        };
        try
        {
            using CsvReader reader = CsvReader.Create(utf8, csvOptions);
            return ReadDelimited(reader, separator, options, source);
        }
        catch (CsvFormatException exception)
        {
            string where = exception.LineNumber > 0 ? $"{source} line {exception.LineNumber}" : source;
            string fieldSeparator = separator == '\t' ? "tabs" : "commas";
            throw new UserInputException($"{where}: malformed {(separator == '\t' ? "TSV" : "CSV")}: {FormatErrorReason(exception.Message)}; quote fields that contain {fieldSeparator}, quotes or line breaks, and close every quote", exception);
        }
    }

    // CsvHelper 34 words these messages as "Malformed CSV in record R (line L): REASON (byte offset B)".
    // The record, line and offset are left out: the line is stated once by the caller, and the offset
    // counts bytes of the UTF-8 form without a byte-order mark, not of the file. Another form is kept whole.
    private static string FormatErrorReason(string message)
    {
        Match match = CsvErrorPattern().Match(message);
        return match.Success ? match.Groups["reason"].Value : message.TrimEnd('.');
    }

    [GeneratedRegex(@"^Malformed CSV in record \d+ \(line \d+\): (?<reason>.*?)(?: \(byte offset \d+\))?\.?$", RegexOptions.Singleline)]
    private static partial Regex CsvErrorPattern();

    private static TextTable ReadDelimited(CsvReader reader, char separator, TextTableOptions options, string source)
    {
        if (!reader.Read())
        {
            throw new UserInputException($"{source}: the file is empty; expected a header row naming the columns, then one row per sample");
        }
        string[] header = Fields(reader);
        string headerLocation = $"{source} line {reader.LineNumber}";
        int[] textIndices = options.TextColumns.Select(name => TextTableColumns.IndexInHeader(header, name, "text", headerLocation)).ToArray();
        int labelIndex = TextTableColumns.IndexInHeader(header, options.LabelColumn, "label", headerLocation);

        var builder = new TextTableBuilder();
        var parts = new string[textIndices.Length];
        while (reader.Read())
        {
            long line = reader.LineNumber;
            if (reader.FieldCount != header.Length)
            {
                string separatorName = separator == '\t' ? "tab" : "comma";
                throw new UserInputException($"{source} line {line}: {reader.FieldCount} fields, expected {header.Length} as in the header; quote fields that contain a {separatorName}, a quote or a line break");
            }
            for (int i = 0; i < textIndices.Length; i++)
            {
                parts[i] = reader.GetString(textIndices[i]);
            }
            builder.Add(parts, reader.GetString(labelIndex), line);
        }
        return builder.Build(source);
    }

    private static string[] Fields(CsvReader reader)
    {
        var fields = new string[reader.FieldCount];
        for (int i = 0; i < fields.Length; i++)
        {
            fields[i] = reader.GetString(i);
        }
        return fields;
    }
}
