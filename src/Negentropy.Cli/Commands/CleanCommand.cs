using System.CommandLine;
using System.Globalization;
using Negentropy.Cleaning;
using Negentropy.Training;

namespace Negentropy.Cli.Commands;

/// <summary><c>negentropy clean</c>: finds label issues by confident learning, and duplicates.</summary>
public sealed class CleanCommand
{
    private readonly Option<string> data = new("--data") { Description = "'fashion-mnist', a folder of four IDX files, or an image folder (DIR/train/<class>/…)", DefaultValueFactory = _ => TrainingOptions.DefaultData };
    private readonly Option<string?> dataDirectory = new("--data-dir") { Description = "With --data fashion-mnist: read the files from this folder instead of /usr/share/datasets/fashion-mnist" };
    private readonly Option<string?> imageSize = new("--image-size") { Description = "Image folders: resize every image to WIDTHxHEIGHT pixels, or N for NxN (default: the first image's size)" };
    private readonly Option<int?> channels = NumberOptions.OptionalInteger("--channels", "Image folders: 1 (grayscale) or 3 (RGB) (default: 1 when the first image is stored as grayscale, else 3)");
    private readonly Option<bool> skipBadFiles = new("--skip-bad-files") { Description = "Image folders: skip files that do not decode, and report how many, instead of failing" };
    private readonly Option<int?> limit = NumberOptions.OptionalInteger("--limit", "Clean the first N training images only (default: all)");
    private readonly Option<string?> output = new("--out") { Description = "Folder for label_issues.csv, summary.json, issues.html and oof_probabilities.csv (required)" };
    private readonly Option<string?> probabilities = new("--probabilities") { Description = "Out-of-sample probabilities to use instead of cross-validation: the predictions CSV format with a first column 'index'" };
    private readonly Option<int> folds = NumberOptions.Integer("--folds", "Cross-validation folds, 2 to 20", CleaningOptions.DefaultFolds);
    private readonly Option<string> model = new("--model") { Description = "Architecture trained in each fold: cnn, resnet, resnet18 or resnet34", DefaultValueFactory = _ => TrainingOptions.DefaultModel };
    private readonly Option<int?> width = NumberOptions.OptionalInteger("--width", "Channels of the first stage (default: cnn 32, resnet 16, resnet18 and resnet34 64)");
    private readonly Option<int?> depth = NumberOptions.OptionalInteger("--depth", "cnn: conv blocks, 1 to 4 (default 2); resnet: layers 6n+2 (default 14); fixed for resnet18 and resnet34");
    private readonly Option<int> epochs = NumberOptions.Integer("--epochs", "Maximum epochs per fold", CleaningOptions.DefaultEpochs);
    private readonly Option<int> batchSize = NumberOptions.Integer("--batch-size", "Training batch size", TrainingOptions.DefaultBatchSize);
    private readonly Option<double?> learningRate = NumberOptions.OptionalReal("--lr", "Peak learning rate (default: adamw 0.002)");
    private readonly Option<int> seed = NumberOptions.Integer("--seed", "Seed of the folds, initialization and shuffling", TrainingOptions.DefaultSeed);
    private readonly Option<int?> threads = NumberOptions.OptionalInteger("--threads", "libtorch intra-op threads (default: processor count)");
    private readonly Option<string> ranking = new("--ranking") { Description = "Order of label issues: self-confidence or normalized-margin", DefaultValueFactory = _ => CleaningOptions.Rankings[0] };
    private readonly Option<double?> maxSelfConfidence = NumberOptions.OptionalReal("--max-self-confidence", "Report a label issue only when the model gives the given label less than this probability; 1 reports all (default: 0.5 / number of classes)");
    private readonly Option<int> nearDistance = NumberOptions.Integer("--near-distance", "Also find near duplicates: largest Hamming distance between 64-bit average hashes, 0 to 7 (default -1: exact duplicates only)", Cleaning.DuplicateFinder.DefaultMaxDistance);
    private readonly Option<int> pageIssues = NumberOptions.Integer("--page-issues", "Flagged samples shown with thumbnails on issues.html", CleaningOptions.DefaultPageIssues);
    private readonly Option<string> augment = new("--augment") { Description = "Augmentation preset for the fold models: none, flip-crop, standard or strong", DefaultValueFactory = _ => CleaningOptions.DefaultAugment };
    private readonly Option<bool> renormalize = new("--renormalize") { Description = "With --probabilities: divide each row by its sum instead of rejecting rows that do not sum to 1" };
    private readonly Option<string> progress = new("--progress") { Description = "auto, bar or plain", DefaultValueFactory = _ => "auto" };

    public CleanCommand(Option<bool> verbose)
    {
        Command = new Command("clean", "Find mislabeled samples by confident learning on out-of-sample probabilities, and exact and near duplicates")
        {
            data, dataDirectory, imageSize, channels, skipBadFiles, limit, output, probabilities, folds, model, width, depth, epochs, batchSize, learningRate, seed, threads,
            augment, ranking, maxSelfConfidence, nearDistance, pageIssues, renormalize, progress,
        };
        Command.SetAction(parseResult => CommandRunner.Run(token => Execute(parseResult, token), parseResult.GetValue(verbose), Console.Error,
            "finished folds are kept, so the same command continues with the unfinished one"));
    }

    public Command Command { get; }

    private int Execute(ParseResult parseResult, CancellationToken cancellationToken)
    {
        string progressMode = TrainCommand.RequireProgressMode(parseResult.GetValue(progress)!);
        string outputDirectory = parseResult.GetValue(output)
            ?? throw new UserInputException("--out is missing: pass the folder for label_issues.csv and the other outputs");
        var options = new CleaningOptions
        {
            Training = new TrainingOptions
            {
                Data = parseResult.GetValue(data)!,
                DataDirectory = parseResult.GetValue(dataDirectory),
                ImageSize = parseResult.GetValue(imageSize),
                Channels = parseResult.GetValue(channels),
                SkipBadFiles = parseResult.GetValue(skipBadFiles),
                Limit = parseResult.GetValue(limit),
                Model = parseResult.GetValue(model)!.ToLowerInvariant(),
                Width = parseResult.GetValue(width),
                Depth = parseResult.GetValue(depth),
                Epochs = parseResult.GetValue(epochs),
                BatchSize = parseResult.GetValue(batchSize),
                LearningRate = parseResult.GetValue(learningRate),
                Seed = parseResult.GetValue(seed),
                Threads = parseResult.GetValue(threads),
                Augment = Data.AugmentationOptions.FromPreset(parseResult.GetValue(augment)!.ToLowerInvariant()),
            },
            Folds = parseResult.GetValue(folds),
            ProbabilitiesFile = parseResult.GetValue(probabilities),
            Renormalize = parseResult.GetValue(renormalize),
            Ranking = parseResult.GetValue(ranking)!.ToLowerInvariant(),
            NearDistance = parseResult.GetValue(nearDistance),
            MaxSelfConfidence = parseResult.GetValue(maxSelfConfidence),
            PageIssues = parseResult.GetValue(pageIssues),
        };
        IReadOnlyList<string> problems = options.Validate();
        if (problems.Count > 0)
        {
            throw new UserInputException(string.Join("; ", problems));
        }

        CleaningRun.Result result = TrainCommand.WithObserver(progressMode, Rendering.PlainTrainingObserver.DefaultIntervalSeconds,
            observer => CleaningRun.Run(options, outputDirectory, observer, cancellationToken));
        int Count(string reason) => result.Rows.Count(row => row.Reason == reason);
        Console.Out.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"estimated share of wrong labels {result.Estimates.NoiseRate:P2}; flagged {result.Rows.Count} of {result.Samples} samples ({(double)result.Rows.Count / result.Samples:P2}): {Count(CleaningRun.LabelIssueReason)} label issues, {Count(CleaningRun.ConflictingDuplicateReason)} conflicting duplicates, {Count(CleaningRun.DuplicateReason)} duplicates"));
        string probabilitiesOutput = options.ProbabilitiesFile is null ? $", {CleaningRun.ProbabilitiesFileName}" : "";
        Console.Out.WriteLine($"outputs: {Path.GetFullPath(Path.Combine(outputDirectory, LabelIssuesCsv.FileName))}, {CleaningRun.SummaryFileName}, {Reporting.IssuesPage.FileName}{probabilitiesOutput}");
        return ExitCodes.Success;
    }
}
