using System.Globalization;
using Negentropy.Data;
using Negentropy.Models;
using Negentropy.Reporting;
using Negentropy.Text;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Negentropy.Training;

/// <summary>
/// A training job on a text table. It reads the table and a test table (or splits one off), holds out a
/// stratified validation share and fits the tokenizer on the training split. Then it trains, evaluates
/// and writes the same outputs as an image run, plus RUN/tokenizer.json.
/// </summary>
public static class TextTrainingRun
{
    public const string EncoderFileName = "tokenizer.json";

    /// <summary>True when <paramref name="data"/> names a CSV, TSV or JSONL file.</summary>
    public static bool IsTextData(string data) =>
        TextTableReader.FormatsByExtension.ContainsKey(Path.GetExtension(data)) && !Directory.Exists(data);

    private sealed record PreparedText(TextDataset Train, TextDataset Validation, TextDataset Test, string Source, IReadOnlyList<string> Notes, ClassSubset? Classes);

    internal static TrainingRun.Result Start(TrainingOptions options, string outputDirectory, ITrainingObserver observer, CancellationToken cancellationToken)
    {
        RequireTextModel(options);
        PreparedText data = Prepare(options);
        ITextEncoder encoder = FitEncoder(options, data.Train);
        var spec = new ModelSpec(options.Model, 1, 1, 1, data.Train.NumClasses, options.EffectiveWidth, options.EffectiveDepth, options.Dropout,
            VocabularySize: encoder.VocabularySize, MaxLength: options.Text.EffectiveMaxLength(options.Model),
            Pooling: options.Model == "transformer" ? options.Text.Pooling : null, Binary: options.Binary);
        TrainingRun.RequireBinaryFits(options, data.Train.NumClasses);
        var state = new TrainingState
        {
            Options = options,
            Spec = spec,
            Normalization = new ChannelNormalization(Array.Empty<double>(), Array.Empty<double>()),
            ClassNames = data.Train.ClassNames.ToArray(),
        };
        Directory.CreateDirectory(Path.Combine(outputDirectory, TrainingRun.CheckpointFolderName));
        encoder.Save(Path.Combine(outputDirectory, EncoderFileName));
        return Train(state, data, encoder, outputDirectory, observer, cancellationToken, resume: false);
    }

    internal static TrainingRun.Result Resume(TrainingState saved, TrainingOptions options, string runDirectory, ITrainingObserver observer, CancellationToken cancellationToken)
    {
        PreparedText data = Prepare(options);
        string encoderPath = Path.Combine(runDirectory, EncoderFileName);
        if (!File.Exists(encoderPath))
        {
            throw new UserInputException($"--resume {runDirectory}: {EncoderFileName} is missing, so the texts cannot be encoded as before; start the run again");
        }
        ITextEncoder encoder = TextEncoders.Load(encoderPath);
        return Train(saved with { Options = options }, data, encoder, runDirectory, observer, cancellationToken, resume: true);
    }

    private static TrainingRun.Result Train(TrainingState state, PreparedText data, ITextEncoder encoder, string outputDirectory, ITrainingObserver observer,
        CancellationToken cancellationToken, bool resume)
    {
        TrainingOptions options = state.Options;
        long started = TimeProvider.System.GetTimestamp();
        using nn.Module<Tensor, Tensor> model = ModelFactory.Create(state.Spec);
        using FineTuning tuning = FineTuning.Prepare(model, state.Spec, options);
        using OptimizerHelper optimizer = tuning.CreateOptimizer();
        if (resume)
        {
            state = Checkpoint.Load(Path.Combine(outputDirectory, TrainingRun.CheckpointFolderName, Trainer.LastCheckpointName), model, optimizer) with { Options = options };
        }

        int maxLength = state.Spec.MaxLength;
        using var train = Encode(data.Train, encoder, maxLength);
        using var validation = Encode(data.Validation, encoder, maxLength);
        LogDecisions(observer, state, data, encoder, tuning);
        TrainingRun.RunTrainer(model, optimizer, train, validation, state, outputDirectory, observer, resume, cancellationToken,
            learningRateScales: tuning.LearningRateScales);
        using nn.Module<Tensor, Tensor>? merged = tuning.CreateMergedModel();
        using var test = Encode(data.Test, encoder, maxLength);
        return TrainingRun.Finish(merged ?? model, state, validation, test,
            new RunReport.DataSummary(data.Source, data.Train.Count, data.Validation.Count, data.Test.Count, Classes: data.Classes), outputDirectory, observer, started,
            tuning.Summarize());
    }

    /// <summary>
    /// Predicts the rows of the table <paramref name="tablePath"/> with a saved text model, and its own
    /// validation split when the training table is still there (null otherwise), for temperature scaling.
    /// When the table is the run's own --data and the run had no --test-data, only the run's seeded test
    /// split is predicted, so training rows are never scored. Any other table is predicted whole.
    /// </summary>
    public static (PredictionSet Table, PredictionSet? Validation) PredictTable(nn.Module<Tensor, Tensor> model, ModelManifest manifest, string modelDirectory, string tablePath)
    {
        if (!IsTextData(tablePath))
        {
            throw new UserInputException($"--data {tablePath}: the model in {modelDirectory} reads text, so pass a CSV, TSV or JSONL table");
        }
        string encoderPath = Path.Combine(modelDirectory, EncoderFileName);
        if (!File.Exists(encoderPath))
        {
            throw new UserInputException($"{encoderPath} is missing; a text model needs the tokenizer saved with it");
        }
        ITextEncoder encoder = TextEncoders.Load(encoderPath);
        TextDataOptions text = manifest.Training.Text;
        bool ownTable = text.TestData is null && File.Exists(manifest.Training.Data)
            && string.Equals(Path.GetFullPath(tablePath), Path.GetFullPath(manifest.Training.Data), StringComparison.Ordinal);
        if (ownTable)
        {
            PreparedText own = Prepare(manifest.Training);
            using var testRows = Encode(own.Test, encoder, manifest.Spec.MaxLength);
            using var ownValidation = Encode(own.Validation, encoder, manifest.Spec.MaxLength);
            return (Evaluator.Predict(model, testRows, manifest.ClassNames.Count), Evaluator.Predict(model, ownValidation, manifest.ClassNames.Count));
        }
        TextTable table = TextTableReader.Read(tablePath, new TextTableOptions { TextColumns = text.TextColumns, LabelColumn = text.LabelColumn, Encoding = text.Encoding });
        var classIndex = manifest.ClassNames.Select((name, index) => (name, index)).ToDictionary(pair => pair.name, pair => pair.index, StringComparer.Ordinal);
        // A model trained on a --classes selection skips the rows of the classes it left out, as its training
        // run did. For other models, an unknown label is an error.
        var texts = new List<string>();
        var labels = new List<int>();
        for (int i = 0; i < table.Count; i++)
        {
            if (classIndex.TryGetValue(table.Labels[i], out int label))
            {
                texts.Add(table.Texts[i]);
                labels.Add(label);
            }
            else if (manifest.Training.Classes is null)
            {
                throw new UserInputException($"{table.Locate(i)}: label '{table.Labels[i]}' is not one of the model's classes ({string.Join(", ", manifest.ClassNames)})");
            }
        }
        using var rows = Encode(new TextDataset(texts, labels.ToArray(), manifest.ClassNames), encoder, manifest.Spec.MaxLength);
        PredictionSet predictions = Evaluator.Predict(model, rows, manifest.ClassNames.Count);
        if (!File.Exists(manifest.Training.Data))
        {
            return (predictions, null);
        }
        using var validation = Encode(Prepare(manifest.Training).Validation, encoder, manifest.Spec.MaxLength);
        return (predictions, Evaluator.Predict(model, validation, manifest.ClassNames.Count));
    }

    /// <summary>Reads the tables named by <paramref name="options"/> and returns the test texts, in the order of test_predictions.csv.</summary>
    public static TextDataset LoadTest(TrainingOptions options) => Prepare(options).Test;

    private static PreparedText Prepare(TrainingOptions options)
    {
        TextDataOptions text = options.Text;
        var tableOptions = new TextTableOptions { TextColumns = text.TextColumns, LabelColumn = text.LabelColumn, Encoding = text.Encoding };
        TextTable trainTable = TextTableReader.Read(options.Data, tableOptions);
        TextTable? testTable = text.TestData is string testPath ? TextTableReader.Read(testPath, tableOptions) : null;
        TextDatasetPair pair = TextDataset.FromTables(trainTable, testTable, TextDataOptions.DefaultTestFraction, options.Seed);
        ClassSubset? classes = options.Classes is string selection ? ClassSubset.Parse(selection, pair.Train.ClassNames) : null;
        if (classes is not null)
        {
            pair = pair with { Train = classes.Apply(pair.Train), Test = classes.Apply(pair.Test) };
        }
        TextDataset full = options.Limit is int limit && limit < pair.Train.Count ? pair.Train.Subset(Enumerable.Range(0, limit).ToArray()) : pair.Train;
        (int[] trainIndices, int[] validationIndices) = StratifiedSplit.Split(full.Labels, options.ValidationFraction, options.Seed);
        if (trainIndices.Length == 0 || validationIndices.Length == 0)
        {
            throw new UserInputException(
                $"--val-fraction {options.ValidationFraction} on {full.Count} texts leaves {trainIndices.Length} for training and {validationIndices.Length} for validation; both need at least one");
        }
        return new PreparedText(full.Subset(trainIndices), full.Subset(validationIndices), pair.Test, pair.Source, pair.Notes, classes);
    }

    /// <summary>
    /// Returns the tokenizer of a run: the <see cref="TextDataOptions.TokenizerFile"/> when one is set, otherwise
    /// the model's tokenizer fitted on <paramref name="train"/> within the vocabulary bound of <paramref name="options"/>.
    /// </summary>
    public static ITextEncoder FitEncoder(TrainingOptions options, TextDataset train)
    {
        if (options.Text.TokenizerFile is string file)
        {
            return LoadEncoder(file);
        }
        int size = options.Text.EffectiveVocabularySize(options.Model);
        return options.Text.EffectiveTokenizer(options.Model) switch
        {
            "hashed" => new HashedNgramEncoder(buckets: size),
            "bpe" => SubwordTokenizer.Train(train.Texts, size),
            _ => WordTokenizer.Fit(train.Texts, options.Text.MinCount, size),
        };
    }

    // A vocab.json with merges.txt beside it is a BPE model in GPT-2's format; any other file is a saved tokenizer.
    private static ITextEncoder LoadEncoder(string file)
    {
        if (!File.Exists(file))
        {
            throw new UserInputException($"--tokenizer-file {file}: file not found");
        }
        string merges = Path.Combine(Path.GetDirectoryName(Path.GetFullPath(file))!, "merges.txt");
        return Path.GetFileName(file) == "vocab.json" && File.Exists(merges)
            ? SubwordTokenizer.FromFiles(file, merges)
            : TextEncoders.Load(file);
    }

    private static TextTensors Encode(TextDataset data, ITextEncoder encoder, int maxLength) =>
        new(data.Texts.Select(text => encoder.Encode(text, maxLength)).ToArray(), data.Labels);

    private static void RequireTextModel(TrainingOptions options)
    {
        if (!ModelFactory.TextArchitectures.Contains(options.Model))
        {
            throw new UserInputException(
                $"--model {options.Model} takes images, but --data {options.Data} is a text table; pick a text model: {string.Join(", ", ModelFactory.TextArchitectures)}");
        }
    }

    private static void LogDecisions(ITrainingObserver observer, TrainingState state, PreparedText data, ITextEncoder encoder, FineTuning tuning)
    {
        TrainingOptions options = state.Options;
        string Invariant(FormattableString value) => value.ToString(CultureInfo.InvariantCulture);
        observer.OnDecision("threads", Invariant($"{torch.get_num_threads()} (libtorch intra-op; {Environment.ProcessorCount} processors)"));
        observer.OnDecision("seed", Invariant($"{options.Seed}"));
        observer.OnDecision("data", data.Source);
        foreach (string note in data.Notes)
        {
            observer.OnDecision("data", note);
        }
        if (data.Classes is ClassSubset classes)
        {
            observer.OnDecision("classes", Invariant($"{classes.ClassNames.Count} of {classes.SourceClassCount} ({classes.Describe()})"));
        }
        observer.OnDecision("samples", Invariant($"train {data.Train.Count}, validation {data.Validation.Count} ({options.ValidationFraction * 100:0.#}%, stratified), test {data.Test.Count}, {data.Train.NumClasses} classes"));
        string origin = options.Text.TokenizerFile is string file ? $"loaded from {file}" : "fitted on the training split";
        observer.OnDecision("tokenizer", Invariant($"{encoder.Kind} {origin}, {encoder.VocabularySize:N0} ids (0 is padding), at most {state.Spec.MaxLength} per text"));
        observer.OnDecision("model", Invariant($"{state.Spec.Architecture} width {state.Spec.Width} depth {state.Spec.Depth} dropout {state.Spec.Dropout}{(state.Spec.Pooling is string pooling ? $" pooling {pooling}" : "")}, {tuning.ModelParameters:N0} parameters"));
        tuning.Log(observer);
        observer.OnDecision("output", state.Spec.Binary ? "one logit for class 1 (sigmoid, binary cross-entropy)" : Invariant($"{state.Spec.NumClasses} logits (softmax, cross-entropy)"));
        observer.OnDecision("optimizer", Invariant($"{options.Optimizer} lr {options.EffectiveLearningRate} weight decay {options.WeightDecay}, batch {options.BatchSize}"));
        observer.OnDecision("schedule", Invariant($"{options.Schedule}, warm-up {options.EffectiveWarmupEpochs:0.##} epochs, {options.Epochs} epochs max, early-stopping patience {options.Patience}"));
    }
}
