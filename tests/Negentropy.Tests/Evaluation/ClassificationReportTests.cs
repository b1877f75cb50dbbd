using System.Text.Json;
using System.Text.Json.Nodes;
using Negentropy.Evaluation;
using Xunit;

namespace Negentropy.Tests.Evaluation;

/// <summary>
/// Compares with scikit-learn's classification_report. The fixture comes from
/// tools/golden/make_classification_report_fixture.py (scikit-learn 1.2.1, Debian's python3-sklearn).
/// </summary>
public sealed class ClassificationReportTests
{
    private const double Tolerance = 1e-12;

    public sealed record GoldenCase(string Name, int[] Targets, int[] Preds, string[] Names, int Digits, string Text, JsonObject Dictionary);

    private static IEnumerable<GoldenCase> LoadCases()
    {
        string path = Path.Combine(AppContext.BaseDirectory, "Fixtures", "classification_report.json");
        JsonNode root = JsonNode.Parse(File.ReadAllText(path))!;
        foreach (JsonNode? item in root["cases"]!.AsArray())
        {
            yield return new GoldenCase(
                item!["name"]!.GetValue<string>(),
                item["y_true"]!.AsArray().Select(v => v!.GetValue<int>()).ToArray(),
                item["y_pred"]!.AsArray().Select(v => v!.GetValue<int>()).ToArray(),
                item["target_names"]!.AsArray().Select(v => v!.GetValue<string>()).ToArray(),
                item["digits"]!.GetValue<int>(),
                item["text"]!.GetValue<string>(),
                item["output_dict"]!.AsObject());
        }
    }

    public static TheoryData<string> CaseNames()
    {
        var names = new TheoryData<string>();
        foreach (GoldenCase golden in LoadCases())
        {
            names.Add(golden.Name);
        }
        return names;
    }

    private static GoldenCase Case(string name) => LoadCases().Single(c => c.Name == name);

    [Theory]
    [MemberData(nameof(CaseNames))]
    public void Text_MatchesScikitLearn(string name)
    {
        GoldenCase golden = Case(name);

        ClassificationReport report = ClassificationReport.Compute(golden.Targets, golden.Preds, golden.Names);

        Assert.Equal(golden.Text, report.ToText(golden.Digits));
    }

    [Theory]
    [MemberData(nameof(CaseNames))]
    public void Json_MatchesScikitLearnOutputDict(string name)
    {
        GoldenCase golden = Case(name);

        JsonObject actual = ClassificationReport.Compute(golden.Targets, golden.Preds, golden.Names).ToJson();

        Assert.Equal(golden.Dictionary.Select(p => p.Key), actual.Select(p => p.Key));
        if (golden.Dictionary.ContainsKey("accuracy"))
        {
            Assert.Equal(golden.Dictionary["accuracy"]!.GetValue<double>(), actual["accuracy"]!.GetValue<double>(), Tolerance);
        }
        foreach ((string key, JsonNode? expected) in golden.Dictionary.Where(p => p.Key != "accuracy"))
        {
            JsonObject row = actual[key]!.AsObject();
            Assert.Equal(new[] { "precision", "recall", "f1-score", "support" }, row.Select(p => p.Key));
            foreach (string metric in new[] { "precision", "recall", "f1-score" })
            {
                Assert.Equal(expected![metric]!.GetValue<double>(), row[metric]!.GetValue<double>(), Tolerance);
            }
            Assert.Equal(expected!["support"]!.GetValue<long>(), row["support"]!.GetValue<long>());
        }
    }

    [Fact]
    public void IllDefinedClasses_AreListed()
    {
        GoldenCase golden = Case("absent_classes");

        ClassificationReport report = ClassificationReport.Compute(golden.Targets, golden.Preds, golden.Names);

        Assert.Equal(new[] { "never predicted", "never true" }, report.IllDefinedClasses);
    }

    [Theory]
    [InlineData(0.125, 2, "0.12")]
    [InlineData(0.375, 2, "0.38")]
    [InlineData(0.625, 2, "0.62")]
    [InlineData(2.675, 2, "2.67")]
    [InlineData(0.5, 0, "0")]
    [InlineData(1.5, 0, "2")]
    [InlineData(1.0, 2, "1.00")]
    [InlineData(0.0, 4, "0.0000")]
    [InlineData(0.123456789, 4, "0.1235")]
    [InlineData(-0.125, 2, "-0.12")]
    public void FormatFixed_RoundsLikePython(double value, int digits, string expected)
    {
        Assert.Equal(expected, ClassificationReport.FormatFixed(value, digits));
    }

    [Fact]
    public void Compute_RejectsLengthMismatch()
    {
        var error = Assert.Throws<ArgumentException>(() => ClassificationReport.Compute(new[] { 0, 1 }, new[] { 0 }, new[] { "a", "b" }));

        Assert.Contains("targets has 2 entries but preds has 1", error.Message);
    }

    [Fact]
    public void Fixture_NamesItsScikitLearnVersion()
    {
        string path = Path.Combine(AppContext.BaseDirectory, "Fixtures", "classification_report.json");
        using JsonDocument document = JsonDocument.Parse(File.ReadAllText(path));

        Assert.StartsWith("1.", document.RootElement.GetProperty("sklearn_version").GetString());
    }
}
