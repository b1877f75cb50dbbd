using System.Globalization;
using System.Text.Json.Nodes;
using Negentropy.Cleaning;
using Negentropy.Data;
using Negentropy.Reporting;
using Negentropy.Tests.Cli;
using Negentropy.Tests.Training;
using Xunit;

namespace Negentropy.Tests.Cleaning;

/// <summary>Fast checks of clean's parts and outputs on generated data.</summary>
public sealed class CleaningRunTests : IDisposable
{
    private readonly TemporaryFolder folder = new();

    public void Dispose() => folder.Dispose();

    [Fact]
    public void StratifiedKFold_BalancesFoldsAndClassesDeterministically()
    {
        // Three unequal classes: multiples of 3, other multiples of 7, and the rest.
        int[] labels = new int[103];
        for (int i = 0; i < labels.Length; i++)
        {
            labels[i] = i % 3 == 0 ? 0 : 1;
            if (labels[i] == 1 && i % 7 == 0)
            {
                labels[i] = 2;
            }
        }

        int[] folds = StratifiedKFold.Assign(labels, 5, seed: 3);

        Assert.Equal(folds, StratifiedKFold.Assign(labels, 5, seed: 3));
        Assert.NotEqual(folds, StratifiedKFold.Assign(labels, 5, seed: 4));
        int[] sizes = Enumerable.Range(0, 5).Select(f => folds.Count(x => x == f)).ToArray();
        Assert.True(sizes.Max() - sizes.Min() <= 1, $"fold sizes {string.Join(",", sizes)}");
        for (int k = 0; k < 3; k++)
        {
            int[] perFold = Enumerable.Range(0, 5).Select(f => Enumerable.Range(0, labels.Length).Count(i => labels[i] == k && folds[i] == f)).ToArray();
            Assert.True(perFold.Max() - perFold.Min() <= 1, $"class {k} per fold {string.Join(",", perFold)}");
        }
    }

    [Fact]
    public void LabelNoise_FlipsRequestedShare()
    {
        int[] labels = Enumerable.Range(0, 1000).Select(i => i % 4).ToArray();

        (int[] noisy, int[] flipped) = LabelNoise.FlipUniform(labels, 4, 0.1, seed: 9);

        Assert.Equal(100, flipped.Length);
        Assert.All(flipped, i => Assert.NotEqual(labels[i], noisy[i]));
        Assert.Equal(900, Enumerable.Range(0, 1000).Count(i => labels[i] == noisy[i]));
        Assert.Equal(noisy, LabelNoise.FlipUniform(labels, 4, 0.1, seed: 9).Labels);
        // Every other class is reachable from class 0.
        Assert.Equal(3, flipped.Where(i => labels[i] == 0).Select(i => noisy[i]).Distinct().Count());
    }

    [Fact]
    public void GivenProbabilities_FlagsFlippedSamples()
    {
        (string data, int[] wrong) = WriteTinyIdx(folder.Combine("data"), count: 90, flips: new[] { 4, 17, 33 });
        // Out-of-sample probabilities that know the true class of every sample.
        ImageDataset clean = TinyData.Create(90);
        string probabilities = folder.Combine("probs.csv");
        var lines = new List<string> { "index,label,band 0,band 1,band 2" };
        for (int i = 89; i >= 0; i--)
        {
            string[] p = Enumerable.Range(0, 3).Select(k => k == clean.Labels[i] ? "0.9" : "0.05").ToArray();
            lines.Add($"{i},band {ReadLabels(data)[i]},{string.Join(',', p)}");
        }
        File.WriteAllLines(probabilities, lines);
        string output = folder.Combine("clean");

        CliProcess.Outcome outcome = CliProcess.Run("clean", "--data", data, "--probabilities", probabilities, "--out", output, "--progress", "plain");

        Assert.True(outcome.ExitCode == 0, $"exit {outcome.ExitCode}: {outcome.Error}");
        string[] rows = File.ReadAllLines(Path.Combine(output, LabelIssuesCsv.FileName));
        Assert.Equal("index,given_label,suggested_label,quality,reason", rows[0]);
        int[] flagged = rows.Skip(1).Select(row => int.Parse(row.Split(',')[0], CultureInfo.InvariantCulture)).Order().ToArray();
        Assert.Equal(wrong, flagged);
        Assert.All(rows.Skip(1), row => Assert.EndsWith(",label_issue", row));
        string first = rows[1];
        int index = int.Parse(first.Split(',')[0], CultureInfo.InvariantCulture);
        Assert.Equal($"band {clean.Labels[index]}", first.Split(',')[2]);

        JsonObject summary = JsonNode.Parse(File.ReadAllText(Path.Combine(output, CleaningRun.SummaryFileName)))!.AsObject();
        Assert.Equal(90, summary["samples"]!.GetValue<int>());
        Assert.Equal(3, summary["counts"]!["label_issue"]!.GetValue<int>());
        Assert.Equal(3.0 / 90, summary["noise_rate"]!.GetValue<double>(), 9);
        Assert.Equal(3, summary["joint"]!.AsArray().Count);
        string page = File.ReadAllText(Path.Combine(output, IssuesPage.FileName));
        Assert.Equal(3, System.Text.RegularExpressions.Regex.Matches(page, "data:image/png;base64,").Count);
        Assert.False(File.Exists(Path.Combine(output, CleaningRun.ProbabilitiesFileName)), "probabilities were given, so none are written");
    }

    [Fact]
    public void ExactDuplicatesWithConflictingLabelsComeFirst()
    {
        ImageDataset tiny = TinyData.Create(30);
        byte[] pixels = (byte[])tiny.Pixels.Clone();
        int size = tiny.ImageSize;
        Array.Copy(pixels, 2 * size, pixels, 20 * size, size);
        Array.Copy(pixels, 5 * size, pixels, 25 * size, size);
        int[] truth = (int[])tiny.Labels.Clone();
        truth[20] = truth[2];
        truth[25] = truth[5];
        int[] labels = (int[])truth.Clone();
        labels[20] = (truth[20] + 1) % 3;
        var data = new ImageDataset(pixels, labels, 1, 28, 28, tiny.ClassNames);
        double[] probabilities = Enumerable.Range(0, 30).SelectMany(i => Enumerable.Range(0, 3).Select(k => k == truth[i] ? 0.8 : 0.1)).ToArray();
        ConfidentLearning.Result estimates = ConfidentLearning.Find(labels, probabilities, 3);

        IReadOnlyList<LabelIssuesCsv.Row> rows = CleaningRun.MergeRows(estimates, DuplicateFinder.Find(data), data, probabilities, ConfidentLearning.Ranking.SelfConfidence);

        Assert.Equal(2, rows.Count);
        Assert.Equal(new LabelIssuesCsv.Row(20, labels[20], labels[2], 0.1, CleaningRun.ConflictingDuplicateReason), rows[0]);
        Assert.Equal(new LabelIssuesCsv.Row(25, labels[25], labels[25], 0.8, CleaningRun.DuplicateReason), rows[1]);
    }

    [Fact]
    public void CrossValidation_ReusesFinishedFoldsAfterAnInterruption()
    {
        (string data, _) = WriteTinyIdx(folder.Combine("data"), count: 120, flips: new[] { 7 });
        string output = folder.Combine("clean");
        string[] arguments = { "clean", "--data", data, "--out", output, "--folds", "2", "--epochs", "2", "--threads", "1", "--progress", "plain" };

        CliProcess.Outcome first = CliProcess.Run(arguments);
        Assert.True(first.ExitCode == 0, $"exit {first.ExitCode}: {first.Error}");
        string firstProbabilities = File.ReadAllText(Path.Combine(output, CleaningRun.ProbabilitiesFileName));
        File.Delete(Path.Combine(output, CleaningRun.FoldsFolderName, "fold-1.csv"));

        CliProcess.Outcome second = CliProcess.Run(arguments);

        Assert.True(second.ExitCode == 0, $"exit {second.ExitCode}: {second.Error}");
        Assert.Contains("fold 1/2: reusing", second.Output);
        Assert.Contains("fold 2/2: training on", second.Output);
        Assert.Equal(firstProbabilities, File.ReadAllText(Path.Combine(output, CleaningRun.ProbabilitiesFileName)));
        string[] header = File.ReadAllLines(Path.Combine(output, CleaningRun.ProbabilitiesFileName))[0].Split(',');
        Assert.Equal(new[] { "index", "label", "band 0", "band 1", "band 2" }, header);
    }

    [Theory]
    [InlineData("label,band 0,band 1,band 2\nband 0,0.9,0.05,0.05\n", "no 'index' column")]
    [InlineData("index,label,band 0,band 1,band 2\n0,band 0,0.9,0.05,0.05\n", "1 rows, but the training data has 90 samples")]
    [InlineData("index,label,a,b,c\n0,a,0.9,0.05,0.05\n", "differ from the data's classes")]
    public void BadProbabilitiesFile_IsOneLineError(string content, string expected)
    {
        (string data, _) = WriteTinyIdx(folder.Combine("data"), count: 90, flips: Array.Empty<int>());
        string file = folder.Combine("probs.csv");
        File.WriteAllText(file, content);

        CliProcess.Outcome outcome = CliProcess.Run("clean", "--data", data, "--probabilities", file, "--out", folder.Combine("out"));

        Assert.Equal(2, outcome.ExitCode);
        string line = Assert.Single(outcome.ErrorLines);
        Assert.Contains(expected, line);
        Assert.Contains(file, line);
    }

    [Fact]
    public void TrainExclude_RemovesListedSamplesAndRecordsThem()
    {
        (string data, _) = WriteTinyIdx(folder.Combine("data"), count: 200, flips: Array.Empty<int>());
        string issues = folder.Combine("issues.csv");
        int[] labels = ReadLabels(data);
        File.WriteAllText(issues, $"index,given_label,suggested_label,quality,reason\n5,band {labels[5]},band 1,0.1,label_issue\n9,band {labels[9]},band 1,0.5,duplicate\n5,band {labels[5]},band 1,0.1,label_issue\n");
        string output = folder.Combine("run");

        CliProcess.Outcome outcome = CliProcess.Run("train", "--data", data, "--exclude", issues, "--epochs", "1", "--threads", "1", "--out", output, "--no-tensorboard");

        Assert.True(outcome.ExitCode == 0, $"exit {outcome.ExitCode}: {outcome.Error}");
        Assert.Contains("[setup] excluded: 2 training samples listed in", outcome.Output);
        JsonObject report = JsonNode.Parse(File.ReadAllText(Path.Combine(output, "report.json")))!.AsObject();
        Assert.Equal(2, report["data"]!["excluded_samples"]!.GetValue<int>());
        Assert.Equal(new[] { 5, 9 }, report["data"]!["excluded_indices"]!.AsArray().Select(n => n!.GetValue<int>()));
        Assert.Equal(198, report["data"]!["train_samples"]!.GetValue<int>() + report["data"]!["val_samples"]!.GetValue<int>());
        Assert.Contains("excluded_samples", File.ReadAllText(Path.Combine(output, "report.html")));
    }

    [Fact]
    public void CrossValidation_KeepsFilesItDidNotWrite()
    {
        (string data, _) = WriteTinyIdx(folder.Combine("data"), count: 60, flips: Array.Empty<int>());
        string output = folder.Combine("clean");
        Directory.CreateDirectory(Path.Combine(output, CleaningRun.FoldsFolderName));
        string mine = Path.Combine(output, CleaningRun.FoldsFolderName, "notes.txt");
        File.WriteAllText(mine, "keep me");

        CliProcess.Outcome outcome = CliProcess.Run("clean", "--data", data, "--out", output, "--folds", "2", "--epochs", "1", "--threads", "1", "--progress", "plain");

        Assert.True(outcome.ExitCode == 0, $"exit {outcome.ExitCode}: {outcome.Error}");
        Assert.Equal("keep me", File.ReadAllText(mine));
    }

    [Theory]
    [InlineData("--folds", "13", "--folds 13 is more than the 12 samples")]
    [InlineData("--out", "FILE/sub", "is a file, so the folder cannot be created there")]
    [InlineData("--renormalize", null, "--renormalize goes with --probabilities")]
    [InlineData("--data", "table.csv", "is a text table; clean works on images")]
    public void BadCleanInput_IsOneLineError(string option, string? value, string expected)
    {
        (string data, _) = WriteTinyIdx(folder.Combine("data"), count: 60, flips: Array.Empty<int>());
        File.WriteAllText(folder.Combine("FILE"), "x");
        File.WriteAllText(folder.Combine("table.csv"), "text,label\na,b\n");
        var arguments = new List<string> { "clean", "--limit", "12", "--epochs", "1", "--threads", "1" };
        if (option != "--data")
        {
            arguments.AddRange(new[] { "--data", data });
        }
        if (option != "--out")
        {
            arguments.AddRange(new[] { "--out", folder.Combine("out") });
        }
        arguments.Add(option);
        if (value is not null)
        {
            arguments.Add(value.Replace("FILE", folder.Combine("FILE")).Replace("table.csv", folder.Combine("table.csv")));
        }

        CliProcess.Outcome outcome = CliProcess.Run(arguments.ToArray());

        Assert.Equal(2, outcome.ExitCode);
        Assert.Contains(expected, Assert.Single(outcome.ErrorLines));
    }

    [Theory]
    [InlineData("index,given_label\n0,WRONG\n", "sample 0 has given_label 'WRONG'")]
    [InlineData("index,reason\n200,label_issue\n", "index 200 is out of range")]
    [InlineData("reason,index\nlabel_issue,3\n", "first column is 'index'")]
    [InlineData("index\nthree\n", "index 'three' is invalid")]
    public void TrainExclude_BadFileIsOneLineError(string content, string expected)
    {
        (string data, _) = WriteTinyIdx(folder.Combine("data"), count: 200, flips: Array.Empty<int>());
        string issues = folder.Combine("issues.csv");
        File.WriteAllText(issues, content);
        string output = folder.Combine("run");

        CliProcess.Outcome outcome = CliProcess.Run("train", "--data", data, "--exclude", issues, "--epochs", "1", "--out", output);

        Assert.Equal(2, outcome.ExitCode);
        Assert.Contains(expected, Assert.Single(outcome.ErrorLines));
        Assert.False(Directory.Exists(output), "bad input must leave no output folder");
    }

    private static int[] ReadLabels(string folder) =>
        IdxImageFolder.Load(folder).Train.Labels;

    // TinyData images with the labels at flips moved to the next class; returns the folder and the sorted flipped indices.
    private static (string Folder, int[] Flipped) WriteTinyIdx(string path, int count, int[] flips)
    {
        ImageDataset tiny = TinyData.Create(count);
        int[] labels = (int[])tiny.Labels.Clone();
        foreach (int index in flips)
        {
            labels[index] = (labels[index] + 1) % 3;
        }
        var noisy = new ImageDataset(tiny.Pixels, labels, 1, 28, 28, tiny.ClassNames);
        IdxWriter.WriteFolder(path, noisy, TinyData.Create(30, seed: 5));
        return (path, flips.Order().ToArray());
    }
}
