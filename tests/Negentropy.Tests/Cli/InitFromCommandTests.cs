using System.Text.Json.Nodes;
using Negentropy.Data;
using Negentropy.Tests.Training;
using Xunit;

namespace Negentropy.Tests.Cli;

/// <summary>
/// <c>negentropy train --init-from</c> end to end: a reduced-width resnet18 starts from the torchvision
/// parity fixture with a re-created head, trains one epoch on a tiny generated IDX set, and its model
/// folder then serves as the initial weights of another run.
/// </summary>
public sealed class InitFromCommandTests : IDisposable
{
    private readonly TemporaryFolder folder = new();

    public void Dispose() => folder.Dispose();

    private static string FixtureWeights => Path.Combine(AppContext.BaseDirectory, "Fixtures", "resnet18_parity", "state_dict.pth");

    [Fact]
    public void ReplaceHead_TrainsAndRecordsSource()
    {
        string data = WriteIdxFolder();
        string run = folder.Combine("run");

        CliProcess.Outcome outcome = CliProcess.Run(
            "train", "--data", data, "--model", "resnet18", "--width", "4", "--epochs", "1", "--batch-size", "16", "--threads", "2",
            "--init-from", FixtureWeights, "--replace-head", "--no-tensorboard", "--out", run);

        Assert.True(outcome.ExitCode == 0, $"exit {outcome.ExitCode}: {outcome.Error}");
        Assert.Contains("[setup] input adapter: 1 channel repeated to 3, bilinear resize 28x28 to 64x64, inside the model", outcome.Output);
        Assert.Contains($"[setup] initial weights: 120 of 122 tensors from {FixtureWeights} (pytorch-zip-pickle), strict; head re-created: fc.weight, fc.bias", outcome.Output);

        JsonObject manifest = ReadJson(Path.Combine(run, "model.json"));
        JsonObject adapter = manifest["architecture"]!["input_adapter"]!.AsObject();
        Assert.Equal(1, adapter["input_channels"]!.GetValue<int>());
        Assert.Equal(3, adapter["channels"]!.GetValue<int>());
        Assert.Equal(64, adapter["height"]!.GetValue<int>());
        JsonObject initial = manifest["initial_weights"]!.AsObject();
        Assert.Equal(FixtureWeights, initial["source"]!.GetValue<string>());
        Assert.Equal(120, initial["loaded"]!.GetValue<int>());
        Assert.Equal(new[] { "fc.weight", "fc.bias" }, initial["replaced_head"]!.AsArray().Select(n => n!.GetValue<string>()));
        Assert.Equal(FixtureWeights, manifest["training"]!["init_from"]!.GetValue<string>());
        Assert.True(manifest["training"]!["replace_head"]!.GetValue<bool>());
        JsonObject report = ReadJson(Path.Combine(run, "report.json"));
        Assert.Equal(120, report["model"]!["initial_weights"]!["loaded"]!.GetValue<int>());

        // The saved run is a Negentropy model folder with the same classes, so it loads whole and strictly.
        string second = folder.Combine("second");
        CliProcess.Outcome again = CliProcess.Run(
            "train", "--data", data, "--model", "resnet18", "--width", "4", "--epochs", "1", "--batch-size", "16", "--threads", "2",
            "--init-from", run, "--no-tensorboard", "--out", second);

        Assert.True(again.ExitCode == 0, $"exit {again.ExitCode}: {again.Error}");
        Assert.Contains($"[setup] initial weights: 122 of 122 tensors from {run} (torchsharp-module-save), strict", again.Output);

        // eval rebuilds the model, adapter included, from model.json alone.
        CliProcess.Outcome evaluation = CliProcess.Run("eval", "--model", second, "--data", data, "--json");
        Assert.True(evaluation.ExitCode == 0, $"exit {evaluation.ExitCode}: {evaluation.Error}");
        Assert.Equal(30, JsonNode.Parse(evaluation.Output)!["classification_report"]!["weighted avg"]!["support"]!.GetValue<long>());
    }

    [Fact]
    public void HeadMismatch_RejectedBeforeOutput()
    {
        string data = WriteIdxFolder();
        string run = folder.Combine("run");

        CliProcess.Outcome outcome = CliProcess.Run(
            "train", "--data", data, "--model", "resnet18", "--width", "4", "--epochs", "1", "--init-from", FixtureWeights, "--out", run);

        Assert.Equal(2, outcome.ExitCode);
        string line = Assert.Single(outcome.ErrorLines);
        Assert.Contains(FixtureWeights, line);
        Assert.Contains("fc.weight: model [3, 32], file [10, 32]", line);
        Assert.Contains("--replace-head", line);
        Assert.False(Directory.Exists(run), "a rejected run must not create its output folder");
    }

    [Fact]
    public void UnknownExtension_OneLineError()
    {
        string data = WriteIdxFolder();
        string weights = folder.Combine("weights.onnx");
        File.WriteAllBytes(weights, new byte[] { 1, 2, 3 });
        string run = folder.Combine("run");

        CliProcess.Outcome outcome = CliProcess.Run(
            "train", "--data", data, "--model", "resnet18", "--width", "4", "--init-from", weights, "--replace-head", "--out", run);

        Assert.Equal(2, outcome.ExitCode);
        string line = Assert.Single(outcome.ErrorLines);
        Assert.Contains($"{weights}: unknown weights extension '.onnx'", line);
        Assert.False(Directory.Exists(run), "a rejected run must not create its output folder");
    }

    [Fact]
    public void ReplaceHeadWithoutInitFrom_Rejected()
    {
        CliProcess.Outcome outcome = CliProcess.Run("train", "--model", "resnet18", "--replace-head", "--input-size", "10x", "--out", folder.Combine("run"));

        Assert.Equal(2, outcome.ExitCode);
        string line = Assert.Single(outcome.ErrorLines);
        Assert.Contains("--strict and --replace-head go with --init-from", line);
        Assert.Contains("--input-size '10x' is invalid", line);
    }

    private string WriteIdxFolder()
    {
        string data = folder.Combine("idx");
        IdxWriter.WriteFolder(data, TinyData.Create(120, classes: 3), TinyData.Create(30, classes: 3, seed: 5));
        return data;
    }

    private static JsonObject ReadJson(string path) => JsonNode.Parse(File.ReadAllText(path))!.AsObject();
}
