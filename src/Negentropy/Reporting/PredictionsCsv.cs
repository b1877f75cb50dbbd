using System.Globalization;
using System.Text;
using Negentropy.Training;

namespace Negentropy.Reporting;

/// <summary>
/// test_predictions.csv and val_predictions.csv (format version 1): a header <c>label,&lt;class 1&gt;,…,&lt;class K&gt;</c>, then one row
/// per test sample in the test set's order, with the true class name and each class's probability
/// to 9 significant digits. Fields follow RFC 4180: a name with a comma, quote or line break is quoted.
/// </summary>
public static class PredictionsCsv
{
    public const string FileName = "test_predictions.csv";
    public const string ValidationFileName = "val_predictions.csv";

    /// <summary>Rounds each probability to the 9 significant digits the file holds, so figures computed from the result equal those computed from the file.</summary>
    public static double[] RoundToWrittenPrecision(double[] probabilities) =>
        probabilities.Select(p => double.Parse(p.ToString("G9", CultureInfo.InvariantCulture), CultureInfo.InvariantCulture)).ToArray();

    /// <param name="indices">When given, a first column <c>index</c> with each row's position in the data it was predicted for.</param>
    public static void Write(string folder, PredictionSet predictions, IReadOnlyList<string> classNames, string fileName = FileName, IReadOnlyList<int>? indices = null)
    {
        var text = new StringBuilder();
        text.Append(indices is null ? "label" : "index,label");
        foreach (string name in classNames)
        {
            text.Append(',').Append(Escape(name));
        }
        text.Append('\n');

        for (int i = 0; i < predictions.Count; i++)
        {
            if (indices is not null)
            {
                text.Append(indices[i].ToString(CultureInfo.InvariantCulture)).Append(',');
            }
            text.Append(Escape(classNames[predictions.Targets[i]]));
            for (int k = 0; k < predictions.NumClasses; k++)
            {
                double probability = predictions.Probabilities[(i * predictions.NumClasses) + k];
                text.Append(',').Append(probability.ToString("G9", CultureInfo.InvariantCulture));
            }
            text.Append('\n');
        }
        AtomicFile.WriteAllText(Path.Combine(folder, fileName), text.ToString());
    }

    /// <summary>Quotes a field when RFC 4180 requires it, doubling embedded quotes.</summary>
    public static string Escape(string field) =>
        field.IndexOfAny(new[] { ',', '"', '\n', '\r' }) < 0 ? field : "\"" + field.Replace("\"", "\"\"") + "\"";
}
