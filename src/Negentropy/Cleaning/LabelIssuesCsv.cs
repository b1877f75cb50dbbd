using System.Globalization;
using System.Text;
using CsvHelper;
using Negentropy.Reporting;

namespace Negentropy.Cleaning;

/// <summary>
/// label_issues.csv: a header <c>index,given_label,suggested_label,quality,reason</c>, then one row per
/// flagged sample, most urgent first. <c>index</c> is the sample's 0-based position in the training data
/// as given; labels are class names; <c>quality</c> is lower for samples more likely wrong; <c>reason</c>
/// is <c>label_issue</c>, <c>duplicate</c> or <c>conflicting_duplicate</c>.
/// </summary>
public static class LabelIssuesCsv
{
    public const string FileName = "label_issues.csv";
    public const string Header = "index,given_label,suggested_label,quality,reason";

    /// <summary>A row of the file.</summary>
    public sealed record Row(int Index, int GivenLabel, int SuggestedLabel, double Quality, string Reason);

    public static void Write(string path, IReadOnlyList<Row> rows, IReadOnlyList<string> classNames)
    {
        var text = new StringBuilder(Header).Append('\n');
        foreach (Row row in rows)
        {
            text.Append(row.Index.ToString(CultureInfo.InvariantCulture)).Append(',')
                .Append(PredictionsCsv.Escape(classNames[row.GivenLabel])).Append(',')
                .Append(PredictionsCsv.Escape(classNames[row.SuggestedLabel])).Append(',')
                .Append(row.Quality.ToString("G6", CultureInfo.InvariantCulture)).Append(',')
                .Append(row.Reason).Append('\n');
        }
        AtomicFile.WriteAllText(path, text.ToString());
    }

    /// <summary>
    /// Reads the <c>index</c> column of <paramref name="path"/>, which must be the first column; other
    /// columns are not read, so a file filtered or written by other tools works too.
    /// </summary>
    public static IReadOnlyList<int> ReadIndices(string path)
    {
        if (!File.Exists(path))
        {
            throw new UserInputException(Directory.Exists(path) ? $"{path}: is a folder; pass the label_issues.csv file that 'negentropy clean' wrote" : $"{path}: file not found");
        }
        var options = new CsvReaderOptions
        {
            Separator = ',',
            HasHeader = false,
            Mode = CsvMode.Rfc4180,
            SkipEmptyLines = true,
            TrackLineNumbers = true,
            MalformedData = CsvMalformedDataHandling.Throw,
            FormatProvider = CultureInfo.InvariantCulture,
        };
        try
        {
            using FileStream stream = File.OpenRead(path);
            using CsvReader reader = CsvReader.Create(stream, options, leaveOpen: false);
            if (!reader.Read() || reader.FieldCount == 0 || reader.GetString(0) != "index")
            {
                throw new UserInputException($"{path} line 1: expected a header whose first column is 'index' ({Header})");
            }
            var indices = new List<int>();
            var seen = new HashSet<int>();
            while (reader.Read())
            {
                string field = reader.GetString(0);
                if (!int.TryParse(field, NumberStyles.None, CultureInfo.InvariantCulture, out int index))
                {
                    throw new UserInputException($"{path} line {reader.LineNumber}: index '{field}' is invalid; expected a 0-based sample number");
                }
                // A sample listed for two reasons is removed once.
                if (seen.Add(index))
                {
                    indices.Add(index);
                }
            }
            return indices;
        }
        catch (CsvFormatException exception)
        {
            throw new UserInputException($"{path}: {exception.Message.TrimEnd('.')}; quote fields that contain commas, quotes or line breaks", exception);
        }
    }
}
