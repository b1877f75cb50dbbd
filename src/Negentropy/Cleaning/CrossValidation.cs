using System.Globalization;
using System.Text.Json;
using Negentropy.Data;
using Negentropy.Models;
using Negentropy.Reporting;
using Negentropy.Training;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Negentropy.Cleaning;

/// <summary>
/// Out-of-sample predicted probabilities by stratified K-fold cross-validation: for each fold, a fresh
/// model trains on the other folds (less a stratified validation share that picks its best epoch) and
/// predicts the fold. Every sample is thus predicted by a model that never saw its label.
/// </summary>
/// <remarks>
/// Each finished fold is stored as WORK/fold-K.csv (the predictions format with an index column), next to
/// WORK/settings.json. Running again with the same settings and data reuses finished folds, so a killed
/// run continues with the fold it was in.
/// </remarks>
public static class CrossValidation
{
    public const string SettingsFileName = "settings.json";

    /// <summary>Returns probabilities [data.Count, NumClasses], row-major, in the order of <paramref name="data"/>.</summary>
    public static double[] OutOfSampleProbabilities(ImageDataset data, TrainingOptions options, int folds, string workFolder,
        ITrainingObserver observer, CancellationToken cancellationToken)
    {
        int numClasses = data.NumClasses;
        if (folds > data.Count)
        {
            throw new UserInputException($"--folds {folds} is more than the {data.Count} samples; pass --folds {Math.Max(2, Math.Min(data.Count, 5))} or fewer");
        }
        int[] assignment = StratifiedKFold.Assign(data.Labels, folds, options.Seed);
        PrepareWorkFolder(workFolder, data, options, folds);
        var probabilities = new double[(long)data.Count * numClasses];
        for (int fold = 0; fold < folds; fold++)
        {
            int[] heldOut = Enumerable.Range(0, data.Count).Where(i => assignment[i] == fold).ToArray();
            string foldFile = Path.Combine(workFolder, $"fold-{fold}.csv");
            PredictionsCsvReader.Table? finished = File.Exists(foldFile) ? PredictionsCsvReader.Read(foldFile) : null;
            if (finished?.Indices is int[] stored && stored.SequenceEqual(heldOut))
            {
                observer.OnMessage($"fold {fold + 1}/{folds}: reusing {foldFile}");
                Scatter(finished.Probabilities, heldOut, probabilities, numClasses);
                continue;
            }

            observer.OnMessage($"fold {fold + 1}/{folds}: training on {data.Count - heldOut.Length} images, predicting {heldOut.Length}");
            PredictionSet predictions = TrainAndPredict(data, assignment, fold, options, Path.Combine(workFolder, $"fold-{fold}"), observer, cancellationToken);
            PredictionsCsv.Write(workFolder, predictions, data.ClassNames, Path.GetFileName(foldFile), heldOut);
            // The file's rounded values are used, so a reused fold gives the same result as a fresh one.
            Scatter(PredictionsCsv.RoundToWrittenPrecision(predictions.Probabilities), heldOut, probabilities, numClasses);
            Directory.Delete(Path.Combine(workFolder, $"fold-{fold}"), recursive: true);
        }
        return probabilities;
    }

    private static PredictionSet TrainAndPredict(ImageDataset data, int[] assignment, int fold, TrainingOptions options, string checkpointFolder,
        ITrainingObserver observer, CancellationToken cancellationToken)
    {
        int[] rest = Enumerable.Range(0, data.Count).Where(i => assignment[i] != fold).ToArray();
        ImageDataset pool = data.Subset(rest);
        (int[] trainIndices, int[] validationIndices) = StratifiedSplit.Split(pool.Labels, options.ValidationFraction, options.Seed + fold);
        if (trainIndices.Length == 0 || validationIndices.Length == 0)
        {
            throw new UserInputException(
                $"fold {fold + 1}: {pool.Count} samples outside the fold leave {trainIndices.Length} for training and {validationIndices.Length} for picking the best epoch; both need at least one, so use fewer --folds or more data");
        }
        ImageDataset train = pool.Subset(trainIndices);
        ImageDataset validation = pool.Subset(validationIndices);
        ImageDataset heldOut = data.Subset(Enumerable.Range(0, data.Count).Where(i => assignment[i] == fold).ToArray());

        TorchRuntime.Configure(options.EffectiveThreads, options.Seed + fold);
        ModelSpec spec = ModelFactory.WithInputAdapter(new ModelSpec(options.Model, data.Channels, data.Height, data.Width, data.NumClasses,
            options.EffectiveWidth, options.EffectiveDepth, options.Dropout));
        var state = new TrainingState
        {
            Options = options,
            Spec = spec,
            Normalization = ChannelNormalization.Compute(train),
            ClassNames = data.ClassNames.ToArray(),
        };
        using nn.Module<Tensor, Tensor> model = ModelFactory.Create(spec);
        using OptimizerHelper optimizer = TrainingRun.CreateOptimizer(model, options);
        using var trainTensors = new ImageTensors(train, state.Normalization);
        using var validationTensors = new ImageTensors(validation, state.Normalization);
        var trainer = new Trainer(model, optimizer, trainTensors, validationTensors, state, checkpointFolder, observer);
        trainer.Run(cancellationToken);
        Checkpoint.Load(trainer.BestCheckpointPath, model, optimizer: null);
        using var heldOutTensors = new ImageTensors(heldOut, state.Normalization);
        return Evaluator.Predict(model, heldOutTensors, data.NumClasses);
    }

    private static void Scatter(double[] rows, int[] indices, double[] target, int numClasses)
    {
        for (int r = 0; r < indices.Length; r++)
        {
            Array.Copy(rows, (long)r * numClasses, target, (long)indices[r] * numClasses, numClasses);
        }
    }

    // Folds finished under other settings or other data are removed, never reused. Only the fold files
    // and folders this class writes are removed, and anything else in the folder is left alone. The thread
    // count is not part of the settings: runs with 1 and 2 threads gave the same losses.
    private static void PrepareWorkFolder(string workFolder, ImageDataset data, TrainingOptions options, int folds)
    {
        string settings = JsonSerializer.Serialize(new
        {
            folds,
            samples = data.Count,
            data_sha256 = DataHash(data),
            training = options with { Threads = null },
        }, JsonFormats.Indented);
        string settingsPath = Path.Combine(workFolder, SettingsFileName);
        if (Directory.Exists(workFolder) && (!File.Exists(settingsPath) || File.ReadAllText(settingsPath) != settings))
        {
            foreach (string file in Directory.GetFiles(workFolder, "fold-*.csv"))
            {
                File.Delete(file);
            }
            foreach (string folder in Directory.GetDirectories(workFolder, "fold-*"))
            {
                Directory.Delete(folder, recursive: true);
            }
        }
        Directory.CreateDirectory(workFolder);
        AtomicFile.WriteAllText(settingsPath, settings);
    }

    private static string DataHash(ImageDataset data)
    {
        using var hash = System.Security.Cryptography.IncrementalHash.CreateHash(System.Security.Cryptography.HashAlgorithmName.SHA256);
        hash.AppendData(data.Pixels);
        byte[] labels = new byte[data.Labels.Length * sizeof(int)];
        Buffer.BlockCopy(data.Labels, 0, labels, 0, labels.Length);
        hash.AppendData(labels);
        return Convert.ToHexString(hash.GetHashAndReset()).ToLower(CultureInfo.InvariantCulture);
    }
}
