using System.Buffers.Binary;
using System.Text;
using System.Text.Json.Nodes;
using Negentropy.Tests.Data;
using Xunit;

namespace Negentropy.Tests.Cli;

/// <summary><c>negentropy bench</c> for a few steps: the JSON line, the saved pool and the option checks.</summary>
public sealed class BenchCommandTests : IDisposable
{
    private static readonly string[] FewSteps =
    {
        "--steps", "2", "--warmup-steps", "1", "--inference-batches", "1", "--latency-runs", "2", "--threads", "1",
    };

    private readonly TemporaryFolder folder = new();

    public void Dispose() => folder.Dispose();

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
        Assert.Equal("fp32", result["inference_precision"]!.GetValue<string>());
        Assert.Equal(421_738, result["parameters"]!.GetValue<long>());
        Assert.Equal(new long[] { 16, 10 }, result["output_shape"]!.AsArray().Select(n => n!.GetValue<long>()));
        Assert.Equal(0.008482304, result["gflops_per_sample"]!.GetValue<double>(), 12);
    }

    [Theory]
    [InlineData("4", "15")]
    [InlineData("8", "13")]
    public void NarrowResNet_OddBatchTwoThreads_Trains(string width, string batchSize)
    {
        // These settings crashed the process in the backward pass of a channels-last strided 1×1 convolution.
        CliProcess.Outcome outcome = CliProcess.Run("bench", "--model", "resnet", "--width", width, "--batch-size", batchSize, "--threads", "2",
            "--steps", "4", "--warmup-steps", "1", "--inference-batches", "1", "--latency-runs", "2");

        Assert.True(outcome.ExitCode == 0, $"exit {outcome.ExitCode}: {outcome.Error}");
        Assert.Contains("train_samples_per_second", outcome.Output.TrimEnd().Split('\n')[^1]);
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

    [Theory]
    [InlineData("resnet", "--depth", "9", "--depth 9 is invalid for resnet")]
    [InlineData("cnn", "--depth", "7", "--depth 7 is out of range for cnn")]
    [InlineData("cnn", "--save-pool", "/tmp", "--save-pool /tmp is not a writable file path")]
    public void BadShapeOrPoolPath_OneLineError(string model, string option, string value, string expected)
    {
        CliProcess.Outcome outcome = CliProcess.Run("bench", "--model", model, option, value, "--steps", "1");

        Assert.Equal(2, outcome.ExitCode);
        Assert.Single(outcome.ErrorLines);
        Assert.Contains(expected, outcome.Error);
    }

    [Theory]
    [InlineData("textcnn", 2_714_502, 0.0776716)]
    [InlineData("fasttext", 1_280_130, 0.00001664)]
    public void TextModel_EndsWithTheJsonLine(string model, long parameters, double gigaflops)
    {
        CliProcess.Outcome outcome = CliProcess.Run(["bench", "--model", model, "--batch-size", "16", .. FewSteps]);

        Assert.True(outcome.ExitCode == 0, $"exit {outcome.ExitCode}: {outcome.Error}");
        JsonObject result = LastJsonLine(outcome);
        foreach (string field in Fields)
        {
            double value = result[field]!.GetValue<double>();
            Assert.True(value > 0, $"{field} is {value}");
            Assert.True(double.IsFinite(value), $"{field} is {value}");
        }
        Assert.Equal("synthetic", result["data"]!.GetValue<string>());
        Assert.Equal(parameters, result["parameters"]!.GetValue<long>());
        Assert.Equal(new long[] { 16, 2 }, result["output_shape"]!.AsArray().Select(n => n!.GetValue<long>()));
        Assert.Equal(20_000, result["vocabulary_size"]!.GetValue<int>());
        Assert.Equal(256, result["sequence_length"]!.GetValue<int>());
        Assert.Equal(gigaflops, result["gflops_per_sample"]!.GetValue<double>(), 12);
    }

    [Fact]
    public void SyntheticTextPool_HasTrailingPadding()
    {
        string pool = folder.Combine("synthetic.pool");

        CliProcess.Outcome outcome = CliProcess.Run(["bench", "--model", "fasttext", "--batch-size", "8", "--sequence-length", "40",
            "--vocabulary-size", "100", "--save-pool", pool, .. FewSteps]);

        Assert.True(outcome.ExitCode == 0, $"exit {outcome.ExitCode}: {outcome.Error}");
        (JsonObject header, long[][] rows, long[] labels) = ReadPool(pool);
        Assert.Equal("synthetic", header["data"]!.GetValue<string>());
        Assert.Equal(100, header["vocabulary_size"]!.GetValue<int>());
        Assert.Equal(8 * 8, rows.Length);
        foreach (long[] row in rows)
        {
            int tokens = AssertTrailingPadding(row, vocabulary: 100);
            Assert.InRange(tokens, 20, 40);
        }
        Assert.Contains(rows, row => row[^1] == 0);
        Assert.All(labels, label => Assert.InRange(label, 0, 1));
    }

    [Fact]
    public void SpamAssassin_SavesTheTokenizedPool()
    {
        string package = FakeSpamAssassinPackage.Write(folder.Combine("package"), perGroup: 10);
        string pool = folder.Combine("spam.pool");

        CliProcess.Outcome outcome = CliProcess.Run(["bench", "--model", "textcnn", "--data", "spam-assassin", "--source", package,
            "--cache-dir", folder.Combine("cache"), "--batch-size", "4", "--sequence-length", "32", "--save-pool", pool, .. FewSteps]);

        Assert.True(outcome.ExitCode == 0, $"exit {outcome.ExitCode}: {outcome.Error}");
        JsonObject result = LastJsonLine(outcome);
        Assert.Equal("spam-assassin", result["data"]!.GetValue<string>());
        Assert.Contains("36 training texts of 50 messages; word tokenizer", outcome.Output);
        (JsonObject header, long[][] rows, long[] labels) = ReadPool(pool);
        int vocabulary = result["vocabulary_size"]!.GetValue<int>();
        Assert.Equal("textcnn", header["model"]!.GetValue<string>());
        Assert.Equal("spam-assassin", header["data"]!.GetValue<string>());
        Assert.Equal("word", header["tokenizer"]!.GetValue<string>());
        Assert.Equal(new long[] { 4, 32 }, header["input_shape"]!.AsArray().Select(n => n!.GetValue<long>()));
        Assert.Equal(vocabulary, header["vocabulary_size"]!.GetValue<int>());
        Assert.Equal(32, rows.Length);
        foreach (long[] row in rows)
        {
            AssertTrailingPadding(row, vocabulary);
        }
        Assert.Equal(new long[] { 0, 1 }, labels.Distinct().Order());
    }

    [Theory]
    [InlineData("--data fashion-mnist contains images, but --model textcnn reads token ids", "--model", "textcnn", "--data", "fashion-mnist")]
    [InlineData("--data spam-assassin contains texts, but --model cnn reads images", "--model", "cnn", "--data", "spam-assassin")]
    [InlineData("--sequence-length applies to text models (textcnn, fasttext), not to resnet", "--model", "resnet", "--sequence-length", "64")]
    [InlineData("--depth applies to image models only; fasttext has a fixed number of layers", "--model", "fasttext", "--depth", "2")]
    [InlineData("--source applies to --data spam-assassin only", "--model", "textcnn", "--source", "/tmp")]
    [InlineData("--vocabulary-size 8 is out of range: expected 16 to 16777216", "--model", "fasttext", "--vocabulary-size", "8")]
    public void MismatchedOption_IsOneErrorLine(string expected, params string[] arguments)
    {
        CliProcess.Outcome outcome = CliProcess.Run(["bench", .. arguments]);

        Assert.Equal(2, outcome.ExitCode);
        Assert.Contains(expected, Assert.Single(outcome.ErrorLines));
    }

    [Fact]
    public void MissingSpamAssassinSource_IsOneErrorLine()
    {
        string missing = folder.Combine("no-such-package");

        CliProcess.Outcome outcome = CliProcess.Run(["bench", "--model", "fasttext", "--data", "spam-assassin", "--source", missing, .. FewSteps]);

        Assert.Equal(2, outcome.ExitCode);
        Assert.Contains($"--source {missing}: not found", Assert.Single(outcome.ErrorLines));
    }

    private static JsonObject LastJsonLine(CliProcess.Outcome outcome) =>
        JsonNode.Parse(outcome.Output.TrimEnd().Split('\n')[^1])!.AsObject();

    // Asserts that every id is in [0, vocabulary) and that no token follows a padding id; returns the token count.
    private static int AssertTrailingPadding(long[] row, int vocabulary)
    {
        Assert.All(row, id => Assert.InRange(id, 0, vocabulary - 1));
        int tokens = Array.IndexOf(row, 0L) is int first and >= 0 ? first : row.Length;
        Assert.All(row[tokens..], id => Assert.Equal(0, id));
        return tokens;
    }

    // Parses the layout that BenchPoolFile documents, for int64 token pools, checking the file length.
    private static (JsonObject Header, long[][] Rows, long[] Labels) ReadPool(string path)
    {
        byte[] bytes = File.ReadAllBytes(path);
        Assert.Equal("NGBPOOL1", Encoding.ASCII.GetString(bytes, 0, 8));
        int headerLength = (int)BinaryPrimitives.ReadUInt32LittleEndian(bytes.AsSpan(8));
        JsonObject header = JsonNode.Parse(Encoding.UTF8.GetString(bytes, 12, headerLength))!.AsObject();
        Assert.Equal("int64", header["input_dtype"]!.GetValue<string>());
        int batches = header["batches"]!.GetValue<int>();
        long[] shape = header["input_shape"]!.AsArray().Select(n => n!.GetValue<long>()).ToArray();
        int rowCount = batches * (int)shape[0];
        int length = (int)shape[1];
        Assert.Equal(length, header["sequence_length"]!.GetValue<int>());
        Assert.Equal(12 + headerLength + (8L * rowCount * length) + (8L * rowCount), bytes.Length);

        int offset = 12 + headerLength;
        var rows = new long[rowCount][];
        for (int r = 0; r < rowCount; r++)
        {
            rows[r] = new long[length];
            for (int t = 0; t < length; t++, offset += 8)
            {
                rows[r][t] = BinaryPrimitives.ReadInt64LittleEndian(bytes.AsSpan(offset));
            }
        }
        var labels = new long[rowCount];
        for (int r = 0; r < rowCount; r++, offset += 8)
        {
            labels[r] = BinaryPrimitives.ReadInt64LittleEndian(bytes.AsSpan(offset));
        }
        return (header, rows, labels);
    }
}
