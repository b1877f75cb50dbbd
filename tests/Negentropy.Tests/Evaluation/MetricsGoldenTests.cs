using System.Globalization;
using System.IO.Compression;
using System.Text.Json.Nodes;
using Negentropy.Evaluation;
using Xunit;

namespace Negentropy.Tests.Evaluation;

/// <summary>
/// Compares every metric with scikit-learn 1.2.1, SciPy 1.10.1 and numpy 1.24.2 over a grid of cases
/// (tools/golden/make_metrics_fixture.py). Tolerance 1e-9 where the arithmetic is the same; sums over
/// 100,000 rows allow 1e-9 relative.
/// </summary>
public sealed class MetricsGoldenTests
{
    private const double Tolerance = 1e-9;

    public sealed record GoldenCase(string Name, int NumClasses, int[] Targets, int[] Preds, double[] Probs, int[] Labels, JsonObject Expected);

    private static readonly Lazy<JsonObject> Fixture = new(() =>
        JsonNode.Parse(File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "Fixtures", "metrics_grid.json")))!.AsObject());

    public static TheoryData<string> CaseNames()
    {
        var names = new TheoryData<string>();
        foreach (JsonNode? item in Fixture.Value["cases"]!.AsArray())
        {
            names.Add(item!["name"]!.GetValue<string>());
        }
        return names;
    }

    private static GoldenCase Case(string name)
    {
        JsonObject item = Fixture.Value["cases"]!.AsArray().Single(c => c!["name"]!.GetValue<string>() == name)!.AsObject();
        int numClasses = item["k"]!.GetValue<int>();
        int[] labels = item["labels"]!.AsArray().Select(v => v!.GetValue<int>()).ToArray();
        int[] targets;
        double[] probs;
        if (item["data_file"] is JsonNode file)
        {
            (targets, probs) = ReadLargeCase(file.GetValue<string>(), numClasses);
        }
        else
        {
            targets = item["y_true"]!.AsArray().Select(v => v!.GetValue<int>()).ToArray();
            probs = item["probs"]!.AsArray().SelectMany(row => row!.AsArray().Select(v => v!.GetValue<double>())).ToArray();
        }
        int[] preds = Argmax(probs, numClasses);
        if (item["y_pred"] is JsonArray storedPreds)
        {
            Assert.Equal(storedPreds.Select(v => v!.GetValue<int>()), preds);
        }
        return new GoldenCase(name, numClasses, targets, preds, probs, labels, item);
    }

    private static (int[] Targets, double[] Probs) ReadLargeCase(string fileName, int numClasses)
    {
        using var stream = new GZipStream(File.OpenRead(Path.Combine(AppContext.BaseDirectory, "Fixtures", fileName)), CompressionMode.Decompress);
        using var reader = new StreamReader(stream);
        reader.ReadLine();
        var targets = new List<int>();
        var probs = new List<double>();
        string? line;
        while ((line = reader.ReadLine()) is not null)
        {
            string[] fields = line.Split(',');
            targets.Add(int.Parse(fields[0], CultureInfo.InvariantCulture));
            for (int k = 1; k <= numClasses; k++)
            {
                probs.Add(double.Parse(fields[k], NumberStyles.Float, CultureInfo.InvariantCulture));
            }
        }
        return (targets.ToArray(), probs.ToArray());
    }

    private static int[] Argmax(double[] probs, int numClasses)
    {
        var preds = new int[probs.Length / numClasses];
        for (int i = 0; i < preds.Length; i++)
        {
            int best = 0;
            for (int k = 1; k < numClasses; k++)
            {
                if (probs[(i * numClasses) + k] > probs[(i * numClasses) + best])
                {
                    best = k;
                }
            }
            preds[i] = best;
        }
        return preds;
    }

    // null in the fixture means undefined, which the C# side returns as NaN.
    private static void AssertClose(JsonNode? expected, double actual, string what)
    {
        if (expected is null)
        {
            Assert.True(double.IsNaN(actual), $"{what}: expected undefined (NaN), got {actual}");
            return;
        }
        double value = expected.GetValue<double>();
        double tolerance = Tolerance * Math.Max(1, Math.Abs(value));
        Assert.True(Math.Abs(value - actual) <= tolerance, $"{what}: expected {value:R}, got {actual:R} (difference {Math.Abs(value - actual):E2})");
    }

    private static void AssertCloseAll(JsonNode? expected, IReadOnlyList<double> actual, string what)
    {
        JsonArray values = expected!.AsArray();
        Assert.Equal(values.Count, actual.Count);
        for (int i = 0; i < values.Count; i++)
        {
            AssertClose(values[i], actual[i], $"{what}[{i}]");
        }
    }

    [Theory]
    [MemberData(nameof(CaseNames))]
    public void LabelMetrics_MatchScikitLearn(string name)
    {
        GoldenCase golden = Case(name);
        var confusion = ConfusionMatrix.Compute(golden.Targets, golden.Preds, golden.NumClasses);

        AssertClose(golden.Expected["accuracy"], LabelMetrics.Accuracy(golden.Targets, golden.Preds), "accuracy");
        AssertClose(golden.Expected["balanced_accuracy"], LabelMetrics.BalancedAccuracy(confusion), "balanced_accuracy");
        AssertClose(golden.Expected["matthews_corrcoef"], LabelMetrics.MatthewsCorrelation(confusion), "matthews_corrcoef");
        AssertClose(golden.Expected["cohen_kappa"], LabelMetrics.CohenKappa(confusion), "cohen_kappa");
        if (golden.Expected["top_2_accuracy"] is JsonNode topTwo)
        {
            AssertClose(topTwo, LabelMetrics.TopKAccuracy(golden.Targets, golden.Probs, golden.NumClasses, 2), "top_2_accuracy");
        }
    }

    [Theory]
    [MemberData(nameof(CaseNames))]
    public void ConfusionMatrix_MatchesScikitLearn(string name)
    {
        GoldenCase golden = Case(name);
        var confusion = ConfusionMatrix.Compute(golden.Targets, golden.Preds, golden.NumClasses);
        JsonArray expected = golden.Expected["confusion_matrix"]!.AsArray();

        for (int i = 0; i < golden.NumClasses; i++)
        {
            Assert.Equal(expected[i]!.AsArray().Select(v => v!.GetValue<long>()), Enumerable.Range(0, golden.NumClasses).Select(j => confusion[i, j]));
        }
        foreach (string mode in new[] { "true", "pred", "all" })
        {
            double[,] normalized = confusion.Normalized(mode);
            JsonArray rows = golden.Expected["confusion_matrix_normalized"]![mode]!.AsArray();
            for (int i = 0; i < golden.NumClasses; i++)
            {
                AssertCloseAll(rows[i], Enumerable.Range(0, golden.NumClasses).Select(j => normalized[i, j]).ToArray(), $"confusion normalized {mode} row {i}");
            }
        }
    }

    [Theory]
    [MemberData(nameof(CaseNames))]
    public void PrecisionRecallF1_MatchesScikitLearn(string name)
    {
        GoldenCase golden = Case(name);
        foreach (string zeroDivision in new[] { "0", "1" })
        {
            JsonNode expected = golden.Expected["prf"]![zeroDivision]!;
            var metrics = PrecisionRecallF1.Compute(golden.Targets, golden.Preds, golden.NumClasses, golden.Labels, double.Parse(zeroDivision, CultureInfo.InvariantCulture));

            AssertCloseAll(expected["per_class"]!["precision"], metrics.Precision, $"zero_division {zeroDivision} precision");
            AssertCloseAll(expected["per_class"]!["recall"], metrics.Recall, $"zero_division {zeroDivision} recall");
            AssertCloseAll(expected["per_class"]!["f1"], metrics.F1, $"zero_division {zeroDivision} f1");
            Assert.Equal(expected["per_class"]!["support"]!.AsArray().Select(v => v!.GetValue<long>()), metrics.Support);
            foreach ((string average, ClassMetrics actual) in new[] { ("micro", metrics.Micro), ("macro", metrics.Macro), ("weighted", metrics.Weighted) })
            {
                AssertClose(expected[average]!["precision"], actual.Precision, $"zero_division {zeroDivision} {average} precision");
                AssertClose(expected[average]!["recall"], actual.Recall, $"zero_division {zeroDivision} {average} recall");
                AssertClose(expected[average]!["f1"], actual.F1, $"zero_division {zeroDivision} {average} f1");
            }
        }
    }

    [Theory]
    [MemberData(nameof(CaseNames))]
    public void ScoringAndRanking_MatchScikitLearn(string name)
    {
        GoldenCase golden = Case(name);

        EvaluationReport report = EvaluationReport.Compute(golden.Targets, golden.Probs, Names(golden.NumClasses));

        AssertClose(golden.Expected["log_loss"], report.LogLoss, "log_loss");
        AssertClose(golden.Expected["brier_multiclass"], report.Brier, "brier_multiclass");
        AssertClose(golden.Expected["roc_auc_ovr_macro"], report.RocAucOneVsRest.Macro, "roc_auc_ovr_macro");
        AssertClose(golden.Expected["roc_auc_ovr_weighted"], report.RocAucOneVsRest.Weighted, "roc_auc_ovr_weighted");
        AssertCloseAll(golden.Expected["roc_auc_ovr_per_class"], report.RocAucOneVsRest.PerClass, "roc_auc_ovr_per_class");
        AssertClose(golden.Expected["roc_auc_ovo_macro"], report.RocAucOneVsOneMacro, "roc_auc_ovo_macro");
        AssertClose(golden.Expected["average_precision_macro"], report.AveragePrecisionMacro, "average_precision_macro");
        AssertCloseAll(golden.Expected["average_precision_per_class"], report.AveragePrecisionPerClass, "average_precision_per_class");
        if (golden.NumClasses == 2)
        {
            AssertClose(golden.Expected["brier_binary"], report.BrierBinary, "brier_binary");
            AssertClose(golden.Expected["roc_auc_binary"], report.RocAucBinary, "roc_auc_binary");
            bool[] positives = golden.Targets.Select(t => t == 1).ToArray();
            double[] scores = Enumerable.Range(0, golden.Targets.Length).Select(i => golden.Probs[(i * 2) + 1]).ToArray();
            AssertClose(golden.Expected["roc_auc_binary"], RankingMetrics.BinaryRocAuc(positives, scores), "BinaryRocAuc");
            AssertClose(golden.Expected["average_precision_binary"], RankingMetrics.BinaryAveragePrecision(positives, scores), "average_precision_binary");
        }
    }

    [Theory]
    [MemberData(nameof(CaseNames))]
    public void Calibration_MatchesReference(string name)
    {
        GoldenCase golden = Case(name);

        EvaluationReport report = EvaluationReport.Compute(golden.Targets, golden.Probs, Names(golden.NumClasses));

        AssertClose(golden.Expected["ece"], report.ExpectedCalibrationError, "ece");
        AssertClose(golden.Expected["mce"], report.MaximumCalibrationError, "mce");
        AssertClose(golden.Expected["ece_equal_mass"], report.EqualMassCalibrationError, "ece_equal_mass");
        AssertClose(golden.Expected["ece_classwise"], report.ClasswiseCalibrationError, "ece_classwise");
        JsonArray bins = golden.Expected["reliability"]!.AsArray();
        Assert.Equal(bins.Count, report.Reliability.Length);
        for (int b = 0; b < bins.Count; b++)
        {
            Assert.Equal(bins[b]!["count"]!.GetValue<long>(), report.Reliability[b].Count);
            AssertClose(bins[b]!["lower"], report.Reliability[b].Lower, $"bin {b} lower");
            AssertClose(bins[b]!["upper"], report.Reliability[b].Upper, $"bin {b} upper");
            AssertClose(bins[b]!["mean_confidence"], report.Reliability[b].MeanConfidence, $"bin {b} mean_confidence");
            AssertClose(bins[b]!["accuracy"], report.Reliability[b].Accuracy, $"bin {b} accuracy");
        }
    }

    [Theory]
    [MemberData(nameof(CaseNames))]
    public void Information_MatchesScipyAndScikitLearn(string name)
    {
        GoldenCase golden = Case(name);

        EvaluationReport report = EvaluationReport.Compute(golden.Targets, golden.Probs, Names(golden.NumClasses));

        AssertClose(golden.Expected["label_entropy_bits"], report.LabelEntropyBits, "label_entropy_bits");
        AssertClose(golden.Expected["mean_entropy_bits"], report.MeanEntropyBits, "mean_entropy_bits");
        AssertClose(golden.Expected["cross_entropy_bits"], report.CrossEntropyBits, "cross_entropy_bits");
        AssertClose(golden.Expected["bits_learned"], report.BitsLearned, "bits_learned");
        AssertClose(golden.Expected["mutual_information_bits"], report.MutualInformationBits, "mutual_information_bits");
        AssertClose(golden.Expected["mutual_information_mm_bits"], report.MutualInformationMillerMadowBits, "mutual_information_mm_bits");
        AssertClose(golden.Expected["conditional_entropy_bits"], report.ConditionalEntropyBits, "conditional_entropy_bits");
    }

    private static string[] Names(int numClasses) => Enumerable.Range(0, numClasses).Select(k => $"class {k}").ToArray();
}
