using System.Globalization;
using Negentropy.Data;
using Negentropy.Evaluation;
using Negentropy.Information;
using Negentropy.Models;
using Negentropy.Monitoring;
using Negentropy.Reporting;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Negentropy.Training;

/// <summary>
/// A whole training job: load and split the data, build the model, train (or resume), evaluate the
/// best weights on the test set and write every output into the run folder.
/// </summary>
/// <remarks>
/// Run folder layout: model.json, model.bin, metrics.jsonl, test_predictions.csv, val_predictions.csv,
/// reference.json, report.json, classification_report.txt, report.html, plots/, tensorboard/ and checkpoints/{last,best}.ckpt. Inputs are checked before the folder
/// is created, so bad input leaves nothing behind.
/// </remarks>
public static class TrainingRun
{
    public const string CheckpointFolderName = "checkpoints";

    /// <summary>The outcome of a finished run.</summary>
    public sealed record Result(string OutputDirectory, EvaluationReport Evaluation, TemperatureScaling.Summary Temperature, TrainingState State, ModelManifest Manifest);

    /// <summary>Starts a new run that writes into <paramref name="outputDirectory"/>.</summary>
    /// <param name="overwrite">Replace the outputs of an earlier run in that folder instead of failing.</param>
    public static Result Start(TrainingOptions options, string outputDirectory, ITrainingObserver observer, CancellationToken cancellationToken, bool overwrite = false)
    {
        options.ThrowIfInvalid();
        RunOutputs.RequireUsableOutputFolder(outputDirectory, overwrite);

        // The run records the values it uses, not the defaults' absence.
        options = options with
        {
            LearningRate = options.EffectiveLearningRate,
            Width = options.EffectiveWidth,
            Depth = options.EffectiveDepth,
            WarmupEpochs = options.EffectiveWarmupEpochs,
            Threads = options.EffectiveThreads,
            AbstainRisk = options.EffectiveAbstainRisk,
            LoraRank = options.FineTuningMode == FineTuning.Lora ? options.EffectiveLoraRank : null,
            LoraAlpha = options.FineTuningMode == FineTuning.Lora ? options.EffectiveLoraAlpha : null,
        };
        TorchRuntime.Configure(options.EffectiveThreads, options.Seed);
        if (TextTrainingRun.IsTextData(options.Data))
        {
            if (overwrite)
            {
                RunOutputs.DeleteRunOutputs(outputDirectory);
            }
            return TextTrainingRun.Start(options, outputDirectory, observer, cancellationToken);
        }

        PreparedData data = PrepareData(options, normalization: null);
        if (DataSource.IsImageFolder(options.Data))
        {
            // Recorded so that --resume, eval --model and the report decode the images the same way.
            options = options with
            {
                ImageSize = ImageFolderOptions.FormatSize(data.Train.Width, data.Train.Height),
                Channels = data.Train.Channels,
            };
        }
        var spec = new ModelSpec(options.Model, data.Train.Channels, data.Train.Height, data.Train.Width, data.Train.NumClasses,
            options.EffectiveWidth, options.EffectiveDepth, options.Dropout, Binary: options.Binary);
        spec = ModelFactory.WithInputAdapter(spec, options.InputSize is null ? null : ImageFolderOptions.ParseSize(options.InputSize));
        RequireBinaryFits(options, data.Train.NumClasses);
        RequireKnownPlaneLayers(options, spec);
        var state = new TrainingState
        {
            Options = options,
            Spec = spec,
            Normalization = data.Normalization,
            ClassNames = data.Train.ClassNames.ToArray(),
        };

        // The initial weights load before the run folder exists, so a file that does not fit leaves nothing behind.
        nn.Module<Tensor, Tensor>? initialized = null;
        try
        {
            if (options.InitFrom is string initFrom)
            {
                initialized = ModelFactory.Create(spec);
                state = state with { InitialWeights = PretrainedWeights.Load(initialized, initFrom, options.Strict, options.ReplaceHead) };
            }
            if (overwrite)
            {
                RunOutputs.DeleteRunOutputs(outputDirectory);
            }
            Directory.CreateDirectory(Path.Combine(outputDirectory, CheckpointFolderName));
        }
        catch
        {
            initialized?.Dispose();
            throw;
        }
        return Train(state, data, outputDirectory, observer, cancellationToken, resume: false, initialized);
    }

    /// <summary>Continues the run in <paramref name="runDirectory"/> from its last checkpoint.</summary>
    /// <param name="epochs">A new maximum epoch count, or null to keep the run's own.</param>
    /// <param name="threads">A thread count for this process, or null to keep the run's own.</param>
    public static Result Resume(string runDirectory, int? epochs, int? threads, ITrainingObserver observer, CancellationToken cancellationToken)
    {
        string lastPath = Path.Combine(runDirectory, CheckpointFolderName, Trainer.LastCheckpointName);
        if (File.Exists(runDirectory))
        {
            throw new UserInputException($"--resume {runDirectory} is a file; pass the --out folder of the run to continue");
        }
        if (!Directory.Exists(runDirectory))
        {
            throw new UserInputException($"--resume {runDirectory}: folder not found");
        }
        TrainingState saved = Checkpoint.ReadState(lastPath);
        TrainingOptions options = saved.Options with { Epochs = epochs ?? saved.Options.Epochs, Threads = threads ?? saved.Options.Threads };
        options.ThrowIfInvalid();
        if (options.Epochs < saved.EpochsCompleted)
        {
            throw new UserInputException($"--epochs {options.Epochs} is less than the {saved.EpochsCompleted} epochs the run in {runDirectory} has already completed; pass --epochs {saved.EpochsCompleted} or more, or leave it out");
        }
        TorchRuntime.Configure(options.EffectiveThreads, options.Seed);
        if (TextTrainingRun.IsTextData(options.Data))
        {
            return TextTrainingRun.Resume(saved, options, runDirectory, observer, cancellationToken);
        }

        PreparedData data = PrepareData(options, saved.Normalization);
        TrainingState state = saved with { Options = options };
        return Train(state, data, runDirectory, observer, cancellationToken, resume: true);
    }

    /// <param name="initialized">A model built from state.Spec with its initial weights loaded, which this method disposes; null builds a fresh one.</param>
    private static Result Train(TrainingState state, PreparedData data, string outputDirectory, ITrainingObserver observer, CancellationToken cancellationToken, bool resume,
        nn.Module<Tensor, Tensor>? initialized = null)
    {
        TrainingOptions options = state.Options;
        string checkpointFolder = Path.Combine(outputDirectory, CheckpointFolderName);
        long started = TimeProvider.System.GetTimestamp();

        // Pretrained weights load before fine-tuning freezes parameters or adds adapters.
        using nn.Module<Tensor, Tensor> model = initialized ?? ModelFactory.Create(state.Spec);
        using FineTuning tuning = FineTuning.Prepare(model, state.Spec, options);
        using OptimizerHelper optimizer = tuning.CreateOptimizer();
        if (resume)
        {
            state = Checkpoint.Load(Path.Combine(checkpointFolder, Trainer.LastCheckpointName), model, optimizer) with { Options = options };
        }

        using var train = new ImageTensors(data.Train, state.Normalization);
        using var validation = new ImageTensors(data.Validation, state.Normalization);
        LogDecisions(observer, state, data, tuning, checkpointFolder);
        RunTrainer(model, optimizer, train, validation, state, outputDirectory, observer, resume, cancellationToken,
            beforeRun: () => AugmentationPreview.Write(outputDirectory, data.Train, state.Normalization, options.Augment, options.Seed), tuning.LearningRateScales);
        using nn.Module<Tensor, Tensor>? merged = tuning.CreateMergedModel();
        using var test = new ImageTensors(data.Test, state.Normalization);
        return Finish(merged ?? model, state, validation, test,
            new RunReport.DataSummary(data.Source, data.Train.Count, data.Validation.Count, data.Test.Count, data.Excluded, data.Classes), outputDirectory, observer, started,
            tuning.Summarize());
    }

    /// <summary>
    /// Trains until the run is finished (or resumes it), with the metrics log, TensorBoard and information-plane
    /// hooks, then loads the best checkpoint's weights into <paramref name="model"/>.
    /// </summary>
    /// <param name="learningRateScales">The learning-rate factor of each optimizer parameter group (see <see cref="FineTuning.LearningRateScales"/>).</param>
    internal static void RunTrainer(nn.Module<Tensor, Tensor> model, OptimizerHelper optimizer, IBatchSource train, IBatchSource validation,
        TrainingState state, string outputDirectory, ITrainingObserver observer, bool resume, CancellationToken cancellationToken, Action? beforeRun = null,
        IReadOnlyList<double>? learningRateScales = null)
    {
        TrainingOptions options = state.Options;
        string checkpointFolder = Path.Combine(outputDirectory, CheckpointFolderName);
        if (resume && state.IsFinished)
        {
            observer.OnMessage($"the run in {outputDirectory} has finished training; evaluating its best checkpoint again and rewriting the outputs");
        }
        else if (resume)
        {
            // Changing --epochs changes the schedule's length, so the learning rate follows the new cosine curve from here.
            observer.OnMessage($"resuming from {Path.Combine(checkpointFolder, Trainer.LastCheckpointName)}: epoch {state.EpochsCompleted + 1}, step {state.StepInEpoch}");
        }

        var trainer = new Trainer(model, optimizer, train, validation, state, checkpointFolder, observer, learningRateScales: learningRateScales);
        trainer.EpochCompleted += (_, _) => MetricsLog.Write(outputDirectory, state.History);
        if (options.InformationPlane)
        {
            trainer.EpochCompleted += (_, _) => InformationPlaneLog.Write(outputDirectory, state.InformationPlane);
        }
        if (options.TensorBoard)
        {
            var tensorBoard = new TensorBoardLog(outputDirectory);
            trainer.EpochCompleted += tensorBoard.Write;
        }
        if (!resume)
        {
            trainer.SaveLastCheckpoint();
        }
        beforeRun?.Invoke();
        trainer.Run(cancellationToken);

        // The saved model is the one with the lowest validation loss, not the last one.
        Checkpoint.Load(trainer.BestCheckpointPath, model, optimizer: null);
    }

    /// <summary>Evaluates the trained model on the test and validation sets and writes every output of the run.</summary>
    /// <param name="model">The model to save: a plain model of the run's architecture, adapters merged.</param>
    internal static Result Finish(nn.Module<Tensor, Tensor> model, TrainingState state, IBatchSource validation, IBatchSource test,
        RunReport.DataSummary summary, string outputDirectory, ITrainingObserver observer, long started, FineTuning.Summary fineTuning)
    {
        PredictionSet testPredictions = Evaluator.Predict(model, test, state.ClassNames.Count);
        PredictionSet validationPredictions = Evaluator.Predict(model, validation, state.ClassNames.Count);

        // Figures come from the probabilities as test_predictions.csv stores them, so that
        // 'negentropy eval' on that file reproduces report.json exactly.
        double[] testProbs = PredictionsCsv.RoundToWrittenPrecision(testPredictions.Probabilities);
        double[] validationProbs = PredictionsCsv.RoundToWrittenPrecision(validationPredictions.Probabilities);
        EvaluationReport evaluation = EvaluationReport.Compute(testPredictions.Targets, testProbs, state.ClassNames);
        TemperatureScaling.Summary temperature = TemperatureScaling.FitAndCompare(
            validationPredictions.Targets, validationProbs, testPredictions.Targets, testProbs, state.ClassNames.Count);

        (AbstentionPolicy abstention, RiskCoverage.Curve riskCoverage) = AbstentionThreshold.Choose(
            state.Options, validationPredictions.Targets, validationProbs, state.ClassNames.Count, observer);

        ModelManifest manifest = CreateManifest(state, model) with { Temperature = temperature.Temperature, Abstention = abstention };
        SavedModel.Save(outputDirectory, manifest, model);
        MonitoringReference.FromProbabilities(validationProbs, state.ClassNames, abstention.ThresholdBits).Write(outputDirectory);
        MetricsLog.Write(outputDirectory, state.History);
        PredictionsCsv.Write(outputDirectory, testPredictions, state.ClassNames);
        PredictionsCsv.Write(outputDirectory, validationPredictions, state.ClassNames, PredictionsCsv.ValidationFileName);
        double seconds = state.History.Sum(m => m.Seconds);
        RunReport.Write(outputDirectory, manifest, summary, state, evaluation, temperature, seconds, riskCoverage, fineTuning);
        RunReportBuilder.Build(outputDirectory);
        observer.OnMessage($"finished in {TimeProvider.System.GetElapsedTime(started).TotalSeconds:F1} s; outputs in {Path.GetFullPath(outputDirectory)}");
        return new Result(outputDirectory, evaluation, temperature, state, manifest);
    }

    private sealed record PreparedData(ImageDataset Train, ImageDataset Validation, ImageDataset Test, ChannelNormalization Normalization, string Source,
        IReadOnlyList<string> Notes, RunReport.Exclusion? Excluded = null, ClassSubset? Classes = null);

    private static PreparedData PrepareData(TrainingOptions options, ChannelNormalization? normalization)
    {
        ImageDatasetPair pair = DataSource.Load(options.Data, options.DataDirectory, options.ImageFolder);
        ClassSubset? classes = options.Classes is string selection ? ClassSubset.Parse(selection, pair.Train.ClassNames) : null;
        if (classes is not null)
        {
            pair = classes.Apply(pair);
        }
        ImageDataset full = options.Limit is int limit ? pair.Train.Take(limit) : pair.Train;
        RunReport.Exclusion? excluded = null;
        if (options.Exclude is string excludeFile)
        {
            (full, excluded) = ExcludedSamples.Remove(full, excludeFile, options.Limit);
        }
        int presentClasses = full.Labels.Distinct().Count();
        if (presentClasses < 2)
        {
            throw new UserInputException($"--data {options.Data}: the training images carry {presentClasses} class; a classifier needs at least 2");
        }
        (int[] trainIndices, int[] validationIndices) = StratifiedSplit.Split(full.Labels, options.ValidationFraction, options.Seed);
        if (trainIndices.Length == 0 || validationIndices.Length == 0)
        {
            throw new UserInputException(
                $"--val-fraction {options.ValidationFraction} on {full.Count} images leaves {trainIndices.Length} for training and {validationIndices.Length} for validation; both need at least one");
        }
        ImageDataset train = full.Subset(trainIndices);
        ImageDataset validation = full.Subset(validationIndices);
        return new PreparedData(train, validation, pair.Test, normalization ?? ChannelNormalization.Compute(train), pair.Source, pair.Notes, excluded, classes);
    }


    internal static OptimizerHelper CreateOptimizer(nn.Module model, TrainingOptions options) => options.Optimizer switch
    {
        "sgd" => torch.optim.SGD(model.parameters(), options.EffectiveLearningRate, momentum: options.Momentum,
            weight_decay: options.WeightDecay, nesterov: options.Momentum > 0),
        _ => torch.optim.AdamW(model.parameters(), options.EffectiveLearningRate, weight_decay: options.WeightDecay),
    };

    private static void LogDecisions(ITrainingObserver observer, TrainingState state, PreparedData data, FineTuning tuning, string checkpointFolder)
    {
        TrainingOptions options = state.Options;
        string Invariant(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);
        observer.OnDecision("threads", Invariant($"{torch.get_num_threads()} (libtorch intra-op; {Environment.ProcessorCount} processors)"));
        observer.OnDecision("seed", Invariant($"{options.Seed}"));
        observer.OnDecision("data", data.Source);
        foreach (string note in data.Notes)
        {
            observer.OnDecision("images", note);
        }
        if (data.Classes is ClassSubset classes)
        {
            observer.OnDecision("classes", Invariant($"{classes.ClassNames.Count} of {classes.SourceClassCount} ({classes.Describe()})"));
        }
        observer.OnDecision("samples", Invariant($"train {data.Train.Count}, validation {data.Validation.Count} ({options.ValidationFraction * 100:0.#}%, stratified), test {data.Test.Count}{LimitText(options.Limit, data.Train.Count + data.Validation.Count + (data.Excluded?.Indices.Count ?? 0))}"));
        if (data.Excluded is RunReport.Exclusion excluded)
        {
            string perClass = string.Join(", ", excluded.PerClass.Where(pair => pair.Value > 0).Select(pair => $"{pair.Key} {pair.Value}"));
            observer.OnDecision("excluded", Invariant($"{excluded.Indices.Count} training samples listed in {excluded.File}{(perClass.Length > 0 ? $" ({perClass})" : "")}"));
        }
        observer.OnDecision("input", Invariant($"{data.Train.Channels}x{data.Train.Height}x{data.Train.Width}, {data.Train.NumClasses} classes"));
        string[] unseen = Enumerable.Range(0, data.Train.NumClasses).Where(k => !data.Train.Labels.Contains(k)).Select(k => data.Train.ClassNames[k]).ToArray();
        if (unseen.Length > 0)
        {
            observer.OnDecision("warning", $"{unseen.Length} {(unseen.Length == 1 ? "class has" : "classes have")} no training images ({string.Join(", ", unseen.Take(10))}{(unseen.Length > 10 ? ", …" : "")}); the model cannot learn them");
        }
        observer.OnDecision("normalization", Invariant($"mean {string.Join("/", state.Normalization.Mean.Select(m => m.ToString("F4", CultureInfo.InvariantCulture)))}, std {string.Join("/", state.Normalization.Std.Select(s => s.ToString("F4", CultureInfo.InvariantCulture)))} (training split)"));
        observer.OnDecision("model", Invariant($"{state.Spec.Architecture} width {state.Spec.Width} depth {state.Spec.Depth} dropout {state.Spec.Dropout}, {tuning.ModelParameters:N0} parameters"));
        if (state.Spec.InputAdapter is InputAdapter adapter)
        {
            observer.OnDecision("input adapter", $"{adapter.Describe(state.Spec.InputHeight, state.Spec.InputWidth)}, inside the model");
        }
        if (state.InitialWeights is InitialWeights initialWeights)
        {
            InitialWeightsLog.Write(observer, initialWeights);
        }
        tuning.Log(observer);
        observer.OnDecision("optimizer", Invariant($"{options.Optimizer} lr {options.EffectiveLearningRate} weight decay {options.WeightDecay}{(options.Optimizer == "sgd" ? $" momentum {options.Momentum}" : "")}, batch {options.BatchSize}"));
        observer.OnDecision("schedule", Invariant($"{options.Schedule}, warm-up {options.EffectiveWarmupEpochs:0.##} epochs, {options.Epochs} epochs max, early-stopping patience {options.Patience}"));
        observer.OnDecision("augmentation", options.Augment.Describe());
        observer.OnDecision("loss", Invariant($"{(options.Binary ? "binary cross-entropy on one logit" : "cross-entropy")}, label smoothing {options.LabelSmoothing}, gradient clipping {(options.ClipGradNorm > 0 ? options.ClipGradNorm.ToString(CultureInfo.InvariantCulture) : "off")}"));
        if (options.InformationPlane)
        {
            int probe = Math.Min(options.ProbeSize, data.Validation.Count);
            string layers = options.PlaneLayers is { Count: > 0 } chosen ? string.Join(", ", chosen) : "every block output and the penultimate layer";
            observer.OnDecision("information plane", Invariant($"{layers}; {probe} validation samples (I(X;T) at most log2 {probe} = {Math.Log2(probe):F2} bits), binning ({InformationPlane.DefaultBins} bins) and KDE (noise variance {InformationPlane.KdeNoiseVariance}) estimators"));
            if (options.ProbeSize > data.Validation.Count)
            {
                observer.OnDecision("warning", Invariant($"--probe-size {options.ProbeSize} is more than the {data.Validation.Count} validation samples, so the probe uses all {data.Validation.Count}"));
            }
        }
        observer.OnDecision("checkpoints", Invariant($"{checkpointFolder} (every {options.CheckpointIntervalSeconds} s and each epoch end)"));
    }

    /// <summary>Throws when --binary is given for data that does not have exactly two classes.</summary>
    internal static void RequireBinaryFits(TrainingOptions options, int numClasses)
    {
        if (options.Binary && numClasses != 2)
        {
            throw new UserInputException($"--binary needs exactly 2 classes, but --data {options.Data} has {numClasses}; drop --binary to train a softmax over them");
        }
    }

    // Runs one zero image through a fresh model to learn its layer names before anything is written.
    private static void RequireKnownPlaneLayers(TrainingOptions options, ModelSpec spec)
    {
        if (!options.InformationPlane || options.PlaneLayers is not { Count: > 0 } chosen)
        {
            return;
        }
        using nn.Module<Tensor, Tensor> probeModel = ModelFactory.Create(spec);
        using var scope = NewDisposeScope();
        using var noGrad = torch.no_grad();
        probeModel.eval();
        var activations = new List<(string Layer, Tensor Activation)>();
        ((ILayerActivations)probeModel).ForwardWithActivations(torch.zeros(1, spec.InputChannels, spec.InputHeight, spec.InputWidth), activations);
        string[] unknown = chosen.Where(name => activations.All(a => a.Layer != name)).ToArray();
        if (unknown.Length > 0)
        {
            throw new UserInputException($"--plane-layers {string.Join(",", unknown)}: no such layer in this {spec.Architecture}; its layers are {string.Join(", ", activations.Select(a => a.Layer))}");
        }
    }

    private static string LimitText(int? limit, int used) => limit switch
    {
        null => "",
        int value when value == used => $", limited to the first {value} training images",
        int value => $", --limit {value} is more than the {used} training images, so all are used",
    };

    private static ModelManifest CreateManifest(TrainingState state, nn.Module model)
    {
        DateTimeOffset now = TimeProvider.System.GetUtcNow();
        string dataName = string.Equals(state.Options.Data, FashionMnist.Name, StringComparison.OrdinalIgnoreCase)
            ? FashionMnist.Name
            : Path.GetFileName(Path.TrimEndingDirectorySeparator(Path.GetFullPath(state.Options.Data)));
        return new ModelManifest
        {
            Name = $"{dataName}-{state.Spec.Architecture}",
            Version = now.ToString("yyyyMMdd'T'HHmmss'Z'", CultureInfo.InvariantCulture),
            CreatedUtc = now,
            Spec = state.Spec,
            ParameterCount = model.parameters().Sum(parameter => parameter.numel()),
            InitialWeights = state.InitialWeights,
            ClassNames = state.ClassNames,
            Normalization = state.Normalization,
            Training = state.Options,
            BestEpoch = state.BestEpoch,
            EpochsCompleted = state.EpochsCompleted,
        };
    }
}
