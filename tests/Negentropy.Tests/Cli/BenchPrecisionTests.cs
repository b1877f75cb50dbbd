using System.Text.Json.Nodes;
using Xunit;

namespace Negentropy.Tests.Cli;

/// <summary><c>negentropy bench --precision</c> for a few steps: bf16 inference after fp32 training, and one-line errors.</summary>
public sealed class BenchPrecisionTests : IDisposable
{
    private static readonly string[] FewSteps =
    {
        "--steps", "2", "--warmup-steps", "1", "--inference-batches", "1", "--latency-runs", "2", "--threads", "1", "--batch-size", "16",
    };

    private readonly TemporaryFolder folder = new();

    public void Dispose() => folder.Dispose();

    [Theory]
    [InlineData("cnn", 10)]
    [InlineData("textcnn", 2)]
    public void Bf16_RunsInferenceInBf16(string model, long classes)
    {
        CliProcess.Outcome outcome = CliProcess.Run(["bench", "--model", model, "--precision", "bf16", .. FewSteps]);

        Assert.True(outcome.ExitCode == 0, $"exit {outcome.ExitCode}: {outcome.Error}");
        Assert.Contains("training in fp32, inference in bf16", outcome.Output);
        JsonObject result = JsonNode.Parse(outcome.Output.TrimEnd().Split('\n')[^1])!.AsObject();
        Assert.Equal("bf16", result["inference_precision"]!.GetValue<string>());
        Assert.Equal(new long[] { 16, classes }, result["output_shape"]!.AsArray().Select(n => n!.GetValue<long>()));
        foreach (string field in new[] { "train_samples_per_second", "inference_samples_per_second", "latency_ms_batch1" })
        {
            double value = result[field]!.GetValue<double>();
            Assert.True(value > 0, $"{field} is {value}");
            Assert.True(double.IsFinite(value), $"{field} is {value}");
        }
    }

    [Fact]
    public void Fp32_DoesNotReadCpuFlags()
    {
        var environment = new Dictionary<string, string> { ["NEGENTROPY_CPUINFO"] = folder.Combine("absent") };

        CliProcess.Outcome outcome = CliProcess.Run(TimeSpan.FromMinutes(2), environment, ["bench", "--model", "fasttext", "--precision", "fp32", .. FewSteps]);

        Assert.True(outcome.ExitCode == 0, $"exit {outcome.ExitCode}: {outcome.Error}");
        Assert.Contains("\"inference_precision\":\"fp32\"", outcome.Output);
    }

    [Fact]
    public void Help_SaysTrainingStaysFp32()
    {
        CliProcess.Outcome outcome = CliProcess.Run("bench", "--help");

        Assert.Equal(0, outcome.ExitCode);
        Assert.Contains("training always runs in fp32", outcome.Output);
    }

    [Fact]
    public void UnknownPrecision_FailsWithOneLine()
    {
        CliProcess.Outcome outcome = CliProcess.Run("bench", "--model", "cnn", "--precision", "fp16");

        Assert.Equal(2, outcome.ExitCode);
        Assert.Equal("error: --precision fp16 is unknown: expected fp32 or bf16", Assert.Single(outcome.ErrorLines));
    }

    [Fact]
    public void CpuWithoutBf16_FailsWithOneLine()
    {
        string cpuInfo = folder.Combine("cpuinfo");
        File.WriteAllText(cpuInfo, "processor\t: 0\nflags\t\t: fpu sse2 avx2\n");
        var environment = new Dictionary<string, string> { ["NEGENTROPY_CPUINFO"] = cpuInfo };

        CliProcess.Outcome outcome = CliProcess.Run(TimeSpan.FromMinutes(2), environment, ["bench", "--model", "cnn", "--precision", "bf16", .. FewSteps]);

        Assert.Equal(2, outcome.ExitCode);
        Assert.Equal($"error: --precision bf16 needs a CPU with AVX-512 BF16 or AMX-BF16, but the flags in {cpuInfo} have neither avx512_bf16 nor amx_bf16, so oneDNN would emulate bfloat16 slowly; use --precision fp32",
            Assert.Single(outcome.ErrorLines));
    }
}
