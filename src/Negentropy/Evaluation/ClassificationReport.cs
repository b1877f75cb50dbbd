using System.Globalization;
using System.Text;
using System.Text.Json.Nodes;

namespace Negentropy.Evaluation;

/// <summary>
/// Per-class precision, recall, F1 and support, accuracy, and macro and weighted averages, as
/// scikit-learn's <c>classification_report</c> computes them with <c>labels</c> set to every class.
/// </summary>
/// <remarks>
/// Ill-defined ratios (no predictions of a class, or no samples of it) take the <c>zeroDivision</c>
/// value, 0 by default as in scikit-learn; <see cref="IllDefinedClasses"/> lists the classes where that
/// happened. The per-class figures come from <see cref="PrecisionRecallF1"/>.
/// </remarks>
public sealed class ClassificationReport
{
    private ClassificationReport(IReadOnlyList<string> classNames, IReadOnlyList<ClassMetrics> perClass, double accuracy,
        ClassMetrics? microAverage, ClassMetrics macroAverage, ClassMetrics weightedAverage, IReadOnlyList<string> illDefinedClasses)
    {
        MicroAverage = microAverage;
        ClassNames = classNames;
        PerClass = perClass;
        Accuracy = accuracy;
        MacroAverage = macroAverage;
        WeightedAverage = weightedAverage;
        IllDefinedClasses = illDefinedClasses;
    }

    public IReadOnlyList<string> ClassNames { get; }

    public IReadOnlyList<ClassMetrics> PerClass { get; }

    public double Accuracy { get; }

    /// <summary>
    /// The micro average, set only when some class occurs in neither targets nor preds: scikit-learn then
    /// shows a "micro avg" row in place of "accuracy".
    /// </summary>
    public ClassMetrics? MicroAverage { get; }

    public ClassMetrics MacroAverage { get; }

    public ClassMetrics WeightedAverage { get; }

    /// <summary>Classes whose precision or recall was ill-defined and set to 0.</summary>
    public IReadOnlyList<string> IllDefinedClasses { get; }

    public long TotalSupport => WeightedAverage.Support;

    /// <summary>Computes the report for every class in <paramref name="classNames"/>.</summary>
    /// <param name="zeroDivision">Value of an ill-defined ratio: 0, 1 or NaN.</param>
    public static ClassificationReport Compute(IReadOnlyList<int> targets, IReadOnlyList<int> preds, IReadOnlyList<string> classNames, double zeroDivision = 0) =>
        FromConfusionMatrix(ConfusionMatrix.Compute(targets, preds, classNames.Count), classNames, zeroDivision);

    /// <summary>Computes the report from counts; every figure is a ratio of counts, never an average of averages.</summary>
    public static ClassificationReport FromConfusionMatrix(ConfusionMatrix matrix, IReadOnlyList<string> classNames, double zeroDivision = 0)
    {
        if (matrix.NumClasses != classNames.Count)
        {
            throw new ArgumentException($"the matrix has {matrix.NumClasses} classes but {classNames.Count} names were given", nameof(classNames));
        }

        int numClasses = matrix.NumClasses;
        long[] truePositives = Enumerable.Range(0, numClasses).Select(k => matrix[k, k]).ToArray();
        long[] predicted = Enumerable.Range(0, numClasses).Select(matrix.PredictedCount).ToArray();
        long[] support = Enumerable.Range(0, numClasses).Select(matrix.Support).ToArray();
        var metrics = PrecisionRecallF1.FromCounts(truePositives, predicted, support, labels: null, zeroDivision);

        var perClass = new ClassMetrics[matrix.NumClasses];
        for (int k = 0; k < matrix.NumClasses; k++)
        {
            perClass[k] = new ClassMetrics(metrics.Precision[k], metrics.Recall[k], metrics.F1[k], metrics.Support[k]);
        }
        long total = matrix.Total;
        double accuracy = total == 0 ? 0 : (double)matrix.Correct / total;
        ClassMetrics? micro = null;
        bool someClassAbsent = Enumerable.Range(0, matrix.NumClasses).Any(k => matrix.Support(k) == 0 && matrix.PredictedCount(k) == 0);
        if (someClassAbsent)
        {
            micro = metrics.Micro;
        }
        string[] illDefined = metrics.IllDefinedLabels.Select(k => classNames[k]).ToArray();
        return new ClassificationReport(classNames, perClass, accuracy, micro, metrics.Macro, metrics.Weighted, illDefined);
    }

    /// <summary>Formats the report in the text layout of scikit-learn's classification_report.</summary>
    /// <param name="digits">Digits after the decimal point (scikit-learn's default is 2).</param>
    public string ToText(int digits = 2)
    {
        const string LastHeading = "weighted avg";
        int width = Math.Max(ClassNames.Select(DisplayLength).DefaultIfEmpty(0).Max(), LastHeading.Length);
        width = Math.Max(width, digits);

        var text = new StringBuilder();
        text.Append(' ', width).Append(' ');
        foreach (string header in new[] { "precision", "recall", "f1-score", "support" })
        {
            text.Append(' ').Append(header.PadLeft(9));
        }
        text.Append("\n\n");

        for (int k = 0; k < ClassNames.Count; k++)
        {
            AppendRow(text, ClassNames[k], PerClass[k], width, digits);
        }
        text.Append('\n');

        if (MicroAverage is not null)
        {
            AppendRow(text, "micro avg", MicroAverage, width, digits);
        }
        else
        {
            text.Append(PadLeftDisplay("accuracy", width)).Append(' ');
            text.Append(' ', 20);
            text.Append(' ').Append(FormatFixed(Accuracy, digits).PadLeft(9));
            text.Append(' ').Append(TotalSupport.ToString(CultureInfo.InvariantCulture).PadLeft(9)).Append('\n');
        }
        AppendRow(text, "macro avg", MacroAverage, width, digits);
        AppendRow(text, LastHeading, WeightedAverage, width, digits);
        return text.ToString();
    }

    /// <summary>Returns the structure of scikit-learn's <c>output_dict=True</c>, with "micro avg" in place of "accuracy" when <see cref="MicroAverage"/> is set.</summary>
    public JsonObject ToJson()
    {
        var json = new JsonObject();
        for (int k = 0; k < ClassNames.Count; k++)
        {
            json[ClassNames[k]] = MetricsJson(PerClass[k]);
        }
        if (MicroAverage is not null)
        {
            json["micro avg"] = MetricsJson(MicroAverage);
        }
        else
        {
            json["accuracy"] = Accuracy;
        }
        json["macro avg"] = MetricsJson(MacroAverage);
        json["weighted avg"] = MetricsJson(WeightedAverage);
        return json;
    }

    /// <summary>
    /// Formats <paramref name="value"/> with <paramref name="digits"/> decimals, rounding the exact binary
    /// value half to even as Python's format does (0.125 gives "0.12"), where .NET would round away from zero.
    /// </summary>
    public static string FormatFixed(double value, int digits)
    {
        if (!double.IsFinite(value))
        {
            if (double.IsNaN(value))
            {
                return "nan";
            }
            return value > 0 ? "inf" : "-inf";
        }
        if (Math.Abs(value) >= 1e15)
        {
            // Outside the range of the exact decimal path; report ratios never get here.
            return value.ToString("F" + digits.ToString(CultureInfo.InvariantCulture), CultureInfo.InvariantCulture);
        }

        // .NET Core 3.0 and later print the exact decimal expansion for large precisions.
        string exact = Math.Abs(value).ToString("F" + (digits + 60).ToString(CultureInfo.InvariantCulture), CultureInfo.InvariantCulture);
        int point = exact.IndexOf('.');
        string truncated = exact[..(point + 1 + digits)].TrimEnd('.');
        string rest = exact[(point + 1 + digits)..];
        bool roundUp = rest[0] > '5' || (rest[0] == '5' && (rest[1..].Any(c => c != '0') || LastDigitIsOdd(truncated)));
        decimal result = decimal.Parse(truncated, CultureInfo.InvariantCulture);
        if (roundUp)
        {
            result += 1m / Pow10(digits);
        }
        string formatted = result.ToString("F" + digits.ToString(CultureInfo.InvariantCulture), CultureInfo.InvariantCulture);
        return value < 0 || (value == 0 && double.IsNegative(value)) ? "-" + formatted : formatted;
    }

    private static bool LastDigitIsOdd(string number) => (number[^1] - '0') % 2 == 1;

    private static decimal Pow10(int exponent)
    {
        decimal result = 1m;
        for (int i = 0; i < exponent; i++)
        {
            result *= 10m;
        }
        return result;
    }

    // NaN (zero_division NaN) is written as null: JSON has no NaN.
    private static JsonObject MetricsJson(ClassMetrics metrics) => new()
    {
        ["precision"] = NullIfNaN(metrics.Precision),
        ["recall"] = NullIfNaN(metrics.Recall),
        ["f1-score"] = NullIfNaN(metrics.F1),
        ["support"] = metrics.Support,
    };

    private static JsonNode? NullIfNaN(double value) => double.IsNaN(value) ? null : JsonValue.Create(value);

    private static void AppendRow(StringBuilder text, string heading, ClassMetrics metrics, int width, int digits)
    {
        text.Append(PadLeftDisplay(heading, width)).Append(' ');
        text.Append(' ').Append(FormatFixed(metrics.Precision, digits).PadLeft(9));
        text.Append(' ').Append(FormatFixed(metrics.Recall, digits).PadLeft(9));
        text.Append(' ').Append(FormatFixed(metrics.F1, digits).PadLeft(9));
        text.Append(' ').Append(metrics.Support.ToString(CultureInfo.InvariantCulture).PadLeft(9)).Append('\n');
    }

    // Python pads by code points, not UTF-16 units.
    private static int DisplayLength(string text) => text.EnumerateRunes().Count();

    private static string PadLeftDisplay(string text, int width) => new string(' ', Math.Max(0, width - DisplayLength(text))) + text;
}
