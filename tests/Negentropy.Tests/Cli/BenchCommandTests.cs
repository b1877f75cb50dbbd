using System.Text.Json.Nodes;
using Xunit;

namespace Negentropy.Tests.Cli;

/// <summary><c>negentropy bench</c> for a few steps: the JSON line and the option checks.</summary>
public sealed class BenchCommandTests
{
    private static readonly string[] Fields =
    {
        "train_samples_per_second", "inference_samples_per_second", "latency_ms_batch1", "peak_rss_mb", "gflops_per_sample", "fraction_of_matmul_peak",
        "forward_ms_per_step", "backward_ms_per_step", "optimizer_ms_per_step",
    };

    [Fact]
    public void Bench_EndsWithTheJsonLine()
    {
        CliProcess.Outcome outcome = CliProcess.Run("bench", "--model", "cnn", "--steps", "2", "--warmup-steps", "1", "--inference-batches", "1",
            "--latency-runs", "3", "--batch-size", "16", "--threads", "1");

        Assert.True(outcome.ExitCode == 0, $"exit {outcome.ExitCode}: {outcome.Error}");
        JsonObject result = JsonNode.Parse(outcome.Output.TrimEnd().Split('\n')[^1])!.AsObject();
        foreach (string field in Fields)
        {
            double value = result[field]!.GetValue<double>();
            Assert.True(value > 0, $"{field} is {value}");
            Assert.True(double.IsFinite(value), $"{field} is {value}");
        }
        Assert.Equal(421_738, result["parameters"]!.GetValue<long>());
        Assert.Equal(new long[] { 16, 10 }, result["output_shape"]!.AsArray().Select(n => n!.GetValue<long>()));
        Assert.Equal(0.008482304, result["gflops_per_sample"]!.GetValue<double>(), 12);
    }

    [Fact]
    public void BadOptions_AreListedTogether()
    {
        CliProcess.Outcome outcome = CliProcess.Run("bench", "--model", "transformer", "--steps", "0");

        Assert.Equal(2, outcome.ExitCode);
        Assert.Single(outcome.ErrorLines);
        Assert.Contains("--model transformer is not benchmarked", outcome.Error);
        Assert.Contains("--steps 0 must be at least 1", outcome.Error);
    }
}
