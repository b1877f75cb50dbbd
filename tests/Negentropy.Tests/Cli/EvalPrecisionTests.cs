using System.Text;
using System.Text.Json.Nodes;
using Negentropy.Data;
using Xunit;

namespace Negentropy.Tests.Cli;

/// <summary><c>negentropy eval --model --precision</c>: bf16 predictions agree with fp32, the output states the precision, and bad requests fail in one line.</summary>
public sealed class EvalPrecisionTests : IDisposable
{
    private readonly TemporaryFolder folder = new();

    public void Dispose() => folder.Dispose();

    [Fact]
    public void ImageModel_Bf16AccuracyMatchesFp32()
    {
        Assert.True(FashionMnist.IsInstalled(), $"Fashion-MNIST is missing from {FashionMnist.DefaultDirectory}; .ci/run installs {FashionMnist.DebianPackage}");
        string model = folder.Combine("cnn");
        CliProcess.Outcome train = CliProcess.Run("train", "--data", "fashion-mnist", "--epochs", "1", "--limit", "2000", "--width", "8",
            "--threads", "1", "--no-tensorboard", "--out", model);
        Assert.True(train.ExitCode == 0, $"train exited with {train.ExitCode}: {train.Error}");

        CliProcess.Outcome fp32 = CliProcess.Run("eval", "--model", model, "--data", "fashion-mnist", "--json");
        CliProcess.Outcome bf16 = CliProcess.Run("eval", "--model", model, "--data", "fashion-mnist", "--precision", "bf16", "--json");
        CliProcess.Outcome bf16Text = CliProcess.Run("eval", "--model", model, "--data", "fashion-mnist", "--precision", "bf16");

        Assert.True(fp32.ExitCode == 0, $"fp32 eval exited with {fp32.ExitCode}: {fp32.Error}");
        Assert.True(bf16.ExitCode == 0, $"bf16 eval exited with {bf16.ExitCode}: {bf16.Error}");
        Assert.True(bf16Text.ExitCode == 0, $"bf16 text eval exited with {bf16Text.ExitCode}: {bf16Text.Error}");
        JsonNode fp32Json = JsonNode.Parse(fp32.Output)!;
        JsonNode bf16Json = JsonNode.Parse(bf16.Output)!;
        Assert.Equal("fp32", fp32Json["inference_precision"]!.GetValue<string>());
        Assert.Equal("bf16", bf16Json["inference_precision"]!.GetValue<string>());
        double fp32Accuracy = fp32Json["accuracy"]!.GetValue<double>();
        double bf16Accuracy = bf16Json["accuracy"]!.GetValue<double>();
        Assert.True(fp32Accuracy >= 0.6, $"fp32 test accuracy {fp32Accuracy:P2} is below 60%");
        Assert.True(Math.Abs(bf16Accuracy - fp32Accuracy) <= 0.01, $"bf16 test accuracy {bf16Accuracy:P2} is more than 1 point from fp32's {fp32Accuracy:P2}");
        Assert.Equal(fp32Json["log_loss"]!.GetValue<double>(), bf16Json["log_loss"]!.GetValue<double>(), 0.02);
        Assert.Contains("inference precision: bf16\n", bf16Text.Output);
    }

    [Fact]
    public void TextModel_Bf16AccuracyMatchesFp32()
    {
        var table = new StringBuilder("text,label\n");
        string[] colors = { "red", "green", "blue" };
        var random = new Random(4);
        for (int i = 0; i < 150; i++)
        {
            string filler = string.Join(' ', Enumerable.Range(0, 6).Select(_ => $"word{random.Next(40)}"));
            table.Append(filler).Append(' ').Append(colors[i % 3]).Append(" item,").Append(colors[i % 3]).Append('\n');
        }
        string data = folder.Combine("colors.csv");
        File.WriteAllText(data, table.ToString());
        string model = folder.Combine("textcnn");
        CliProcess.Outcome train = CliProcess.Run("train", "--data", data, "--model", "textcnn", "--lr", "0.003", "--epochs", "8", "--patience", "0",
            "--batch-size", "16", "--threads", "1", "--min-count", "1", "--no-tensorboard", "--out", model);
        Assert.True(train.ExitCode == 0, $"train exited with {train.ExitCode}: {train.Error}");

        CliProcess.Outcome fp32 = CliProcess.Run("eval", "--model", model, "--data", data, "--json");
        CliProcess.Outcome bf16 = CliProcess.Run("eval", "--model", model, "--data", data, "--precision", "bf16", "--json");

        Assert.True(fp32.ExitCode == 0, $"fp32 eval exited with {fp32.ExitCode}: {fp32.Error}");
        Assert.True(bf16.ExitCode == 0, $"bf16 eval exited with {bf16.ExitCode}: {bf16.Error}");
        JsonNode fp32Json = JsonNode.Parse(fp32.Output)!;
        JsonNode bf16Json = JsonNode.Parse(bf16.Output)!;
        Assert.Equal("bf16", bf16Json["inference_precision"]!.GetValue<string>());
        Assert.Equal(fp32Json["accuracy"]!.GetValue<double>(), bf16Json["accuracy"]!.GetValue<double>(), 0.01);
        Assert.Equal(fp32Json["log_loss"]!.GetValue<double>(), bf16Json["log_loss"]!.GetValue<double>(), 0.02);
    }

    [Fact]
    public void UnknownPrecision_FailsWithOneLine()
    {
        CliProcess.Outcome outcome = CliProcess.Run("eval", "--model", folder.Combine("absent"), "--data", "fashion-mnist", "--precision", "fp16");

        Assert.Equal(2, outcome.ExitCode);
        Assert.Equal("error: --precision fp16 is unknown: expected fp32 or bf16", Assert.Single(outcome.ErrorLines));
    }

    [Fact]
    public void CpuWithoutBf16_FailsWithOneLine()
    {
        string cpuInfo = folder.Combine("cpuinfo");
        File.WriteAllText(cpuInfo, "processor\t: 0\nflags\t\t: fpu sse2 avx avx2 fma avx512f\n");
        var environment = new Dictionary<string, string> { ["NEGENTROPY_CPUINFO"] = cpuInfo };

        CliProcess.Outcome outcome = CliProcess.Run(TimeSpan.FromMinutes(2), environment,
            "eval", "--model", folder.Combine("absent"), "--data", "fashion-mnist", "--precision", "bf16");

        Assert.Equal(2, outcome.ExitCode);
        string line = Assert.Single(outcome.ErrorLines);
        Assert.Equal($"error: --precision bf16 needs a CPU with AVX-512 BF16 or AMX-BF16, but the flags in {cpuInfo} have neither avx512_bf16 nor amx_bf16, so oneDNN would emulate bfloat16 slowly; use --precision fp32", line);
    }

    [Fact]
    public void Bf16WithPredictions_IsRejected()
    {
        string predictions = folder.Combine("predictions.csv");
        File.WriteAllText(predictions, "label,a,b\na,0.9,0.1\nb,0.2,0.8\n");

        CliProcess.Outcome outcome = CliProcess.Run("eval", "--predictions", predictions, "--precision", "bf16");

        Assert.Equal(2, outcome.ExitCode);
        Assert.Equal("error: --precision bf16 goes with --model; a predictions CSV already contains the probabilities", Assert.Single(outcome.ErrorLines));
    }
}
