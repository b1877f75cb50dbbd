using System.Globalization;
using Negentropy.Cleaning;
using Negentropy.Data;
using Negentropy.Tests.Cli;
using Xunit;
using Xunit.Abstractions;

namespace Negentropy.Tests.Cleaning;

/// <summary>
/// <c>negentropy clean</c> with its default settings on the first 10,000 Fashion-MNIST training images,
/// with 10% of the labels flipped uniformly to another class at known indices, and with none flipped.
/// </summary>
public sealed class CleanFashionMnistTests : IDisposable
{
    private const int Samples = 10_000;
    private readonly TemporaryFolder folder = new();
    private readonly ITestOutputHelper output;

    public CleanFashionMnistTests(ITestOutputHelper output) => this.output = output;

    public void Dispose() => folder.Dispose();

    [Fact]
    public void TenPercentFlipped_FoundPrecisely()
    {
        (string data, int[] flipped) = WriteNoisyFolder(folder.Combine("noisy"), rate: 0.1);

        IReadOnlyList<(int Index, string Reason)> rows = Clean(data, folder.Combine("clean"));

        int[] claimed = rows.Where(row => row.Reason != CleaningRun.DuplicateReason).Select(row => row.Index).ToArray();
        int found = claimed.Intersect(flipped).Count();
        double precision = (double)found / Math.Max(1, claimed.Length);
        double recall = (double)found / flipped.Length;
        output.WriteLine(FormattableString.Invariant($"flipped {flipped.Length}, flagged {claimed.Length}, found {found}: precision {precision:F4}, recall {recall:F4}"));
        Assert.True(precision >= 0.80, FormattableString.Invariant($"precision {precision:F4} is below 0.80 ({found} of {claimed.Length} flagged were flipped)"));
        Assert.True(recall >= 0.75, FormattableString.Invariant($"recall {recall:F4} is below 0.75 ({found} of {flipped.Length} flipped were flagged)"));
    }

    [Fact]
    public void NoneFlipped_FlagsUnderThreePercent()
    {
        (string data, _) = WriteNoisyFolder(folder.Combine("clean-labels"), rate: 0);

        IReadOnlyList<(int Index, string Reason)> rows = Clean(data, folder.Combine("clean"));

        double share = (double)rows.Count / Samples;
        output.WriteLine(FormattableString.Invariant($"flagged {rows.Count} of {Samples} ({share:P2}); {string.Join(", ", rows.GroupBy(r => r.Reason).Select(g => $"{g.Key} {g.Count()}"))}"));
        Assert.True(share < 0.03, FormattableString.Invariant($"{rows.Count} of {Samples} flagged ({share:P2}), expected under 3%"));
    }

    private static (string Folder, int[] Flipped) WriteNoisyFolder(string path, double rate)
    {
        Assert.True(FashionMnist.IsInstalled(), $"Fashion-MNIST is missing from {FashionMnist.DefaultDirectory}; .ci/run installs {FashionMnist.DebianPackage}");
        ImageDatasetPair pair = FashionMnist.Load();
        ImageDataset train = pair.Train.Take(Samples);
        (int[] labels, int[] flipped) = LabelNoise.FlipUniform(train.Labels, train.NumClasses, rate, seed: 7);
        IdxWriter.WriteFolder(path, new ImageDataset(train.Pixels, labels, 1, train.Height, train.Width, train.ClassNames), pair.Test.Take(100));
        return (path, flipped);
    }

    private static IReadOnlyList<(int Index, string Reason)> Clean(string data, string outputFolder)
    {
        CliProcess.Outcome outcome = CliProcess.Run(TimeSpan.FromMinutes(30), "clean", "--data", data, "--out", outputFolder, "--progress", "plain");
        Assert.True(outcome.ExitCode == 0, $"exit {outcome.ExitCode}: {outcome.Error}");
        return File.ReadLines(Path.Combine(outputFolder, LabelIssuesCsv.FileName)).Skip(1)
            .Select(line => line.Split(','))
            .Select(fields => (int.Parse(fields[0], CultureInfo.InvariantCulture), fields[^1]))
            .ToArray();
    }
}
