using System.Text.Json.Nodes;
using Xunit;

namespace Negentropy.Tests.Cli;

public sealed class EvalCommandTests : IDisposable
{
    private readonly TemporaryFolder folder = new();

    public void Dispose() => folder.Dispose();

    private string WriteFile(string name, string text)
    {
        string path = folder.Combine(name);
        File.WriteAllText(path, text);
        return path;
    }

    private const string SmallPredictions = "label,cat,dog,bird\ncat,0.7,0.2,0.1\ndog,0.2,0.5,0.3\nbird,0.1,0.1,0.8\ncat,0.3,0.6,0.1\n";

    [Fact]
    public void Json_HasEveryKeyAndNoNaNToken()
    {
        string path = WriteFile("preds.csv", "label,a,b,c\na,0.9,0.05,0.05\na,0.2,0.7,0.1\nb,0.3,0.6,0.1\n");

        CliProcess.Outcome outcome = CliProcess.Run("eval", "--predictions", path, "--json");

        Assert.True(outcome.ExitCode == 0, outcome.Error);
        Assert.DoesNotContain("NaN", outcome.Output);
        JsonObject json = JsonNode.Parse(outcome.Output)!.AsObject();
        foreach (string key in new[]
        {
            "classification_report", "log_loss", "brier", "roc_auc_ovr_macro", "roc_auc_ovr_weighted", "roc_auc_ovo_macro",
            "average_precision_macro", "ece", "mce", "mean_entropy_bits", "label_entropy_bits", "mutual_information_bits",
            "mutual_information_mm_bits", "bits_learned", "confusion_matrix", "warnings",
        })
        {
            Assert.True(json.ContainsKey(key), $"eval --json lacks {key}");
        }
        Assert.Equal(new[] { "a", "b", "c" }, json["confusion_matrix"]!["labels"]!.AsArray().Select(n => n!.GetValue<string>()));
        Assert.Null(json["roc_auc_ovr_per_class"]![2]);
        string warnings = json["warnings"]!.ToJsonString();
        Assert.Contains("ROC AUC skips classes without positive or without negative samples in the targets, and leaves them out of its averages: c", warnings);
        Assert.Contains("average precision skips classes without positive samples in the targets, and leaves them out of its macro average: c", warnings);
        Assert.Contains("precision or recall is ill-defined for 1 class (c)", warnings);
    }

    [Fact]
    public void Text_ShowsReportAndInformationLines()
    {
        string path = WriteFile("preds.csv", SmallPredictions);

        CliProcess.Outcome outcome = CliProcess.Run("eval", "--predictions", path);

        Assert.True(outcome.ExitCode == 0, outcome.Error);
        Assert.Contains("              precision    recall  f1-score   support", outcome.Output);
        Assert.Contains("bits learned H(Y) - cross-entropy", outcome.Output);
        Assert.Contains("ECE (15 equal-width bins)", outcome.Output);
    }

    [Fact]
    public void TemperatureFrom_ReportsBeforeAndAfter()
    {
        string path = WriteFile("preds.csv", SmallPredictions);

        CliProcess.Outcome outcome = CliProcess.Run("eval", "--predictions", path, "--temperature-from", path, "--json");

        Assert.True(outcome.ExitCode == 0, outcome.Error);
        JsonObject scaling = JsonNode.Parse(outcome.Output)!["temperature_scaling"]!.AsObject();
        Assert.True(scaling["temperature"]!.GetValue<double>() > 0);
        Assert.True(scaling["validation"]!["nll_after"]!.GetValue<double>() <= scaling["validation"]!["nll_before"]!.GetValue<double>());
    }

    [Fact]
    public void ZeroDivisionNaN_WritesNull()
    {
        string path = WriteFile("preds.csv", "label,a,b,c\na,0.9,0.05,0.05\nb,0.2,0.7,0.1\n");

        CliProcess.Outcome outcome = CliProcess.Run("eval", "--predictions", path, "--json", "--zero-division", "nan");

        Assert.True(outcome.ExitCode == 0, outcome.Error);
        Assert.DoesNotContain("NaN\"", outcome.Output);
        JsonObject json = JsonNode.Parse(outcome.Output)!.AsObject();
        Assert.Null(json["classification_report"]!["c"]!["precision"]);
        Assert.Null(json["classification_report"]!["c"]!["recall"]);
    }

    [Fact]
    public void TemperatureFromWithModel_IsRejected()
    {
        CliProcess.Outcome outcome = CliProcess.Run("eval", "--model", folder.Path, "--data", "fashion-mnist", "--temperature-from", "x.csv");

        Assert.Equal(2, outcome.ExitCode);
        Assert.Contains("--temperature-from goes with --predictions", Assert.Single(outcome.ErrorLines));
    }

    [Fact]
    public void BadRow_ReportsLineAndFails()
    {
        string path = WriteFile("preds.csv", "label,a,b\na,0.5,0.5\nb,0.2\n");

        CliProcess.Outcome outcome = CliProcess.Run("eval", "--predictions", path);

        Assert.Equal(2, outcome.ExitCode);
        Assert.Equal($"error: {path} line 3: 2 fields, expected 3 (label and 2 classes)", Assert.Single(outcome.ErrorLines));
    }

    [Fact]
    public void BadOptions_AreRejected()
    {
        string path = WriteFile("preds.csv", SmallPredictions);

        CliProcess.Outcome noInput = CliProcess.Run("eval");
        CliProcess.Outcome badBins = CliProcess.Run("eval", "--predictions", path, "--bins", "0");
        CliProcess.Outcome badZero = CliProcess.Run("eval", "--predictions", path, "--zero-division", "2");

        Assert.Equal(2, noInput.ExitCode);
        Assert.Contains("pass either --predictions FILE or --model DIR", noInput.Error);
        Assert.Contains("--bins 0 is out of range", badBins.Error);
        Assert.Contains("--zero-division '2' is unknown", badZero.Error);
    }
}
