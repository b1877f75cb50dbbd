using System.CommandLine;
using System.CommandLine.Parsing;
using Negentropy.Cli.Rendering;
using Negentropy.Data;
using Negentropy.Reporting;
using Negentropy.Training;
using Spectre.Console;

namespace Negentropy.Cli.Commands;

/// <summary><c>negentropy train</c>: options, their mapping to <see cref="TrainingOptions"/>, and the run.</summary>
public sealed class TrainCommand
{
    private readonly Option<string> data = new("--data") { Description = "'fashion-mnist'; a folder with train/<class>/*.png|*.jpg|*.jpeg and optionally test/<class>/… (without test/, 10% of each class is held out as the test set); a folder holding the four MNIST-style IDX files; or a CSV, TSV or JSONL text table", DefaultValueFactory = _ => TrainingOptions.DefaultData };
    private readonly Option<string?> dataDirectory = new("--data-dir") { Description = "With --data fashion-mnist: read the files from this folder instead of /usr/share/datasets/fashion-mnist" };
    private readonly Option<string?> imageSize = new("--image-size") { Description = "Image folders: resize every image to WIDTHxHEIGHT pixels, such as 32x48, or N for NxN (default: the first image's size)" };
    private readonly Option<int?> channels = NumberOptions.OptionalInteger("--channels", "Image folders: 1 (grayscale) or 3 (RGB) (default: 1 when the first image is stored as grayscale, else 3)");
    private readonly Option<bool> skipBadFiles = new("--skip-bad-files") { Description = "Image folders: skip files that do not decode, and report how many, instead of failing" };
    private readonly Option<string> model = new("--model") { Description = "Architecture: cnn, resnet (small images), resnet18 or resnet34 (torchvision's ImageNet layout) for images; fasttext, textcnn, bilstm or transformer for text tables", DefaultValueFactory = _ => TrainingOptions.DefaultModel };
    private readonly Option<int?> width = NumberOptions.OptionalInteger("--width", "Channels of the first stage (default: cnn 32, resnet 16, resnet18 and resnet34 64)");
    private readonly Option<int?> depth = NumberOptions.OptionalInteger("--depth", "cnn: conv blocks, 1 to 4 (default 2); resnet: layers 6n+2 (default 14); fixed for resnet18 and resnet34");
    private readonly Option<double> dropout = NumberOptions.Real("--dropout", "Dropout probability in the classifier head", TrainingOptions.DefaultDropout);
    private readonly Option<int> epochs = NumberOptions.Integer("--epochs", "Maximum number of epochs", TrainingOptions.DefaultEpochs);
    private readonly Option<int> batchSize = NumberOptions.Integer("--batch-size", "Training batch size, 1 to 65536", TrainingOptions.DefaultBatchSize);
    private readonly Option<string> optimizer = new("--optimizer") { Description = "adamw or sgd (Nesterov momentum)", DefaultValueFactory = _ => TrainingOptions.DefaultOptimizer };
    private readonly Option<double?> learningRate = NumberOptions.OptionalReal("--lr", "Peak learning rate (default: adamw 0.002, sgd 0.05)");
    private readonly Option<double> weightDecay = NumberOptions.Real("--weight-decay", "Weight decay (decoupled for adamw), 0 to 1", TrainingOptions.DefaultWeightDecay);
    private readonly Option<double> momentum = NumberOptions.Real("--momentum", "SGD momentum, in [0, 1)", TrainingOptions.DefaultMomentum);
    private readonly Option<double> labelSmoothing = NumberOptions.Real("--label-smoothing", "Cross-entropy label smoothing in [0, 1)", 0);
    private readonly Option<string> schedule = new("--schedule") { Description = "Learning-rate schedule: cosine (warm-up, then cosine decay) or constant", DefaultValueFactory = _ => TrainingOptions.DefaultSchedule };
    private readonly Option<double?> warmupEpochs = NumberOptions.OptionalReal("--warmup-epochs", "Linear warm-up length in epochs (default: 5% of the run, at most 1 epoch)");
    private readonly Option<double> clipGradNorm = NumberOptions.Real("--clip-grad-norm", "Maximum global gradient L2 norm; 0 is off", 0);
    private readonly Option<int> patience = NumberOptions.Integer("--patience", "Early stopping: epochs without a lower validation loss; 0 is off", TrainingOptions.DefaultPatience);
    private readonly Option<int> seed = NumberOptions.Integer("--seed", "Seed of initialization, dropout, the validation split and shuffling", TrainingOptions.DefaultSeed);
    private readonly Option<int?> threads = NumberOptions.OptionalInteger("--threads", "libtorch intra-op threads (default: processor count)");
    private readonly Option<double> validationFraction = NumberOptions.Real("--val-fraction", "Share of the training set held out for validation, in (0, 0.9]", TrainingOptions.DefaultValidationFraction);
    private readonly Option<int?> limit = NumberOptions.OptionalInteger("--limit", "Train on the first N training images only, counted after --classes (default: all)");
    private readonly Option<double> checkpointInterval = NumberOptions.Real("--checkpoint-interval", "Seconds between mid-epoch checkpoints; 0 writes them at epoch ends only", TrainingOptions.DefaultCheckpointIntervalSeconds);
    private readonly Option<string?> output = new("--out") { Description = "Folder for the model, metrics, predictions, report and checkpoints (required unless --resume)" };
    private readonly Option<string?> resume = new("--resume") { Description = "Continue the run in this folder from its last checkpoint; only --epochs, --threads, --progress and --log-interval may go with it" };
    private readonly Option<bool> overwrite = new("--overwrite") { Description = "Replace an earlier run's outputs in the --out folder" };
    private readonly Option<bool> informationPlane = new("--information-plane") { Description = "Estimate I(X;T) and I(T;Y) for each hidden layer every epoch (binning and KDE estimators)" };
    private readonly Option<int> probeSize = NumberOptions.Integer("--probe-size", "Validation samples in the information-plane probe, 10 to 10000", Negentropy.Information.InformationPlane.DefaultProbeSize);
    private readonly Option<string?> planeLayers = new("--plane-layers") { Description = "Comma-separated layers for the information plane (default: every block output and the penultimate layer)" };
    private readonly Option<bool> noTensorBoard = new("--no-tensorboard") { Description = "Do not write TensorBoard event files (written by default under OUT/tensorboard)" };
    private readonly Option<string> progress = new("--progress") { Description = "auto, bar or plain; auto shows a bar on a terminal and plain lines otherwise", DefaultValueFactory = _ => "auto" };
    private readonly Option<double> logInterval = NumberOptions.Real("--log-interval", "Seconds between progress lines in plain mode", PlainTrainingObserver.DefaultIntervalSeconds);
    private readonly Option<string> augment = new("--augment") { Description = "Augmentation preset: none, flip-crop, standard (flip, crop, erasing) or strong (adds rotation); the flags below override it", DefaultValueFactory = _ => AugmentationOptions.NonePreset };
    private readonly Option<int?> cropPadding = NumberOptions.OptionalInteger("--crop-padding", "Random crop after zero padding of this many pixels; 0 is off");
    private readonly Option<bool?> horizontalFlip = new("--hflip") { Description = "Mirror training images left to right with probability 0.5 (--hflip false turns the preset's flip off)" };
    private readonly Option<double?> rotation = NumberOptions.OptionalReal("--rotate", "Random rotation within ± this many degrees; 0 is off");
    private readonly Option<double?> erasing = NumberOptions.OptionalReal("--erase", "Random-erasing probability per image; 0 is off");
    private readonly Option<string?> exclude = new("--exclude") { Description = "Leave out the training samples listed in this CSV's first column 'index' (the label_issues.csv of 'negentropy clean'), counted after --limit" };
    private readonly Option<string?> testData = new("--test-data") { Description = "Text tables: a held-out test file in the same format (default: a seeded, stratified 20% of --data)" };
    private readonly Option<string> textColumn = new("--text-column") { Description = "Text tables: the text column, or several joined with commas", DefaultValueFactory = _ => "text" };
    private readonly Option<string> labelColumn = new("--label-column") { Description = "Text tables: the label column", DefaultValueFactory = _ => "label" };
    private readonly Option<string?> encoding = new("--encoding") { Description = "Text tables: utf-8 (default), utf-16, gb18030, gbk, big5, shift_jis or windows-1252" };
    private readonly Option<string?> tokenizer = new("--tokenizer") { Description = "Text: word (words; CJK characters and bigrams), bpe (subwords learned on the training split) or hashed (fastText n-grams) (default: hashed for fasttext, else word)" };
    private readonly Option<string?> tokenizerFile = new("--tokenizer-file") { Description = "Text: load this tokenizer instead of fitting one (a run's tokenizer.json, or a BPE vocab.json with merges.txt beside it)" };
    private readonly Option<int?> maxLength = NumberOptions.OptionalInteger("--max-length", "Text: token ids read per text (default 256, or 4096 for hashed n-grams)");
    private readonly Option<int?> vocabularySize = NumberOptions.OptionalInteger("--vocab-size", "Text: words kept, BPE vocabulary or hash buckets (default 50000, 8000 or 262144)");
    private readonly Option<int> minCount = NumberOptions.Integer("--min-count", "Text, word tokenizer: occurrences a word needs for its own id", TextDataOptions.DefaultMinCount);
    private readonly Option<string> pooling = new("--pooling") { Description = "transformer: cls or mean pooling", DefaultValueFactory = _ => "cls" };
    private readonly Option<bool> binary = new("--binary") { Description = "Two classes: one sigmoid output with binary cross-entropy instead of a two-way softmax" };
    private readonly Option<double?> abstainRisk = NumberOptions.OptionalReal("--abstain-risk", "Abstention: the maximum error rate among answered validation samples, in (0, 1); the run picks the entropy threshold that answers the most samples within it (default 0.01)");
    private readonly Option<double?> abstainCoverage = NumberOptions.OptionalReal("--abstain-coverage", "Abstention: the minimum share of validation samples answered, in (0, 1]; replaces --abstain-risk, and the run picks the smallest entropy threshold that reaches it");
    private readonly Option<string?> initFrom = new("--init-from") { Description = "Start from these weights: a PyTorch state dict (.pt, .pth or .bin from torch.save(model.state_dict(), path)), a .safetensors file, or a Negentropy model folder or its model.bin; keys must be the model's (torchvision's names for resnet18 and resnet34)" };
    private readonly Option<bool> strict = new("--strict") { Description = "With --init-from: true fails on any missing key, unexpected key or shape conflict; false loads the matching tensors and logs the skipped ones", DefaultValueFactory = _ => true };
    private readonly Option<bool> replaceHead = new("--replace-head") { Description = "With --init-from: re-create the classifier (the last linear layer, fc for the resnets) for this data's classes instead of loading it" };
    private readonly Option<string?> inputSize = new("--input-size") { Description = "resnet18 and resnet34: resize images inside the model to WIDTHxHEIGHT pixels, or N for NxN (default: each side below 64 becomes 64); 1-channel images are also repeated to 3 channels" };
    // Fine-tuning, class selection, per-epoch reports and presets.
    private readonly Option<string?> classes = new("--classes") { Description = "Train on these classes only, relabelled 0 to k-1 in the order given: 0-based indices and ranges (0-4, or 5,6,7,8,9) or class names, comma-separated; --limit and --exclude count after this selection (default: every class)" };
    private readonly Option<string> fineTuning = new("--finetune") { Description = "Which parameters train: full (all), head (only the classifier head, the model's last linear layer) or lora (low-rank adapters on the other linear layers and the 1x1 convolutions, plus the head)", DefaultValueFactory = _ => FineTuning.Full };
    private readonly Option<double> backboneLearningRateScale = NumberOptions.Real("--backbone-lr-scale", "--finetune full: factor on the learning rate of every parameter outside the classifier head, in (0, 100]", 1);
    private readonly Option<bool> freezeBatchNorm = new("--freeze-bn") { Description = "--finetune head or lora: keep the frozen backbone's batch-norm running statistics fixed (those layers stay in eval mode)" };
    private readonly Option<int?> loraRank = NumberOptions.OptionalInteger("--lora-rank", $"--finetune lora: rank r of each adapter, 1 to 4096 (default {FineTuning.DefaultLoraRank})");
    private readonly Option<double?> loraAlpha = NumberOptions.OptionalReal("--lora-alpha", $"--finetune lora: scaling alpha; an adapted layer adds (alpha / r) * B(A(x)) to its output (default {FineTuning.DefaultLoraAlpha})");
    private readonly Option<bool> epochReport = new("--epoch-report") { Description = "After each epoch, print the validation classification report (per-class precision, recall and F1) and store it in metrics.jsonl" };
    private readonly Option<string?> recipe = new("--recipe") { Description = RecipeHelp() };
    private readonly Option<bool> verbose;

    public TrainCommand(Option<bool> verbose)
    {
        this.verbose = verbose;
        Command = new Command("train", "Train a classifier and write the model, metrics, test predictions and classification report")
        {
            data, dataDirectory, imageSize, channels, skipBadFiles, model, width, depth, dropout, epochs, batchSize, optimizer, learningRate, weightDecay, momentum,
            labelSmoothing, schedule, warmupEpochs, clipGradNorm, patience, seed, threads, validationFraction, limit,
            checkpointInterval, output, resume, overwrite, informationPlane, probeSize, planeLayers, noTensorBoard, progress, logInterval,
            augment, cropPadding, horizontalFlip, rotation, erasing, exclude,
            testData, textColumn, labelColumn, encoding, tokenizer, tokenizerFile, maxLength, vocabularySize, minCount, pooling, binary,
            abstainRisk, abstainCoverage,
            initFrom, strict, replaceHead, inputSize,
            classes, fineTuning, backboneLearningRateScale, freezeBatchNorm, loraRank, loraAlpha, epochReport, recipe,
        };
        Command.SetAction(parseResult => CommandRunner.Run(token => Execute(parseResult, token), parseResult.GetValue(verbose), Console.Error));
    }

    public Command Command { get; }

    private int Execute(ParseResult parseResult, CancellationToken cancellationToken)
    {
        if (parseResult.GetValue(resume) is null)
        {
            parseResult = ApplyRecipe(parseResult);
        }
        string progressMode = RequireProgressMode(parseResult.GetValue(progress)!);
        double interval = parseResult.GetValue(logInterval);
        if (!(interval > 0))
        {
            throw new UserInputException($"--log-interval {interval} is out of range: expected a positive number of seconds");
        }

        string? resumeDirectory = parseResult.GetValue(resume);
        TrainingRun.Result result;
        if (resumeDirectory is not null)
        {
            RejectOptionsFixedByResume(parseResult);
            int? newEpochs = IsSpecified(parseResult, epochs) ? parseResult.GetValue(epochs) : null;
            result = WithObserver(progressMode, interval, observer =>
                TrainingRun.Resume(resumeDirectory, newEpochs, parseResult.GetValue(threads), observer, cancellationToken));
        }
        else
        {
            string outputDirectory = parseResult.GetValue(output)
                ?? throw new UserInputException("--out is missing: pass the folder for the run's outputs (or --resume DIR to continue a run)");
            TrainingOptions options = ReadOptions(parseResult);
            options.ThrowIfInvalid();
            result = WithObserver(progressMode, interval, observer =>
                TrainingRun.Start(options, outputDirectory, observer, cancellationToken, parseResult.GetValue(overwrite)));
        }

        Console.Out.WriteLine();
        Console.Out.Write(result.Evaluation.ToText());
        Console.Out.Write(RunReport.TemperatureText(result.Temperature));
        Console.Out.Write(RunReport.AbstentionText(result.Manifest.Abstention));
        Console.Out.WriteLine();
        Console.Out.WriteLine(FormattableString.Invariant($"test accuracy {result.Evaluation.Accuracy:P2}, log loss {result.Evaluation.LogLoss:F4} nats, bits learned {result.Evaluation.BitsLearned:F3} of {result.Evaluation.LabelEntropyBits:F3}"));
        Console.Out.WriteLine($"outputs: {Path.GetFullPath(result.OutputDirectory)}");
        return ExitCodes.Success;
    }

    /// <summary>Maps the parsed options onto <see cref="TrainingOptions"/>.</summary>
    public TrainingOptions ReadOptions(ParseResult parseResult) => new()
    {
        Data = parseResult.GetValue(data)!,
        DataDirectory = parseResult.GetValue(dataDirectory),
        ImageSize = parseResult.GetValue(imageSize),
        Channels = parseResult.GetValue(channels),
        SkipBadFiles = parseResult.GetValue(skipBadFiles),
        Model = parseResult.GetValue(model)!.ToLowerInvariant(),
        Width = parseResult.GetValue(width),
        Depth = parseResult.GetValue(depth),
        Dropout = parseResult.GetValue(dropout),
        Epochs = parseResult.GetValue(epochs),
        BatchSize = parseResult.GetValue(batchSize),
        Optimizer = parseResult.GetValue(optimizer)!.ToLowerInvariant(),
        LearningRate = parseResult.GetValue(learningRate),
        WeightDecay = parseResult.GetValue(weightDecay),
        Momentum = parseResult.GetValue(momentum),
        LabelSmoothing = parseResult.GetValue(labelSmoothing),
        Schedule = parseResult.GetValue(schedule)!.ToLowerInvariant(),
        WarmupEpochs = parseResult.GetValue(warmupEpochs),
        ClipGradNorm = parseResult.GetValue(clipGradNorm),
        Patience = parseResult.GetValue(patience),
        Seed = parseResult.GetValue(seed),
        Threads = parseResult.GetValue(threads),
        ValidationFraction = parseResult.GetValue(validationFraction),
        Limit = parseResult.GetValue(limit),
        CheckpointIntervalSeconds = parseResult.GetValue(checkpointInterval),
        TensorBoard = !parseResult.GetValue(noTensorBoard),
        InformationPlane = parseResult.GetValue(informationPlane),
        ProbeSize = parseResult.GetValue(probeSize),
        Augment = ReadAugmentation(parseResult),
        Exclude = parseResult.GetValue(exclude),
        Binary = parseResult.GetValue(binary),
        AbstainRisk = parseResult.GetValue(abstainRisk),
        AbstainCoverage = parseResult.GetValue(abstainCoverage),
        InitFrom = parseResult.GetValue(initFrom),
        Strict = parseResult.GetValue(strict),
        ReplaceHead = parseResult.GetValue(replaceHead),
        InputSize = parseResult.GetValue(inputSize),
        Classes = parseResult.GetValue(classes),
        FineTuningMode = parseResult.GetValue(fineTuning)!.ToLowerInvariant(),
        BackboneLearningRateScale = parseResult.GetValue(backboneLearningRateScale),
        FreezeBatchNorm = parseResult.GetValue(freezeBatchNorm),
        LoraRank = parseResult.GetValue(loraRank),
        LoraAlpha = parseResult.GetValue(loraAlpha),
        EpochReport = parseResult.GetValue(epochReport),
        Recipe = parseResult.GetValue(recipe) is string recipeName ? TrainingRecipes.Find(recipeName)?.Name ?? recipeName : null,
        Text = new TextDataOptions
        {
            TestData = parseResult.GetValue(testData),
            TextColumns = parseResult.GetValue(textColumn)!.Split(',', StringSplitOptions.TrimEntries),
            LabelColumn = parseResult.GetValue(labelColumn)!,
            Encoding = parseResult.GetValue(encoding),
            Tokenizer = parseResult.GetValue(tokenizer)?.ToLowerInvariant(),
            TokenizerFile = parseResult.GetValue(tokenizerFile),
            MaxLength = parseResult.GetValue(maxLength),
            VocabularySize = parseResult.GetValue(vocabularySize),
            MinCount = parseResult.GetValue(minCount),
            Pooling = parseResult.GetValue(pooling)!.ToLowerInvariant(),
        },
        PlaneLayers = parseResult.GetResult(planeLayers) is { Implicit: false }
            ? (parseResult.GetValue(planeLayers) ?? "").Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            : null,
    };

    private AugmentationOptions ReadAugmentation(ParseResult parseResult)
    {
        AugmentationOptions preset = AugmentationOptions.FromPreset(parseResult.GetValue(augment)!.ToLowerInvariant());
        return preset with
        {
            CropPadding = parseResult.GetValue(cropPadding) ?? preset.CropPadding,
            HorizontalFlip = parseResult.GetValue(horizontalFlip) ?? preset.HorizontalFlip,
            RotationDegrees = parseResult.GetValue(rotation) ?? preset.RotationDegrees,
            ErasingProbability = parseResult.GetValue(erasing) ?? preset.ErasingProbability,
        };
    }

    /// <summary>Returns <paramref name="mode"/> when it is a known --progress value, else throws.</summary>
    internal static string RequireProgressMode(string mode) => mode is "auto" or "bar" or "plain"
        ? mode
        : throw new UserInputException($"--progress '{mode}' is unknown: expected auto, bar or plain");

    internal static T WithObserver<T>(string progressMode, double interval, Func<ITrainingObserver, T> body)
    {
        bool useBar = progressMode == "bar"
            || (progressMode == "auto" && !Console.IsOutputRedirected && AnsiConsole.Profile.Capabilities.Interactive
                && string.IsNullOrEmpty(Environment.GetEnvironmentVariable("CI")));
        return useBar
            ? SpectreTrainingObserver.Render(AnsiConsole.Console, body)
            : body(new PlainTrainingObserver(Console.Out, interval));
    }

    private void RejectOptionsFixedByResume(ParseResult parseResult)
    {
        if (IsSpecified(parseResult, output) || IsSpecified(parseResult, overwrite))
        {
            throw new UserInputException("--out and --overwrite do not go with --resume: a resumed run writes into its own folder");
        }
        Option[] fixedOptions =
        {
            data, dataDirectory, imageSize, channels, skipBadFiles, model, width, depth, dropout, batchSize, optimizer, learningRate, weightDecay, momentum,
            labelSmoothing, schedule, warmupEpochs, clipGradNorm, patience, seed, validationFraction, limit, checkpointInterval, noTensorBoard, informationPlane, probeSize, planeLayers,
            augment, cropPadding, horizontalFlip, rotation, erasing, exclude,
            testData, textColumn, labelColumn, encoding, tokenizer, tokenizerFile, maxLength, vocabularySize, minCount, pooling, binary,
            abstainRisk, abstainCoverage,
            classes, fineTuning, backboneLearningRateScale, freezeBatchNorm, loraRank, loraAlpha, epochReport, recipe,
        };
        fixedOptions = [.. fixedOptions, initFrom, strict, replaceHead, inputSize];
        string[] specified = fixedOptions.Where(option => IsSpecified(parseResult, option)).Select(option => option.Name).ToArray();
        if (specified.Length > 0)
        {
            throw new UserInputException(
                $"{string.Join(", ", specified)} cannot be given with --resume: a resumed run keeps the options it started with (see its model.json or checkpoint); only --epochs, --threads, --progress and --log-interval may go with --resume");
        }
    }

    private static bool IsSpecified(ParseResult parseResult, Option option) => parseResult.GetResult(option) is { Implicit: false };

    /// <summary>
    /// Returns <paramref name="parseResult"/> with the options of its --recipe added, each one only when the command
    /// line does not give that option itself; without --recipe, returns <paramref name="parseResult"/> unchanged.
    /// </summary>
    public ParseResult ApplyRecipe(ParseResult parseResult)
    {
        if (parseResult.GetValue(recipe) is not string name)
        {
            return parseResult;
        }
        TrainingRecipes.Recipe preset = TrainingRecipes.Find(name)
            ?? throw new UserInputException($"--recipe '{name}' is unknown: expected one of {string.Join(", ", TrainingRecipes.All.Select(known => known.Name))}");
        var givenNames = Command.Options.Where(option => IsSpecified(parseResult, option))
            .SelectMany(option => option.Aliases.Append(option.Name))
            .ToHashSet(StringComparer.Ordinal);
        string[] added = preset.Options.Where(entry => !givenNames.Contains(entry.Key)).SelectMany(entry => new[] { entry.Key, entry.Value }).ToArray();
        // The preset's tokens go after the command line's, so they attach to this command like typed options.
        string[] tokens = parseResult.Tokens.Select(token => token.Value).Concat(added).ToArray();
        ParseResult expanded = parseResult.RootCommandResult.Command.Parse(tokens);
        if (expanded.Errors.Count > 0)
        {
            throw new UserInputException($"--recipe {preset.Name}: {string.Join("; ", expanded.Errors.Select(error => error.Message.TrimEnd('.')))}");
        }
        return expanded;
    }

    private static string RecipeHelp() =>
        "A preset of options: " + string.Join("; ", TrainingRecipes.All.Select(known => $"{known.Name} ({known.Summary})"))
        + ". Options given on the command line override the preset's";
}
