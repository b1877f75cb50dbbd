using System.Globalization;
using CsvHelper;

namespace Negentropy.Reporting;

/// <summary>
/// Reads the predictions format that <see cref="PredictionsCsv"/> writes: a header
/// <c>label,&lt;class 1&gt;,…</c>, then per row the true class name and one probability per class.
/// Every error names the file and the line (and the column, for a value). An optional first column
/// <c>index</c> contains each row's 0-based position in the data it was predicted for.
/// </summary>
public static class PredictionsCsvReader
{
    /// <summary>Absolute tolerance on a row's probability sum.</summary>
    public const double RowSumTolerance = 1e-6;

    /// <summary>The rows of a predictions file: targets and probabilities [rows, classes] row-major.</summary>
    /// <param name="Indices">The <c>index</c> column, or null when the file has none.</param>
    public sealed record Table(IReadOnlyList<string> ClassNames, int[] Targets, double[] Probabilities, int[]? Indices = null)
    {
        public int Count => Targets.Length;
    }

    /// <param name="renormalize">Divide each row by its sum instead of rejecting a row whose sum is not 1.</param>
    public static Table Read(string path, bool renormalize = false)
    {
        if (!File.Exists(path))
        {
            throw new UserInputException(Directory.Exists(path) ? $"{path}: is a folder; pass a predictions CSV file" : $"{path}: file not found");
        }
        using FileStream stream = File.OpenRead(path);
        return Read(stream, path, renormalize);
    }

    /// <summary>Reads CSV bytes (UTF-8, or UTF-16 with a byte-order mark) from <paramref name="stream"/>; <paramref name="source"/> names it in errors.</summary>
    public static Table Read(Stream stream, string source, bool renormalize = false)
    {
        CsvReaderOptions options = StrictCsvOptions();
        try
        {
            using CsvReader reader = CsvReader.Create(stream, options, leaveOpen: true);
            return Read(reader, source, renormalize);
        }
        catch (CsvFormatException exception)
        {
            throw new UserInputException($"{source}: {exception.Message.TrimEnd('.')}; quote fields that contain commas, quotes or line breaks, and close every quote", exception);
        }
    }

    private static Table Read(CsvReader reader, string source, bool renormalize)
    {
        if (!reader.Read())
        {
            throw new UserInputException($"{source}: empty file; expected a header 'label,<class 1>,…' and one row per sample");
        }
        string[] header = Fields(reader);
        int first = header[0] == "index" ? 1 : 0;
        if (header.Length < first + 3 || header[first] != "label")
        {
            throw new UserInputException(header.Length > first && header[first] != "label"
                ? first == 0
                    ? $"{source} line 1: the first column is '{Shorten(header[0])}', expected 'label' (or 'index', then 'label') followed by one column per class"
                    : $"{source} line 1: the column after 'index' is '{Shorten(header[1])}', expected 'label' followed by one column per class"
                : $"{source} line 1: {header.Length - first - 1} class columns; at least 2 are needed");
        }
        string[] classNames = header[(first + 1)..];
        var classIndex = new Dictionary<string, int>(StringComparer.Ordinal);
        for (int k = 0; k < classNames.Length; k++)
        {
            if (classNames[k].Trim().Length == 0)
            {
                throw new UserInputException($"{source} line 1: column {k + first + 2} has an empty class name");
            }
            if (!classIndex.TryAdd(classNames[k], k))
            {
                throw new UserInputException($"{source} line 1: class '{classNames[k]}' appears twice in the header");
            }
        }

        var targets = new List<int>();
        var indices = new List<int>();
        var seen = new HashSet<int>();
        var probabilities = new List<double>();
        var row = new double[classNames.Length];
        while (reader.Read())
        {
            string[] fields = Fields(reader);
            long line = reader.LineNumber;
            if (fields.Length != header.Length)
            {
                throw new UserInputException($"{source} line {line}: {fields.Length} fields, expected {header.Length} ({(first == 1 ? "index, " : "")}label and {classNames.Length} classes)");
            }
            if (first == 1)
            {
                if (!int.TryParse(fields[0], NumberStyles.None, CultureInfo.InvariantCulture, out int index))
                {
                    throw new UserInputException($"{source} line {line}: index '{Shorten(fields[0])}' is invalid; expected a 0-based row number");
                }
                if (!seen.Add(index))
                {
                    throw new UserInputException($"{source} line {line}: index {index} appears twice; each sample needs exactly one row");
                }
                indices.Add(index);
            }
            if (!classIndex.TryGetValue(fields[first], out int target))
            {
                throw new UserInputException($"{source} line {line}: label '{Shorten(fields[first])}' is not one of the class columns ({string.Join(", ", classNames)})");
            }
            ParseRow(fields.AsSpan(first).ToArray(), row, classNames, source, line, renormalize);
            targets.Add(target);
            probabilities.AddRange(row);
        }
        if (targets.Count == 0)
        {
            throw new UserInputException($"{source}: the header has no rows after it; expected one row per sample");
        }
        return new Table(classNames, targets.ToArray(), probabilities.ToArray(), first == 1 ? indices.ToArray() : null);
    }

    /// <summary>Returns RFC 4180 options for comma-separated files read without a header row, with line numbers, that throw on malformed data.</summary>
    internal static CsvReaderOptions StrictCsvOptions() => new CsvReaderOptions
        {
            Separator = ',',
            HasHeader = false,
            Mode = CsvMode.Rfc4180,
            SkipEmptyLines = true,
            TrackLineNumbers = true,
            MalformedData = CsvMalformedDataHandling.Throw,
            FormatProvider = CultureInfo.InvariantCulture,
        };

    private static string[] Fields(CsvReader reader)
    {
        var fields = new string[reader.FieldCount];
        for (int i = 0; i < fields.Length; i++)
        {
            fields[i] = reader.GetString(i);
        }
        return fields;
    }

    private static void ParseRow(string[] fields, double[] row, string[] classNames, string source, long line, bool renormalize)
    {
        double sum = 0;
        for (int k = 0; k < classNames.Length; k++)
        {
            string field = fields[k + 1];
            if (!double.TryParse(field, NumberStyles.Float, CultureInfo.InvariantCulture, out double value) || double.IsNaN(value) || value < 0 || value > 1)
            {
                throw new UserInputException($"{source} line {line}, column '{classNames[k]}': probability '{Shorten(field)}' is invalid; expected a number from 0 to 1");
            }
            row[k] = value;
            sum += value;
        }
        if (renormalize)
        {
            if (sum <= 0)
            {
                throw new UserInputException($"{source} line {line}: probabilities sum to 0, so the row cannot be renormalized");
            }
            for (int k = 0; k < row.Length; k++)
            {
                row[k] /= sum;
            }
        }
        else if (Math.Abs(sum - 1) > RowSumTolerance)
        {
            throw new UserInputException(string.Create(CultureInfo.InvariantCulture,
                $"{source} line {line}: probabilities sum to {sum:R}, not 1 within 1e-6; fix the file or pass --renormalize to rescale each row"));
        }
    }

    private static string Shorten(string text) => text.Length <= 40 ? text : text[..40] + "…";
}
