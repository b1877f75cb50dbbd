using System.Text.RegularExpressions;
using Negentropy.Tests.Cli;
using Negentropy.Tests.Data;
using Xunit;

namespace Negentropy.Tests.Reporting;

public sealed class HtmlReportTests : IDisposable
{
    private readonly TemporaryFolder folder = new();

    public void Dispose() => folder.Dispose();

    private string TrainSmallRun(int epochs)
    {
        string data = folder.Combine("idx");
        Directory.CreateDirectory(data);
        IdxFiles.WriteFolder(data, trainCount: 150, testCount: 40, classes: 4);
        string output = folder.Combine("run");
        CliProcess.Outcome outcome = CliProcess.Run("train", "--data", data, "--epochs", epochs.ToString(System.Globalization.CultureInfo.InvariantCulture), "--threads", "1", "--out", output);
        Assert.True(outcome.ExitCode == 0, outcome.Error);
        return output;
    }

    [Fact]
    public void Train_WritesPlotsAndSelfContainedPage()
    {
        string output = TrainSmallRun(epochs: 2);

        string[] plots = Directory.GetFiles(Path.Combine(output, "plots")).Select(Path.GetFileName).OrderBy(n => n).ToArray()!;
        Assert.Equal(new[] { "accuracy.png", "bits_per_class.png", "confusion.png", "entropy.png", "loss.png", "reliability.png", "risk_coverage.png" }, plots);
        foreach (string plot in Directory.GetFiles(Path.Combine(output, "plots")))
        {
            byte[] header = File.ReadAllBytes(plot).Take(8).ToArray();
            Assert.Equal(new byte[] { 0x89, (byte)'P', (byte)'N', (byte)'G', 0x0D, 0x0A, 0x1A, 0x0A }, header);
        }

        string html = File.ReadAllText(Path.Combine(output, "report.html"));
        Assert.StartsWith("<!DOCTYPE html>", html);
        Assert.Contains("Configuration and environment", html);
        Assert.Contains("Classification report (test set)", html);
        Assert.Contains("Temperature scaling fitted on the validation split", html);
        Assert.Contains("Most confident wrong test predictions", html);
        Assert.DoesNotContain("http://", html);
        Assert.DoesNotContain("https://", html);
        Assert.DoesNotContain("<script", html);
        // Seven plots and up to twenty thumbnails, all embedded.
        int embedded = Regex.Matches(html, "src=\"data:image/png;base64,").Count;
        Assert.True(embedded >= 7 + 1, $"expected the plots and at least one thumbnail embedded, found {embedded} images");
    }

    [Fact]
    public void ReportCommand_RebuildsUnfinishedRun()
    {
        string output = TrainSmallRun(epochs: 1);
        foreach (string name in new[] { "model.json", "test_predictions.csv", "report.json", "report.html" })
        {
            File.Delete(Path.Combine(output, name));
        }
        Directory.Delete(Path.Combine(output, "plots"), recursive: true);

        CliProcess.Outcome outcome = CliProcess.Run("report", output);

        Assert.True(outcome.ExitCode == 0, outcome.Error);
        string html = File.ReadAllText(Path.Combine(output, "report.html"));
        Assert.Contains("(unfinished)", html);
        Assert.Contains("The test set has not been evaluated", html);
        Assert.True(File.Exists(Path.Combine(output, "plots", "loss.png")));
        Assert.False(File.Exists(Path.Combine(output, "plots", "confusion.png")));
    }

    [Fact]
    public void InformationPlane_RecordsEveryLayerAndEstimator()
    {
        string data = folder.Combine("idx");
        Directory.CreateDirectory(data);
        IdxFiles.WriteFolder(data, trainCount: 300, testCount: 30, classes: 3);
        string output = folder.Combine("plane");

        CliProcess.Outcome outcome = CliProcess.Run("train", "--data", data, "--model", "resnet", "--depth", "8", "--width", "4", "--epochs", "2",
            "--threads", "1", "--information-plane", "--probe-size", "25", "--out", output);

        Assert.True(outcome.ExitCode == 0, outcome.Error);
        string[] lines = File.ReadAllLines(Path.Combine(output, "information_plane.jsonl"));
        // 2 epochs × 4 layers (three stages and the penultimate) × 2 estimators.
        Assert.Equal(16, lines.Length);
        double ceiling = Math.Log2(25);
        foreach (string line in lines)
        {
            var point = System.Text.Json.Nodes.JsonNode.Parse(line)!;
            double informationXT = point["i_xt_bits"]!.GetValue<double>();
            double informationTY = point["i_ty_bits"]!.GetValue<double>();
            Assert.InRange(informationXT, 0, ceiling + 1e-9);
            Assert.InRange(informationTY, 0, informationXT + 1e-9);
        }
        Assert.Contains(lines, line => line.Contains("\"layer\":\"penultimate\"") && line.Contains("\"estimator\":\"kde\""));
        Assert.True(File.Exists(Path.Combine(output, "plots", "information_plane_binning.png")));
        Assert.True(File.Exists(Path.Combine(output, "plots", "information_plane_kde.png")));
        Assert.Contains("Information plane", File.ReadAllText(Path.Combine(output, "report.html")));
    }

    [Fact]
    public void PlaneLayers_ChoosesAndRejects()
    {
        string data = folder.Combine("idx");
        Directory.CreateDirectory(data);
        IdxFiles.WriteFolder(data, trainCount: 200, testCount: 20, classes: 3);

        CliProcess.Outcome chosen = CliProcess.Run("train", "--data", data, "--epochs", "1", "--threads", "1", "--information-plane",
            "--probe-size", "20", "--plane-layers", "penultimate", "--out", folder.Combine("chosen"));
        CliProcess.Outcome unknown = CliProcess.Run("train", "--data", data, "--epochs", "1", "--threads", "1", "--information-plane",
            "--probe-size", "20", "--plane-layers", "block7", "--out", folder.Combine("unknown"));

        Assert.True(chosen.ExitCode == 0, chosen.Error);
        string[] lines = File.ReadAllLines(Path.Combine(folder.Combine("chosen"), "information_plane.jsonl"));
        Assert.Equal(2, lines.Length);
        Assert.All(lines, line => Assert.Contains("\"layer\":\"penultimate\"", line));
        Assert.Equal(2, unknown.ExitCode);
        Assert.Contains("--plane-layers block7: no such layer in this cnn; its layers are block0, block1, penultimate", Assert.Single(unknown.ErrorLines));
        Assert.False(Directory.Exists(folder.Combine("unknown")), "a rejected run must not create its output folder");
    }

    [Fact]
    public void ReportCommand_RejectsFolderWithoutRun()
    {
        CliProcess.Outcome outcome = CliProcess.Run("report", folder.Path);

        Assert.Equal(2, outcome.ExitCode);
        Assert.Contains("neither model.json nor a checkpoint is there", Assert.Single(outcome.ErrorLines));
    }
}
