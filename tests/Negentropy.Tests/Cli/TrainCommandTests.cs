using System.Globalization;
using System.Text.Json.Nodes;
using Negentropy.Data;
using Negentropy.Training;
using Xunit;

namespace Negentropy.Tests.Cli;

/// <summary>End-to-end runs on real Fashion-MNIST (Debian's dataset-fashion-mnist, installed by .ci/run).</summary>
public sealed class TrainCommandTests : IDisposable
{
    private readonly TemporaryFolder folder = new();

    public void Dispose() => folder.Dispose();

    [Fact]
    public void RealSubset_OneEpochWritesEveryOutput()
    {
        Assert.True(FashionMnist.IsInstalled(), $"Fashion-MNIST is missing from {FashionMnist.DefaultDirectory}; .ci/run installs {FashionMnist.DebianPackage}");
        string output = folder.Combine("run");

        CliProcess.Outcome outcome = CliProcess.Run("train", "--data", "fashion-mnist", "--model", "cnn", "--epochs", "1", "--limit", "2000", "--threads", "2", "--out", output);

        Assert.True(outcome.ExitCode == 0, $"exit {outcome.ExitCode}: {outcome.Error}");
        Assert.Contains("[setup] threads: 2", outcome.Output);
        var samples = System.Text.RegularExpressions.Regex.Match(outcome.Output, @"\[setup\] samples: train (\d+), validation (\d+) \(10%, stratified\), test 10000");
        Assert.True(samples.Success, "the samples decision line is missing");
        int trainCount = int.Parse(samples.Groups[1].Value, CultureInfo.InvariantCulture);
        int validationCount = int.Parse(samples.Groups[2].Value, CultureInfo.InvariantCulture);
        Assert.Equal(2000, trainCount + validationCount);
        Assert.InRange(validationCount, 195, 205);

        JsonObject report = JsonNode.Parse(File.ReadAllText(Path.Combine(output, "report.json")))!.AsObject();
        double accuracy = report["classification_report"]!["accuracy"]!.GetValue<double>();
        Assert.True(accuracy >= 0.70, $"test accuracy {accuracy:P2} is below 70%");
        Assert.Equal(10000, report["classification_report"]!["weighted avg"]!["support"]!.GetValue<long>());
        Assert.Equal(FashionMnist.ClassNames.Concat(new[] { "accuracy", "macro avg", "weighted avg" }),
            report["classification_report"]!.AsObject().Select(p => p.Key));

        string text = File.ReadAllText(Path.Combine(output, "classification_report.txt"));
        Assert.StartsWith("              precision    recall  f1-score   support\n\n", text);
        Assert.Contains("\n T-shirt/top ", text);
        Assert.Contains("weighted avg ", text);

        string[] metrics = File.ReadAllLines(Path.Combine(output, "metrics.jsonl"));
        JsonObject epoch = JsonNode.Parse(Assert.Single(metrics))!.AsObject();
        foreach (string key in new[] { "epoch", "train_loss", "val_loss", "val_accuracy", "lr", "val_mean_entropy_bits", "seconds" })
        {
            Assert.True(epoch.ContainsKey(key), $"metrics.jsonl lacks {key}");
        }
        Assert.Equal(1, epoch["epoch"]!.GetValue<int>());

        string[] predictions = File.ReadAllLines(Path.Combine(output, "test_predictions.csv"));
        Assert.Equal("label," + string.Join(',', FashionMnist.ClassNames), predictions[0]);
        Assert.Equal(10001, predictions.Length);
        string[] firstRow = predictions[1].Split(',');
        Assert.Equal("Ankle boot", firstRow[0]);
        double rowSum = firstRow.Skip(1).Sum(value => double.Parse(value, CultureInfo.InvariantCulture));
        Assert.Equal(1.0, rowSum, 6);

        JsonObject manifest = JsonNode.Parse(File.ReadAllText(Path.Combine(output, "model.json")))!.AsObject();
        Assert.Equal(1, manifest["format_version"]!.GetValue<int>());
        Assert.Equal("cnn", manifest["architecture"]!["architecture"]!.GetValue<string>());
        Assert.Equal(FashionMnist.ClassNames, manifest["class_names"]!.AsArray().Select(n => n!.GetValue<string>()));
        Assert.True(File.Exists(Path.Combine(output, "model.bin")));
        Assert.True(manifest["temperature"]!.GetValue<double>() > 0);
        Assert.Contains("bits learned H(Y) - cross-entropy", text);
        Assert.Contains("temperature scaling: T = ", text);
        Assert.Equal(report["log_loss"]!.GetValue<double>(), report["cross_entropy_bits"]!.GetValue<double>() * Math.Log(2), 12);

        // report.json contains exactly what 'negentropy eval --json' computes from test_predictions.csv.
        CliProcess.Outcome evaluation = CliProcess.Run("eval", "--predictions", Path.Combine(output, "test_predictions.csv"), "--json");
        Assert.True(evaluation.ExitCode == 0, evaluation.Error);
        JsonObject evaluated = JsonNode.Parse(evaluation.Output)!.AsObject();
        foreach ((string key, JsonNode? value) in evaluated)
        {
            Assert.True(report.ContainsKey(key), $"report.json lacks {key}");
            Assert.True(JsonNode.DeepEquals(value, report[key]), $"report.json and eval --json differ in {key}");
        }
        Assert.Equal(validationCount + 1, File.ReadAllLines(Path.Combine(output, "val_predictions.csv")).Length);

        // eval --model predicts the test set again from the saved weights.
        CliProcess.Outcome fromModel = CliProcess.Run("eval", "--model", output, "--data", "fashion-mnist", "--json");
        Assert.True(fromModel.ExitCode == 0, fromModel.Error);
        JsonObject modelJson = JsonNode.Parse(fromModel.Output)!.AsObject();
        Assert.Equal(report["accuracy"]!.GetValue<double>(), modelJson["accuracy"]!.GetValue<double>(), 12);
        Assert.Equal(report["log_loss"]!.GetValue<double>(), modelJson["log_loss"]!.GetValue<double>(), 6);
        Assert.Equal(manifest["temperature"]!.GetValue<double>(), modelJson["temperature_scaling"]!["temperature"]!.GetValue<double>(), 4);
        Assert.True(File.Exists(Path.Combine(output, "checkpoints", "best.ckpt")));
        Assert.Empty(Directory.GetFiles(output, "*.tmp", SearchOption.AllDirectories));
    }

    [Fact]
    public void IdxFolder_TrainsAndOverwrites()
    {
        string data = folder.Combine("idx");
        Directory.CreateDirectory(data);
        Negentropy.Tests.Data.IdxFiles.WriteFolder(data, trainCount: 120, testCount: 30, classes: 4);
        File.WriteAllLines(Path.Combine(data, "classes.txt"), new[] { "north", "east", "south", "west" });
        string output = folder.Combine("new", "nested");
        string[] arguments = { "train", "--data", data, "--epochs", "1", "--limit", "100", "--threads", "1", "--overwrite", "--out", output };

        CliProcess.Outcome first = CliProcess.Run(arguments);
        CliProcess.Outcome second = CliProcess.Run(arguments);

        Assert.True(first.ExitCode == 0, $"exit {first.ExitCode}: {first.Error}");
        Assert.True(second.ExitCode == 0, $"exit {second.ExitCode}: {second.Error}");
        Assert.Equal("label,north,east,south,west", File.ReadLines(Path.Combine(output, "test_predictions.csv")).First());
        Assert.Equal(31, File.ReadAllLines(Path.Combine(output, "test_predictions.csv")).Length);
        Assert.Contains("\"name\": \"idx-cnn\"", File.ReadAllText(Path.Combine(output, "model.json")));
    }

    [Fact]
    public void KilledRun_ResumesFromLastCheckpoint()
    {
        Assert.True(FashionMnist.IsInstalled(), $"Fashion-MNIST is missing from {FashionMnist.DefaultDirectory}");
        string output = folder.Combine("killed");
        string last = Path.Combine(output, "checkpoints", "last.ckpt");

        using (var process = System.Diagnostics.Process.Start(CliProcess.StartInfo(
            "train", "--limit", "3000", "--epochs", "2", "--batch-size", "16", "--threads", "1", "--checkpoint-interval", "0.2", "--out", output))!)
        {
            process.StandardOutput.ReadToEndAsync();
            process.StandardError.ReadToEndAsync();
            TrainingState? midEpoch = WaitForState(last, state => state.StepInEpoch > 0 && state.EpochsCompleted == 0, TimeSpan.FromMinutes(2));
            process.Kill();
            process.WaitForExit();
            Assert.NotNull(midEpoch);
        }

        TrainingState killed = Checkpoint.ReadState(last);
        Assert.Equal(0, killed.EpochsCompleted);
        Assert.True(killed.StepInEpoch > 0, "the last checkpoint should be from the middle of epoch 1");
        Assert.False(File.Exists(Path.Combine(output, "model.json")));

        CliProcess.Outcome resumed = CliProcess.Run("train", "--resume", output);

        Assert.True(resumed.ExitCode == 0, $"exit {resumed.ExitCode}: {resumed.Error}");
        Assert.Contains("resuming from", resumed.Output);
        Assert.Contains($"epoch 1, step {killed.StepInEpoch}", resumed.Output);
        Assert.Equal(2, File.ReadAllLines(Path.Combine(output, "metrics.jsonl")).Length);
        Assert.True(File.Exists(Path.Combine(output, "model.json")));
        Assert.Equal(2, Checkpoint.ReadState(last).EpochsCompleted);
    }

    [Fact]
    public async Task Sigterm_WritesCheckpointAndExits143()
    {
        Assert.True(FashionMnist.IsInstalled(), $"Fashion-MNIST is missing from {FashionMnist.DefaultDirectory}");
        string output = folder.Combine("terminated");
        string last = Path.Combine(output, "checkpoints", "last.ckpt");

        using var process = System.Diagnostics.Process.Start(CliProcess.StartInfo(
            "train", "--limit", "3000", "--epochs", "3", "--batch-size", "16", "--threads", "1", "--checkpoint-interval", "0", "--out", output))!;
        Task<string> error = process.StandardError.ReadToEndAsync();
        Task<string> standardOutput = process.StandardOutput.ReadToEndAsync();
        Assert.NotNull(WaitForState(last, state => true, TimeSpan.FromMinutes(2)));
        Thread.Sleep(500);
        Assert.Equal(0, Kill(process.Id, SignalTerminate));
        using var stopTimeout = new CancellationTokenSource(TimeSpan.FromMinutes(1));
        await process.WaitForExitAsync(stopTimeout.Token);

        Assert.Equal(143, process.ExitCode);
        Assert.Contains("stopped by SIGTERM; the last checkpoint was written", await error);
        TrainingState state = Checkpoint.ReadState(last);
        Assert.True(state.StepInEpoch > 0 || state.EpochsCompleted > 0, "the checkpoint written on SIGTERM should hold progress");
        await standardOutput;
    }

    private static TrainingState? WaitForState(string path, Func<TrainingState, bool> condition, TimeSpan timeout)
    {
        DateTime deadline = DateTime.UtcNow + timeout;
        while (DateTime.UtcNow < deadline)
        {
            if (File.Exists(path))
            {
                try
                {
                    TrainingState state = Checkpoint.ReadState(path);
                    if (condition(state))
                    {
                        return state;
                    }
                }
                catch (UserInputException)
                {
                    // Renamed over between the existence check and the read; try again.
                }
                catch (IOException)
                {
                    // As above.
                }
            }
            Thread.Sleep(50);
        }
        return null;
    }

    private const int SignalTerminate = 15;

    [System.Runtime.InteropServices.DllImport("libc", EntryPoint = "kill", SetLastError = true)]
    private static extern int Kill(int pid, int signal);
}
