using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Negentropy.Tests.Data;
using Xunit;

namespace Negentropy.Tests.Cli;

/// <summary>train --classes, --epoch-report and the fine-tuning options, run as the CLI on a generated IDX folder.</summary>
public sealed class FineTuneCommandTests : IDisposable
{
    private readonly TemporaryFolder folder = new();

    public void Dispose() => folder.Dispose();

    private string OutputFolder => folder.Combine("out");

    private string IdxFolder()
    {
        string data = folder.Combine("idx");
        Directory.CreateDirectory(data);
        IdxFiles.WriteFolder(data, trainCount: 160, testCount: 40, classes: 4);
        File.WriteAllLines(Path.Combine(data, "classes.txt"), new[] { "north", "east", "south", "west" });
        return data;
    }

    [Fact]
    public void Classes_RelabelAndKeepNames()
    {
        string data = IdxFolder();

        CliProcess.Outcome outcome = CliProcess.Run("train", "--data", data, "--classes", "west,1", "--limit", "40", "--epochs", "2",
            "--width", "8", "--threads", "1", "--finetune", "lora", "--epoch-report", "--out", OutputFolder);

        Assert.True(outcome.ExitCode == 0, $"exit {outcome.ExitCode}: {outcome.Error}");
        Assert.Contains("[setup] classes: 2 of 4 (3 west → 0, 1 east → 1)", outcome.Output);
        Match samples = Regex.Match(outcome.Output, @"\[setup\] samples: train (\d+), validation (\d+) ");
        Assert.True(samples.Success, "the samples decision line is missing");
        Assert.Equal(40, int.Parse(samples.Groups[1].Value) + int.Parse(samples.Groups[2].Value));
        Assert.Contains("[setup] fine-tuning: lora: rank 8, alpha 16 (scale 2) on 1 layer (classifier.fc1)", outcome.Output);
        Assert.Contains("validation classification report, epoch 1:", outcome.Output);
        Assert.Contains("validation classification report, epoch 2:", outcome.Output);

        JsonObject manifest = JsonNode.Parse(File.ReadAllText(Path.Combine(OutputFolder, "model.json")))!.AsObject();
        Assert.Equal(new[] { "west", "east" }, manifest["class_names"]!.AsArray().Select(name => name!.GetValue<string>()));
        Assert.Equal(2, manifest["architecture"]!["num_classes"]!.GetValue<int>());
        Assert.Equal("west,1", manifest["training"]!["classes"]!.GetValue<string>());

        JsonObject report = JsonNode.Parse(File.ReadAllText(Path.Combine(OutputFolder, "report.json")))!.AsObject();
        Assert.Equal(new[] { 3, 1 }, report["data"]!["source_class_indices"]!.AsArray().Select(index => index!.GetValue<int>()));
        Assert.Equal(new[] { "west", "east", "accuracy", "macro avg", "weighted avg" }, report["classification_report"]!.AsObject().Select(pair => pair.Key));

        string[] predictions = File.ReadAllLines(Path.Combine(OutputFolder, "test_predictions.csv"));
        Assert.Equal("label,west,east", predictions[0]);
        Assert.All(predictions.Skip(1), row => Assert.Matches("^(west|east),", row));
        Assert.Equal(report["data"]!["test_samples"]!.GetValue<int>(), predictions.Length - 1);

        string[] metrics = File.ReadAllLines(Path.Combine(OutputFolder, "metrics.jsonl"));
        Assert.Equal(2, metrics.Length);
        JsonObject epochReport = JsonNode.Parse(metrics[0])!["val_report"]!.AsObject();
        Assert.Equal(new[] { "west", "east" }, epochReport.Select(pair => pair.Key).Take(2));
        Assert.Contains("Validation F1 per epoch", File.ReadAllText(Path.Combine(OutputFolder, "report.html")));

        // eval --model applies the run's selection to the data, so it reproduces the test report.
        CliProcess.Outcome evaluation = CliProcess.Run("eval", "--model", OutputFolder, "--data", data, "--json");
        Assert.True(evaluation.ExitCode == 0, evaluation.Error);
        JsonObject evaluated = JsonNode.Parse(evaluation.Output)!.AsObject();
        Assert.Equal(report["accuracy"]!.GetValue<double>(), evaluated["accuracy"]!.GetValue<double>(), 12);
        Assert.Equal(predictions.Length - 1, evaluated["classification_report"]!["weighted avg"]!["support"]!.GetValue<int>());
    }

    private void AssertRejected(CliProcess.Outcome outcome, string expected)
    {
        Assert.Equal(2, outcome.ExitCode);
        string line = Assert.Single(outcome.ErrorLines);
        Assert.StartsWith("error: ", line);
        Assert.Contains(expected, line);
        Assert.False(Directory.Exists(OutputFolder), "a rejected run must not create its output folder");
    }

    [Theory]
    [InlineData("north,nowhere", "--classes 'north,nowhere': no class is named 'nowhere'; the classes are 'north', 'east', 'south', 'west', or pass indices 0 to 3")]
    [InlineData("0-4", "--classes '0-4': class index 4 is out of range; the data has classes 0 to 3")]
    [InlineData("0,2,south", "--classes '0,2,south' selects class 2 ('south') twice; list each class once")]
    [InlineData("east", "--classes 'east' selects 1 class; a classifier needs at least 2")]
    public void BadClasses_AreRejected(string classes, string expected)
    {
        string data = IdxFolder();

        AssertRejected(CliProcess.Run("train", "--data", data, "--classes", classes, "--out", OutputFolder), expected);
    }

    [Theory]
    [InlineData(new[] { "--finetune", "partial" }, "--finetune 'partial' is unknown: expected one of full, head, lora")]
    [InlineData(new[] { "--finetune", "head", "--backbone-lr-scale", "0.1" }, "--backbone-lr-scale goes with --finetune full")]
    [InlineData(new[] { "--freeze-bn" }, "--freeze-bn goes with --finetune head or lora")]
    [InlineData(new[] { "--finetune", "head", "--lora-rank", "4" }, "--lora-rank and --lora-alpha go with --finetune lora")]
    [InlineData(new[] { "--finetune", "lora", "--lora-alpha", "-1" }, "--lora-alpha -1 is out of range")]
    [InlineData(new[] { "--recipe", "vit-finetune" }, "--recipe 'vit-finetune' is unknown: expected one of resnet18-finetune")]
    public void BadFineTuningOptions_AreRejected(string[] options, string expected)
    {
        string[] arguments = new[] { "train" }.Concat(options).Concat(new[] { "--out", OutputFolder }).ToArray();

        AssertRejected(CliProcess.Run(arguments), expected);
    }

    [Fact]
    public void ResumeWithFineTuningOption_IsRejected()
    {
        CliProcess.Outcome outcome = CliProcess.Run("train", "--resume", folder.Path, "--finetune", "head");

        Assert.Equal(2, outcome.ExitCode);
        Assert.Contains("--finetune cannot be given with --resume", Assert.Single(outcome.ErrorLines));
    }
}
