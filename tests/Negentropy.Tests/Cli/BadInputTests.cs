using Negentropy.Tests.Data;
using Xunit;

namespace Negentropy.Tests.Cli;

/// <summary>Each bad input gives one error line that names the value, exit code 2, no stack trace and no output folder.</summary>
public sealed class BadInputTests : IDisposable
{
    private readonly TemporaryFolder folder = new();

    public void Dispose() => folder.Dispose();

    private string OutputFolder => folder.Combine("out");

    private void AssertRejected(CliProcess.Outcome outcome, string expected)
    {
        Assert.Equal(2, outcome.ExitCode);
        string line = Assert.Single(outcome.ErrorLines);
        Assert.StartsWith("error: ", line);
        Assert.Contains(expected, line);
        Assert.DoesNotContain("   at ", outcome.Error);
        Assert.False(Directory.Exists(OutputFolder), "a rejected run must not create its output folder");
    }

    private string IdxFolder()
    {
        string data = folder.Combine("idx");
        Directory.CreateDirectory(data);
        IdxFiles.WriteFolder(data, trainCount: 40, testCount: 20);
        return data;
    }

    [Fact]
    public void NonNumericOption_NamesValue()
    {
        AssertRejected(CliProcess.Run("train", "--epochs", "many", "--out", OutputFolder), "--epochs 'many' is not a whole number");
    }

    [Fact]
    public void OutOfRangeOptions_AreAllListed()
    {
        CliProcess.Outcome outcome = CliProcess.Run("train", "--lr", "-0.5", "--batch-size", "0", "--val-fraction", "0.95", "--out", OutputFolder);

        AssertRejected(outcome, "--lr -0.5 is out of range");
        Assert.Contains("--batch-size 0 is out of range", outcome.Error);
        Assert.Contains("--val-fraction 0.95 is out of range", outcome.Error);
    }

    [Fact]
    public void UnknownModel_ListsChoices()
    {
        AssertRejected(CliProcess.Run("train", "--model", "vgg", "--out", OutputFolder), "--model 'vgg' is unknown: expected one of cnn, resnet");
    }

    [Fact]
    public void MissingDataPath_NamesPath()
    {
        string missing = folder.Combine("no-such-folder");

        AssertRejected(CliProcess.Run("train", "--data", missing, "--out", OutputFolder), $"--data '{missing}': not a known dataset");
    }

    [Fact]
    public void MissingFashionFolder_SaysHowToInstall()
    {
        string missing = folder.Combine("empty");
        Directory.CreateDirectory(missing);

        AssertRejected(CliProcess.Run("train", "--data", "fashion-mnist", "--data-dir", missing, "--out", OutputFolder), "Fashion-MNIST files not found in " + missing);
    }

    [Fact]
    public void TruncatedIdxFile_NamesFile()
    {
        string data = IdxFolder();
        string images = Path.Combine(data, "train-images-idx3-ubyte.gz");
        File.WriteAllBytes(images, IdxFiles.Gzip(IdxFiles.Images(40, 28, 28).AsSpan(0, 1000).ToArray()));

        AssertRejected(CliProcess.Run("train", "--data", data, "--out", OutputFolder), $"{images}: truncated IDX data");
    }

    [Fact]
    public void WrongMagicNumber_NamesFile()
    {
        string data = IdxFolder();
        string labels = Path.Combine(data, "t10k-labels-idx1-ubyte.gz");
        byte[] content = IdxFiles.Labels(new int[20]);
        content[0] = 0x1F;
        content[1] = 0x00;
        File.WriteAllBytes(labels, IdxFiles.Gzip(content));

        AssertRejected(CliProcess.Run("train", "--data", data, "--out", OutputFolder), $"{labels}: invalid IDX magic number 0x1F00");
    }

    [Fact]
    public void CountMismatch_NamesBothFiles()
    {
        string data = IdxFolder();
        File.WriteAllBytes(Path.Combine(data, "t10k-labels-idx1-ubyte.gz"), IdxFiles.Gzip(IdxFiles.Labels(new int[19])));

        AssertRejected(CliProcess.Run("train", "--data", data, "--out", OutputFolder), "contains 20 images but");
    }

    [Fact]
    public void MissingOut_SaysWhatToPass()
    {
        CliProcess.Outcome outcome = CliProcess.Run("train");

        Assert.Equal(2, outcome.ExitCode);
        Assert.Equal("error: --out is missing: pass the folder for the run's outputs (or --resume DIR to continue a run)", Assert.Single(outcome.ErrorLines));
    }

    [Fact]
    public void ExistingRun_IsNotOverwritten()
    {
        Directory.CreateDirectory(Path.Combine(OutputFolder, "checkpoints"));
        File.WriteAllText(Path.Combine(OutputFolder, "model.json"), "{}");

        CliProcess.Outcome outcome = CliProcess.Run("train", "--data", IdxFolder(), "--out", OutputFolder);

        Assert.Equal(2, outcome.ExitCode);
        Assert.Contains("already contains a training run; pass --resume", Assert.Single(outcome.ErrorLines));
        Assert.Equal("{}", File.ReadAllText(Path.Combine(OutputFolder, "model.json")));
    }

    [Fact]
    public void ResumeWithChangedOptions_IsRejected()
    {
        CliProcess.Outcome outcome = CliProcess.Run("train", "--resume", folder.Path, "--model", "resnet", "--lr", "0.1");

        Assert.Equal(2, outcome.ExitCode);
        Assert.Contains("--model, --lr cannot be given with --resume", Assert.Single(outcome.ErrorLines));
    }

    [Fact]
    public void DecimalComma_IsRejected()
    {
        AssertRejected(CliProcess.Run("train", "--lr", "0,01", "--out", OutputFolder), "--lr '0,01' is not a number; write decimals with a point");
    }

    [Fact]
    public void EmptyOut_IsRejected()
    {
        CliProcess.Outcome outcome = CliProcess.Run("train", "--out", "");

        Assert.Equal(2, outcome.ExitCode);
        Assert.Equal("error: --out is empty; pass a folder for the outputs", Assert.Single(outcome.ErrorLines));
    }

    [Fact]
    public void OutBelowFile_IsRejected()
    {
        string file = folder.Combine("a-file");
        File.WriteAllText(file, "x");

        CliProcess.Outcome outcome = CliProcess.Run("train", "--data", IdxFolder(), "--out", Path.Combine(file, "run"));

        Assert.Equal(2, outcome.ExitCode);
        Assert.Contains($"{file} is a file, so the folder cannot be created there", Assert.Single(outcome.ErrorLines));
    }

    [Fact]
    public void LabelBeyondTrainingClasses_IsRejected()
    {
        string data = IdxFolder();
        string testLabels = Path.Combine(data, "t10k-labels-idx1-ubyte.gz");
        int[] labels = new int[20];
        labels[3] = 15;
        File.WriteAllBytes(testLabels, IdxFiles.Gzip(IdxFiles.Labels(labels)));

        AssertRejected(CliProcess.Run("train", "--data", data, "--out", OutputFolder), $"{testLabels}: label 15 at index 3 is out of range");
    }

    [Fact]
    public void ResumeWithoutCheckpoint_NamesPath()
    {
        CliProcess.Outcome outcome = CliProcess.Run("train", "--resume", folder.Path);

        Assert.Equal(2, outcome.ExitCode);
        Assert.Contains(Path.Combine(folder.Path, "checkpoints", "last.ckpt") + ": checkpoint not found", Assert.Single(outcome.ErrorLines));
    }

    [Theory]
    [InlineData("--abstain-risk", "0", "--abstain-risk 0 is out of range: expected a share in (0, 1)")]
    [InlineData("--abstain-risk", "1", "--abstain-risk 1 is out of range: expected a share in (0, 1)")]
    [InlineData("--abstain-coverage", "0", "--abstain-coverage 0 is out of range: expected a share in (0, 1]")]
    [InlineData("--abstain-coverage", "1.5", "--abstain-coverage 1.5 is out of range: expected a share in (0, 1]")]
    [InlineData("--abstain-risk", "1%", "--abstain-risk '1%' is not a number")]
    public void AbstainTargetOutOfRange_IsRejected(string option, string value, string expected)
    {
        AssertRejected(CliProcess.Run("train", option, value, "--out", OutputFolder), expected);
    }

    [Fact]
    public void BothAbstainTargets_AreRejected()
    {
        AssertRejected(CliProcess.Run("train", "--abstain-risk", "0.02", "--abstain-coverage", "0.9", "--out", OutputFolder),
            "--abstain-risk and --abstain-coverage are mutually exclusive");
    }

    [Fact]
    public void ResumeWithAbstainTarget_IsRejected()
    {
        CliProcess.Outcome outcome = CliProcess.Run("train", "--resume", folder.Path, "--abstain-coverage", "0.9");

        Assert.Equal(2, outcome.ExitCode);
        Assert.Contains("--abstain-coverage cannot be given with --resume", Assert.Single(outcome.ErrorLines));
    }

    [Fact]
    public void Verbose_AddsStackTrace()
    {
        CliProcess.Outcome outcome = CliProcess.Run("train", "--data", folder.Combine("absent"), "--out", OutputFolder, "--verbose");

        Assert.Equal(2, outcome.ExitCode);
        Assert.StartsWith("error: ", outcome.ErrorLines[0]);
        Assert.Contains("   at ", outcome.Error);
    }
}
