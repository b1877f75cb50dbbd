using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using Negentropy.Data;
using Negentropy.Reporting;
using Negentropy.Training;

namespace Negentropy.Cleaning;

/// <summary>
/// <c>negentropy clean</c>: out-of-sample probabilities (cross-validated, or from a file), confident
/// learning, duplicate search, and the outputs label_issues.csv, summary.json, issues.html and, when
/// cross-validated, oof_probabilities.csv.
/// </summary>
public static class CleaningRun
{
    public const string SummaryFileName = "summary.json";
    public const string ProbabilitiesFileName = "oof_probabilities.csv";
    public const string FoldsFolderName = "folds";
    public const string LabelIssueReason = "label_issue";
    public const string DuplicateReason = "duplicate";
    public const string ConflictingDuplicateReason = "conflicting_duplicate";

    /// <summary>The outcome: rows as written, the confident-learning estimates and the duplicate pairs.</summary>
    public sealed record Result(IReadOnlyList<LabelIssuesCsv.Row> Rows, ConfidentLearning.Result Estimates, IReadOnlyList<DuplicateFinder.Pair> Duplicates,
        int Samples, string OutputDirectory);

    public static Result Run(CleaningOptions options, string outputDirectory, ITrainingObserver observer, CancellationToken cancellationToken)
    {
        IReadOnlyList<string> problems = options.Validate();
        if (problems.Count > 0)
        {
            throw new UserInputException(string.Join("; ", problems));
        }
        OutputFolder.RequireCreatable(outputDirectory);
        TrainingOptions training = options.Training with
        {
            LearningRate = options.Training.EffectiveLearningRate,
            Width = options.Training.EffectiveWidth,
            Depth = options.Training.EffectiveDepth,
            WarmupEpochs = options.Training.EffectiveWarmupEpochs,
            Threads = options.Training.EffectiveThreads,
            CheckpointIntervalSeconds = 0,
            TensorBoard = false,
        };
        TorchRuntime.Configure(training.EffectiveThreads, training.Seed);

        if (TextTrainingRun.IsTextData(training.Data))
        {
            throw new UserInputException($"--data {training.Data} is a text table; clean works on images (fashion-mnist, IDX folders, image folders)");
        }
        ImageDatasetPair pair = DataSource.Load(training.Data, training.DataDirectory, training.ImageFolder);
        ImageDataset data = training.Limit is int limit ? pair.Train.Take(limit) : pair.Train;
        observer.OnDecision("data", $"{pair.Source}: {data.Count} training images, {data.NumClasses} classes");
        int presentClasses = data.Labels.Distinct().Count();
        if (presentClasses < 2)
        {
            throw new UserInputException($"--data {training.Data}: the training images carry {presentClasses} class; cleaning compares classes, so it needs at least 2");
        }

        double[] probabilities;
        if (options.ProbabilitiesFile is string file)
        {
            probabilities = ReadProbabilities(file, data, options.Renormalize);
            observer.OnDecision("probabilities", $"{file} (out-of-sample probabilities given, so no model is trained and the training options are not used)");
        }
        else
        {
            observer.OnDecision("probabilities", FormattableString.Invariant(
                $"{options.Folds}-fold stratified cross-validation, {training.Model} width {training.EffectiveWidth} depth {training.EffectiveDepth}, {training.Epochs} epochs per fold, seed {training.Seed}"));
            Directory.CreateDirectory(outputDirectory);
            probabilities = CrossValidation.OutOfSampleProbabilities(data, training, options.Folds,
                Path.Combine(outputDirectory, FoldsFolderName), observer, cancellationToken);
            var all = new PredictionSet(probabilities, data.Labels, data.NumClasses, double.NaN, double.NaN);
            PredictionsCsv.Write(outputDirectory, all, data.ClassNames, ProbabilitiesFileName, Enumerable.Range(0, data.Count).ToArray());
        }

        double maxSelfConfidence = options.EffectiveMaxSelfConfidence(data.NumClasses);
        observer.OnDecision("label issues", FormattableString.Invariant(
            $"confident learning, prune by noise rate, ranked by {options.Ranking}; reported when p(given label) < {maxSelfConfidence:0.####}"));
        ConfidentLearning.Result estimates = ConfidentLearning.Find(data.Labels, probabilities, data.NumClasses, options.RankingKind, maxSelfConfidence);
        IReadOnlyList<DuplicateFinder.Pair> duplicates = DuplicateFinder.Find(data, options.NearDistance);
        IReadOnlyList<LabelIssuesCsv.Row> rows = MergeRows(estimates, duplicates, data, probabilities, options.RankingKind);

        Directory.CreateDirectory(outputDirectory);
        LabelIssuesCsv.Write(Path.Combine(outputDirectory, LabelIssuesCsv.FileName), rows, data.ClassNames);
        WriteSummary(Path.Combine(outputDirectory, SummaryFileName), options with { Training = training }, pair.Source, data, probabilities, estimates, duplicates, rows);
        IssuesPage.Write(Path.Combine(outputDirectory, IssuesPage.FileName), data, rows, estimates, duplicates.Count, options.PageIssues);
        return new Result(rows, estimates, duplicates, data.Count, outputDirectory);
    }

    /// <summary>
    /// One row per flagged sample. Conflicting duplicates come first, then label issues, then duplicates
    /// that agree, each group by quality. A sample flagged for several reasons keeps the first of these.
    /// </summary>
    public static IReadOnlyList<LabelIssuesCsv.Row> MergeRows(ConfidentLearning.Result estimates, IReadOnlyList<DuplicateFinder.Pair> duplicates,
        ImageDataset data, double[] probabilities, ConfidentLearning.Ranking ranking)
    {
        int numClasses = data.NumClasses;
        double Quality(int index) => QualityOf(probabilities.AsSpan(index * numClasses, numClasses), data.Labels[index], ranking);
        var byIndex = new Dictionary<int, LabelIssuesCsv.Row>();
        int Priority(string reason) => reason switch
        {
            ConflictingDuplicateReason => 0,
            LabelIssueReason => 1,
            _ => 2,
        };
        void Add(LabelIssuesCsv.Row row)
        {
            if (!byIndex.TryGetValue(row.Index, out LabelIssuesCsv.Row? existing) || Priority(row.Reason) < Priority(existing.Reason))
            {
                byIndex[row.Index] = row;
            }
        }

        foreach (ConfidentLearning.LabelIssue issue in estimates.Issues)
        {
            Add(new LabelIssuesCsv.Row(issue.Index, issue.GivenLabel, issue.SuggestedLabel, issue.Quality, LabelIssueReason));
        }
        foreach (DuplicateFinder.Pair pair in duplicates)
        {
            if (pair.ConflictingLabels)
            {
                // The member whose given label the model believes less is the suspect, and the other's label is suggested.
                (int suspect, int other) = Quality(pair.First) <= Quality(pair.Second) ? (pair.First, pair.Second) : (pair.Second, pair.First);
                Add(new LabelIssuesCsv.Row(suspect, data.Labels[suspect], data.Labels[other], Quality(suspect), ConflictingDuplicateReason));
            }
            else
            {
                Add(new LabelIssuesCsv.Row(pair.Second, data.Labels[pair.Second], data.Labels[pair.Second], Quality(pair.Second), DuplicateReason));
            }
        }
        return byIndex.Values.OrderBy(row => Priority(row.Reason)).ThenBy(row => row.Quality).ThenBy(row => row.Index).ToArray();
    }

    private static double QualityOf(ReadOnlySpan<double> row, int given, ConfidentLearning.Ranking ranking)
    {
        if (ranking == ConfidentLearning.Ranking.SelfConfidence)
        {
            return row[given];
        }
        double largestOther = double.NegativeInfinity;
        for (int k = 0; k < row.Length; k++)
        {
            largestOther = k == given ? largestOther : Math.Max(largestOther, row[k]);
        }
        return row[given] - largestOther;
    }

    private static double[] ReadProbabilities(string file, ImageDataset data, bool renormalize)
    {
        PredictionsCsvReader.Table table = PredictionsCsvReader.Read(file, renormalize);
        if (table.Indices is not int[] indices)
        {
            throw new UserInputException($"{file}: no 'index' column; --probabilities needs the header 'index,label,<class 1>,…' with each sample's 0-based position in the training data");
        }
        if (!table.ClassNames.SequenceEqual(data.ClassNames))
        {
            throw new UserInputException($"{file}: class columns ({string.Join(", ", table.ClassNames)}) differ from the data's classes in order ({string.Join(", ", data.ClassNames)})");
        }
        if (table.Count != data.Count)
        {
            throw new UserInputException($"{file}: {table.Count} rows, but the training data has {data.Count} samples; give one row per sample (use --limit to clean a prefix)");
        }
        int numClasses = data.NumClasses;
        var probabilities = new double[(long)data.Count * numClasses];
        for (int r = 0; r < indices.Length; r++)
        {
            int index = indices[r];
            if (index >= data.Count)
            {
                throw new UserInputException($"{file}: index {index} is out of range; the training data has samples 0 to {data.Count - 1}");
            }
            if (table.Targets[r] != data.Labels[index])
            {
                throw new UserInputException($"{file}: index {index} has label '{table.ClassNames[table.Targets[r]]}', but the data gives '{data.ClassNames[data.Labels[index]]}'; the file must come from the same data");
            }
            Array.Copy(table.Probabilities, (long)r * numClasses, probabilities, (long)index * numClasses, numClasses);
        }
        return probabilities;
    }

    private static void WriteSummary(string path, CleaningOptions options, string source, ImageDataset data, double[] probabilities,
        ConfidentLearning.Result estimates, IReadOnlyList<DuplicateFinder.Pair> duplicates, IReadOnlyList<LabelIssuesCsv.Row> rows)
    {
        int numClasses = data.NumClasses;
        int correct = 0;
        for (int i = 0; i < data.Count; i++)
        {
            ReadOnlySpan<double> row = probabilities.AsSpan(i * numClasses, numClasses);
            int best = 0;
            for (int k = 1; k < numClasses; k++)
            {
                best = row[k] > row[best] ? k : best;
            }
            correct += best == data.Labels[i] ? 1 : 0;
        }
        JsonArray Matrix<T>(Func<int, int, T> value) => new(Enumerable.Range(0, numClasses)
            .Select(i => (JsonNode)new JsonArray(Enumerable.Range(0, numClasses).Select(j => JsonValue.Create(value(i, j)) as JsonNode).ToArray())).ToArray());
        JsonObject PerClass(Func<int, double> value) => new(Enumerable.Range(0, numClasses)
            .Select(k => KeyValuePair.Create(data.ClassNames[k], (JsonNode?)JsonValue.Create(value(k)))));
        int Count(string reason) => rows.Count(row => row.Reason == reason);
        double[,] noiseMatrix = estimates.NoiseMatrix();

        var summary = new JsonObject
        {
            ["data"] = source,
            ["samples"] = data.Count,
            ["classes"] = new JsonArray(data.ClassNames.Select(name => (JsonNode?)JsonValue.Create(name)).ToArray()),
            ["probabilities"] = options.ProbabilitiesFile ?? $"{options.Folds}-fold cross-validation",
            ["options"] = JsonSerializer.SerializeToNode(options, JsonFormats.Compact),
            ["max_self_confidence"] = options.EffectiveMaxSelfConfidence(numClasses),
            ["out_of_sample_accuracy"] = (double)correct / Math.Max(1, data.Count),
            ["noise_rate"] = estimates.NoiseRate,
            ["noise_rate_per_class"] = PerClass(k => estimates.NoiseRates[k]),
            ["thresholds"] = PerClass(k => estimates.Thresholds[k]),
            ["confident_joint"] = Matrix((i, j) => estimates.ConfidentJoint[i, j]),
            ["joint"] = Matrix((i, j) => estimates.Joint[i, j]),
            ["noise_matrix"] = Matrix((i, j) => noiseMatrix[i, j]),
            ["counts"] = new JsonObject
            {
                ["flagged"] = rows.Count,
                ["flagged_share"] = (double)rows.Count / Math.Max(1, data.Count),
                [LabelIssueReason] = Count(LabelIssueReason),
                [ConflictingDuplicateReason] = Count(ConflictingDuplicateReason),
                [DuplicateReason] = Count(DuplicateReason),
                ["confident_learning_issues"] = estimates.Issues.Count,
                ["duplicate_pairs"] = duplicates.Count,
                ["exact_duplicate_pairs"] = duplicates.Count(pair => pair.Exact),
            },
            ["flagged_per_given_class"] = PerClass(k => rows.Count(row => row.GivenLabel == k)),
            ["duplicate_pairs"] = new JsonArray(duplicates.Take(10_000).Select(pair => (JsonNode?)new JsonObject
            {
                ["first"] = pair.First,
                ["second"] = pair.Second,
                ["exact"] = pair.Exact,
                ["distance"] = pair.Distance,
                ["conflicting_labels"] = pair.ConflictingLabels,
            }).ToArray()),
        };
        AtomicFile.WriteAllText(path, summary.ToJsonString(JsonFormats.Indented) + "\n");
    }
}
