using System.Globalization;
using System.Text;
using CsvHelper;
using Negentropy.Reporting;

namespace Negentropy.Cleaning;

/// <summary>
/// label_issues.csv: a header <c>index,given_label,suggested_label,quality,reason</c>, then one row per
/// flagged sample, most urgent first. <c>index</c> is the sample's 0-based position in the training data
/// as given. Labels are class names, <c>quality</c> is lower for samples more likely wrong, and <c>reason</c>
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

    /// <summary>A listed sample: its index, its given_label when the file has that column, and the line it is on.</summary>
    public sealed record Listed(int Index, string? GivenLabel, long Line);

    /// <summary>Reads the distinct indices of <paramref name="path"/>, in file order.</summary>
    public static IReadOnlyList<int> ReadIndices(string path) => ReadListed(path).Select(entry => entry.Index).Distinct().ToArray();

    /// <summary>
    /// Reads the <c>index</c> column of <paramref name="path"/>, which must be the first column, and the
    /// <c>given_label</c> column when there is one. Other columns are not read, so a file filtered or
    /// written by other tools works too.
    /// </summary>
    public static IReadOnlyList<Listed> ReadListed(string path)
    {
        if (!File.Exists(path))
        {
            throw new UserInputException(Directory.Exists(path) ? $"{path}: is a folder; pass the label_issues.csv file that 'negentropy clean' wrote" : $"{path}: file not found");
        }
        CsvReaderOptions options = PredictionsCsvReader.StrictCsvOptions();
        try
        {
            using FileStream stream = File.OpenRead(path);
            using CsvReader reader = CsvReader.Create(stream, options, leaveOpen: false);
            if (!reader.Read() || reader.FieldCount == 0 || reader.GetString(0) != "index")
            {
                throw new UserInputException($"{path} line 1: expected a header whose first column is 'index' ({Header})");
            }
            int givenColumn = -1;
            for (int column = 1; column < reader.FieldCount; column++)
            {
                givenColumn = givenColumn < 0 && reader.GetString(column) == "given_label" ? column : givenColumn;
            }
            var listed = new List<Listed>();
            while (reader.Read())
            {
                string field = reader.GetString(0);
                if (!int.TryParse(field, NumberStyles.None, CultureInfo.InvariantCulture, out int index))
                {
                    throw new UserInputException($"{path} line {reader.LineNumber}: index '{field}' is invalid; expected a 0-based sample number");
                }
                string? given = givenColumn >= 0 && givenColumn < reader.FieldCount ? reader.GetString(givenColumn) : null;
                listed.Add(new Listed(index, given, reader.LineNumber));
            }
            return listed;
        }
        catch (CsvFormatException exception)
        {
            throw new UserInputException($"{path}: {exception.Message.TrimEnd('.')}; quote fields that contain commas, quotes or line breaks", exception);
        }
    }
}
