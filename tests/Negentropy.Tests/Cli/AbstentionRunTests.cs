using System.Globalization;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Negentropy.Monitoring;
using Negentropy.Reporting;
using Negentropy.Tests.Data;
using Xunit;

namespace Negentropy.Tests.Cli;

/// <summary>The abstention threshold, reference.json and their report sections, from a one-epoch run on small IDX files.</summary>
public sealed class AbstentionRunTests : IDisposable
{
    private readonly TemporaryFolder folder = new();

    public void Dispose() => folder.Dispose();

    private string Train(params string[] extra)
    {
        string data = folder.Combine("idx");
        Directory.CreateDirectory(data);
        IdxFiles.WriteFolder(data, trainCount: 120, testCount: 30, classes: 3);
        string output = folder.Combine("run");
        CliProcess.Outcome outcome = CliProcess.Run(new[] { "train", "--data", data, "--epochs", "1", "--threads", "1", "--no-tensorboard", "--progress", "plain", "--out", output }
            .Concat(extra).ToArray());
        Assert.True(outcome.ExitCode == 0, outcome.Error);
        Assert.Matches(@"\[setup\] abstention: entropy > \S+ bits → ", outcome.Output);
        Assert.Contains("abstention: entropy > ", File.ReadAllText(Path.Combine(output, RunReport.TextFileName)));
        return output;
    }

    [Fact]
    public void CoverageTarget_WritesPolicyReferenceAndReport()
    {
        string output = Train("--abstain-coverage", "0.9");

        JsonObject manifest = JsonNode.Parse(File.ReadAllText(Path.Combine(output, "model.json")))!.AsObject();
        JsonObject abstention = manifest["abstention"]!.AsObject();
        Assert.Equal("coverage", abstention["criterion"]!.GetValue<string>());
        Assert.Equal(0.9, abstention["target"]!.GetValue<double>());
        Assert.True(abstention["target_met"]!.GetValue<bool>());
        double coverage = abstention["validation_coverage"]!.GetValue<double>();
        Assert.InRange(coverage, 0.9, 1.0);
        int validationCount = abstention["validation_count"]!.GetValue<int>();
        Assert.Equal(validationCount + 1, File.ReadAllLines(Path.Combine(output, PredictionsCsv.ValidationFileName)).Length);
        Assert.Equal(0.9, manifest["training"]!["abstain_coverage"]!.GetValue<double>());
        Assert.Null(manifest["training"]!["abstain_risk"]);

        MonitoringReference? reference = MonitoringReference.TryRead(output);
        Assert.NotNull(reference);
        Assert.Equal(validationCount, reference.Count);
        Assert.Equal(1 - coverage, reference.AbstentionRate, 12);

        JsonObject report = JsonNode.Parse(File.ReadAllText(Path.Combine(output, "report.json")))!.AsObject();
        Assert.True(JsonNode.DeepEquals(abstention, report["abstention"]), "report.json and model.json differ in abstention");
        JsonObject curve = report["risk_coverage"]!.AsObject();
        Assert.Equal(validationCount, curve["count"]!.GetValue<int>());
        JsonArray points = curve["points"]!.AsArray();
        Assert.Equal(1.0, points[^1]!["coverage"]!.GetValue<double>());
        Assert.Equal(curve["full_coverage_risk"]!.GetValue<double>(), points[^1]!["risk"]!.GetValue<double>());
        Assert.InRange(curve["aurc"]!.GetValue<double>(), 0, 1);

        string html = File.ReadAllText(Path.Combine(output, "report.html"));
        Assert.Contains("<h2>Abstention</h2>", html);
        Assert.Contains("<th>target coverage</th><td>90%</td>", html);
        double threshold = abstention["threshold_bits"]!.GetValue<double>();
        Assert.Contains($"<th>threshold</th><td>{threshold.ToString("G6", CultureInfo.InvariantCulture)} bits</td>", html);
        Assert.Matches("<img alt=\"risk_coverage.png\" src=\"data:image/png;base64,", html);
        Assert.True(File.Exists(Path.Combine(output, "plots", "risk_coverage.png")));
    }

    [Fact]
    public void Resume_KeepsCoverageTarget()
    {
        string output = Train("--abstain-coverage", "0.8");

        CliProcess.Outcome resumed = CliProcess.Run("train", "--resume", output, "--progress", "plain");

        Assert.True(resumed.ExitCode == 0, resumed.Error);
        Assert.Contains("(target coverage 80%)", resumed.Output);
        JsonObject manifest = JsonNode.Parse(File.ReadAllText(Path.Combine(output, "model.json")))!.AsObject();
        Assert.Equal("coverage", manifest["abstention"]!["criterion"]!.GetValue<string>());
        Assert.Equal(0.8, manifest["abstention"]!["target"]!.GetValue<double>());
    }

    [Fact]
    public void ReportCommand_RebuildsAbstentionSection()
    {
        string output = Train();
        File.Delete(Path.Combine(output, "report.html"));
        Directory.Delete(Path.Combine(output, "plots"), recursive: true);

        CliProcess.Outcome outcome = CliProcess.Run("report", output);

        Assert.True(outcome.ExitCode == 0, outcome.Error);
        string html = File.ReadAllText(Path.Combine(output, "report.html"));
        Assert.Contains("<th>target risk</th><td>1%</td>", html);
        Assert.Single(Regex.Matches(html, "<img alt=\"risk_coverage.png\" src=\"data:image/png;base64,"));
    }

    [Fact]
    public void LeftoverReference_CountsAsRun()
    {
        string output = Train();
        foreach (string file in Directory.GetFiles(output).Where(path => Path.GetFileName(path) != MonitoringReference.FileName))
        {
            File.Delete(file);
        }
        foreach (string child in Directory.GetDirectories(output))
        {
            Directory.Delete(child, recursive: true);
        }

        CliProcess.Outcome outcome = CliProcess.Run("train", "--data", folder.Combine("idx"), "--epochs", "1", "--out", output);

        Assert.Equal(2, outcome.ExitCode);
        Assert.Contains("already contains a training run", Assert.Single(outcome.ErrorLines));
    }
}
