using System.Text.Json.Nodes;
using Negentropy.Tests.Cli;
using Negentropy.Tests.Data;
using Xunit;

namespace Negentropy.Tests.Reporting;

public sealed class TensorBoardLogTests : IDisposable
{
    private readonly TemporaryFolder folder = new();

    public void Dispose() => folder.Dispose();

    [Fact]
    public void MaskedCrc32C_MatchesKnownValue()
    {
        // CRC32C("123456789") is 0xE3069283 (RFC 3720, appendix B.4); masked by TFRecord's rotate-and-add.
        uint crc = 0xE3069283;
        uint expected = unchecked(((crc >> 15) | (crc << 17)) + 0xA282EAD8);

        Assert.Equal(expected, TensorBoardEventReader.MaskedCrc32C("123456789"u8));
    }

    [Fact]
    public void EventFile_HoldsEpochScalarsAndHistogram()
    {
        string data = folder.Combine("idx");
        Directory.CreateDirectory(data);
        IdxFiles.WriteFolder(data, trainCount: 120, testCount: 30, classes: 4);
        string output = folder.Combine("run");

        CliProcess.Outcome outcome = CliProcess.Run("train", "--data", data, "--epochs", "2", "--threads", "1", "--out", output);

        Assert.True(outcome.ExitCode == 0, outcome.Error);
        string eventFile = Assert.Single(Directory.GetFiles(Path.Combine(output, "tensorboard"), "events.out.tfevents.*"));
        IReadOnlyList<TensorBoardEventReader.Event> events = TensorBoardEventReader.Read(File.ReadAllBytes(eventFile));
        Assert.Equal("brain.Event:2", events[0].FileVersion);

        string[] metrics = File.ReadAllLines(Path.Combine(output, "metrics.jsonl"));
        Assert.Equal(2, metrics.Length);
        var expectedTags = new Dictionary<string, string>
        {
            ["loss/train"] = "train_loss", ["loss/val"] = "val_loss", ["accuracy/val"] = "val_accuracy",
            ["entropy/val_mean"] = "val_mean_entropy_bits", ["information/bits_learned"] = "bits_learned",
            ["information/label_entropy"] = "label_entropy_bits", ["calibration/ece"] = "val_ece", ["lr"] = "lr",
            ["norm/grad"] = "grad_norm", ["norm/param"] = "param_norm", ["memory/rss_mb"] = "rss_mb",
        };
        foreach (string line in metrics)
        {
            JsonObject epoch = JsonNode.Parse(line)!.AsObject();
            int step = epoch["epoch"]!.GetValue<int>();
            var scalars = events.Where(e => e.Step == step).SelectMany(e => e.Values).Where(v => v.SimpleValue is not null)
                .ToDictionary(v => v.Tag, v => v.SimpleValue!.Value);
            foreach ((string tag, string key) in expectedTags)
            {
                Assert.True(scalars.ContainsKey(tag), $"epoch {step}: no scalar {tag}");
                Assert.Equal((float)epoch[key]!.GetValue<double>(), scalars[tag]);
            }
            TensorBoardEventReader.Histogram? histogram = events.Where(e => e.Step == step).SelectMany(e => e.Values)
                .SingleOrDefault(v => v.Tag == "entropy/val")?.Histogram;
            Assert.NotNull(histogram);
            long validationCount = epoch["val_entropy_histogram"]!["counts"]!.AsArray().Sum(c => c!.GetValue<long>());
            Assert.Equal(validationCount, (long)histogram.Count);
            Assert.InRange(histogram.Max, 0, 2.0 + 1e-6);
        }
    }

    [Fact]
    public void Reader_RejectsCorruptedRecord()
    {
        string data = folder.Combine("idx");
        Directory.CreateDirectory(data);
        IdxFiles.WriteFolder(data, trainCount: 60, testCount: 20, classes: 3);
        string output = folder.Combine("run");
        CliProcess.Outcome outcome = CliProcess.Run("train", "--data", data, "--epochs", "1", "--threads", "1", "--out", output);
        Assert.True(outcome.ExitCode == 0, outcome.Error);
        byte[] file = File.ReadAllBytes(Directory.GetFiles(Path.Combine(output, "tensorboard")).Single());

        file[^10] ^= 0xFF;

        var error = Assert.Throws<InvalidDataException>(() => TensorBoardEventReader.Read(file));
        Assert.Contains("CRC mismatch", error.Message);
    }

    [Fact]
    public void NoTensorBoard_WritesNoEvents()
    {
        string data = folder.Combine("idx");
        Directory.CreateDirectory(data);
        IdxFiles.WriteFolder(data, trainCount: 60, testCount: 20, classes: 3);
        string output = folder.Combine("run");

        CliProcess.Outcome outcome = CliProcess.Run("train", "--data", data, "--epochs", "1", "--threads", "1", "--no-tensorboard", "--out", output);

        Assert.True(outcome.ExitCode == 0, outcome.Error);
        Assert.False(Directory.Exists(Path.Combine(output, "tensorboard")));
        JsonObject epoch = JsonNode.Parse(File.ReadAllLines(Path.Combine(output, "metrics.jsonl")).Single())!.AsObject();
        foreach (string key in new[] { "train_loss_bits", "val_loss_bits", "val_entropy_correct_bits", "val_entropy_wrong_bits", "val_normalized_entropy", "label_entropy_bits", "bits_learned", "bits_learned_per_class", "val_ece", "grad_norm", "param_norm", "rss_mb", "val_entropy_histogram" })
        {
            Assert.True(epoch.ContainsKey(key), $"metrics.jsonl lacks {key}");
        }
        Assert.Equal(epoch["label_entropy_bits"]!.GetValue<double>() - epoch["val_loss_bits"]!.GetValue<double>(), epoch["bits_learned"]!.GetValue<double>(), 12);
        Assert.Equal(3, epoch["bits_learned_per_class"]!.AsArray().Count);
        double resident = epoch["rss_mb"]!.GetValue<double>();
        Assert.InRange(resident, 50, 64 * 1024);
        Assert.Equal(epoch["val_loss"]!.GetValue<double>() / Math.Log(2), epoch["val_loss_bits"]!.GetValue<double>(), 12);
    }
}
