using Negentropy.Data;
using Negentropy.Evaluation;
using Negentropy.Information;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Negentropy.Training;

/// <summary>
/// The epoch loop: training steps, validation, best-model tracking, early stopping and checkpoints.
/// It continues from the step that <see cref="TrainingState"/> records, so a resumed run takes the same
/// batches in the same order as an uninterrupted one.
/// </summary>
public sealed class Trainer
{
    public const string LastCheckpointName = "last.ckpt";
    public const string BestCheckpointName = "best.ckpt";

    /// <summary>Steps between progress events; each event reads the device-side sums once.</summary>
    public const int ProgressIntervalSteps = 10;

    /// <summary>The global gradient norm is measured on every this-many-th step (0, 10, 20, …), which keeps its cost out of most steps.</summary>
    public const int GradientNormIntervalSteps = 10;

    private readonly nn.Module<Tensor, Tensor> model;
    private readonly OptimizerHelper optimizer;
    private readonly IBatchSource train;
    private readonly IBatchSource validation;
    private readonly TrainingState state;
    private readonly string checkpointFolder;
    private readonly ITrainingObserver observer;
    private readonly TimeProvider time;
    private readonly ImageAugmenter? augmenter;
    private readonly IReadOnlyList<double> learningRateScales;
    private int epochInProgress;

    /// <param name="learningRateScales">
    /// The factor on the scheduled learning rate of each of the optimizer's parameter groups, in their order
    /// (see <see cref="FineTuning.LearningRateScales"/>); null for 1 on every group.
    /// </param>
    public Trainer(nn.Module<Tensor, Tensor> model, OptimizerHelper optimizer, IBatchSource train, IBatchSource validation,
        TrainingState state, string checkpointFolder, ITrainingObserver observer, TimeProvider? time = null, IReadOnlyList<double>? learningRateScales = null)
    {
        int groups = optimizer.ParamGroups.Count();
        if (learningRateScales is not null && learningRateScales.Count != groups)
        {
            throw new ArgumentException($"{learningRateScales.Count} learning-rate scales for an optimizer with {groups} parameter groups", nameof(learningRateScales));
        }
        this.learningRateScales = learningRateScales ?? Enumerable.Repeat(1.0, groups).ToArray();
        this.model = model;
        this.optimizer = optimizer;
        this.train = train;
        this.validation = validation;
        this.state = state;
        this.checkpointFolder = checkpointFolder;
        this.observer = observer;
        this.time = time ?? TimeProvider.System;
        // Augmentation applies to image batches only.
        augmenter = state.Options.Augment.IsEnabled && train is ImageTensors ? new ImageAugmenter(state.Options.Augment, state.Normalization) : null;
    }

    private TrainingOptions Options => state.Options;

    /// <summary>Raised after each epoch, once its checkpoint is written, with the epoch's validation entropy lens.</summary>
    public event Action<EpochMetrics, EntropyLens>? EpochCompleted;

    public string LastCheckpointPath => Path.Combine(checkpointFolder, LastCheckpointName);

    public string BestCheckpointPath => Path.Combine(checkpointFolder, BestCheckpointName);

    /// <summary>Runs epochs until the run is finished or <paramref name="cancellationToken"/> fires.</summary>
    /// <exception cref="OperationCanceledException">Cancelled; the last checkpoint contains the progress up to the last whole step.</exception>
    public void Run(CancellationToken cancellationToken)
    {
        int steps = train.BatchCount(Options.BatchSize);
        var schedule = new LearningRateSchedule(
            Options.Schedule,
            Options.EffectiveLearningRate,
            warmupSteps: (long)Math.Round(Options.EffectiveWarmupEpochs * steps),
            totalSteps: (long)Options.Epochs * steps);

        while (!state.IsFinished)
        {
            RunEpoch(state.EpochsCompleted + 1, steps, schedule, cancellationToken);
        }
    }

    /// <summary>Writes the last checkpoint with the current state.</summary>
    public void SaveLastCheckpoint() => Checkpoint.Save(LastCheckpointPath, state, model, optimizer);

    private void RunEpoch(int epoch, int steps, LearningRateSchedule schedule, CancellationToken cancellationToken)
    {
        int[] order = ImageTensors.EpochOrder(train.Count, Options.Seed, epoch, shuffle: true);
        epochInProgress = epoch;
        observer.OnEpochStart(epoch, Options.Epochs, steps);
        long epochStart = time.GetTimestamp();
        double secondsBefore = state.PartialSeconds;
        long lastCheckpoint = epochStart;
        double learningRate = schedule.At(state.GlobalStep);

        // Sums stay on the device and are read once per progress interval, not every step.
        using Tensor lossSum = torch.tensor(state.PartialLossSum, ScalarType.Float64);
        using Tensor correct = torch.tensor(state.PartialCorrect, ScalarType.Int64);
        using Tensor gradientNormSum = torch.tensor(state.PartialGradientNormSum, ScalarType.Float64);
        long samples = state.PartialSamples;
        FineTuning.EnterTrainMode(model, Options);

        for (int step = state.StepInEpoch; step < steps; step++)
        {
            if (cancellationToken.IsCancellationRequested)
            {
                StorePartial(lossSum, correct, gradientNormSum, samples, secondsBefore + time.GetElapsedTime(epochStart).TotalSeconds);
                SaveLastCheckpoint();
                cancellationToken.ThrowIfCancellationRequested();
            }

            learningRate = schedule.At(state.GlobalStep);
            int group = 0;
            foreach (optim.ILearningRateController controller in optimizer.ParamGroups)
            {
                controller.LearningRate = learningRate * learningRateScales[group++];
            }
            samples += TrainStep(order, step, lossSum, correct, step % GradientNormIntervalSteps == 0 ? gradientNormSum : null);
            state.StepInEpoch = step + 1;
            state.GlobalStep++;

            if ((step + 1) % ProgressIntervalSteps == 0 || step + 1 == steps)
            {
                double seconds = secondsBefore + time.GetElapsedTime(epochStart).TotalSeconds;
                observer.OnStep(new StepProgress(epoch, Options.Epochs, step + 1, steps,
                    lossSum.item<double>() / samples, (double)correct.item<long>() / samples, samples / Math.Max(seconds, 1e-9), learningRate, seconds));
            }

            bool intervalElapsed = Options.CheckpointIntervalSeconds > 0
                && time.GetElapsedTime(lastCheckpoint).TotalSeconds >= Options.CheckpointIntervalSeconds;
            if (intervalElapsed && step + 1 < steps)
            {
                StorePartial(lossSum, correct, gradientNormSum, samples, secondsBefore + time.GetElapsedTime(epochStart).TotalSeconds);
                SaveLastCheckpoint();
                lastCheckpoint = time.GetTimestamp();
            }
        }

        double trainSeconds = secondsBefore + time.GetElapsedTime(epochStart).TotalSeconds;
        double trainLoss = lossSum.item<double>() / Math.Max(samples, 1);
        double trainAccuracy = (double)correct.item<long>() / Math.Max(samples, 1);

        int numClasses = state.ClassNames.Count;
        PredictionSet validationPredictions = Evaluator.Predict(model, validation, numClasses);
        var lens = EntropyLens.Compute(validationPredictions.Targets, validationPredictions.Probabilities, numClasses);
        if (Options.InformationPlane)
        {
            state.InformationPlane.AddRange(MeasureInformationPlane(epoch));
        }
        ClassificationReport? epochReport = Options.EpochReport
            ? ClassificationReport.Compute(validationPredictions.Targets, validationPredictions.Preds(), state.ClassNames)
            : null;
        double bitsPerNat = 1 / Math.Log(2);
        var metrics = new EpochMetrics
        {
            Epoch = epoch,
            TrainLoss = trainLoss,
            TrainAccuracy = trainAccuracy,
            ValidationLoss = validationPredictions.MeanLoss,
            ValidationAccuracy = validationPredictions.Accuracy(),
            ValidationMeanEntropyBits = validationPredictions.MeanEntropyBits,
            LearningRate = learningRate,
            Seconds = secondsBefore + time.GetElapsedTime(epochStart).TotalSeconds,
            TrainSamplesPerSecond = samples / Math.Max(trainSeconds, 1e-9),
            TrainLossBits = trainLoss * bitsPerNat,
            ValidationLossBits = validationPredictions.MeanLoss * bitsPerNat,
            ValidationEntropyCorrectBits = NullIfNaN(lens.MeanEntropyCorrectBits),
            ValidationEntropyWrongBits = NullIfNaN(lens.MeanEntropyWrongBits),
            ValidationNormalizedEntropy = NullIfNaN(lens.NormalizedMeanEntropy),
            LabelEntropyBits = lens.LabelEntropyBits,
            BitsLearned = lens.LabelEntropyBits - (validationPredictions.MeanLoss * bitsPerNat),
            BitsLearnedPerClass = lens.BitsLearnedPerClass.Select(NullIfNaN).ToArray(),
            ValidationEce = Calibration.ExpectedCalibrationError(validationPredictions.Targets, validationPredictions.Probabilities, numClasses),
            GradientNorm = gradientNormSum.item<double>() / Math.Max(1, (steps + GradientNormIntervalSteps - 1) / GradientNormIntervalSteps),
            ParameterNorm = ParameterNorm(),
            ResidentMiB = ProcessMemory.ResidentMiB(),
            ValidationEntropyHistogram = EntropyHistogram.Build(lens.EntropyBits, Math.Log2(Math.Max(2, numClasses))),
            ValidationReport = epochReport?.ToJson(),
        };
        EndEpoch(metrics, lens, epochReport);
    }

    /// <summary>
    /// Takes one optimizer step on batch <paramref name="step"/> of <paramref name="order"/> and returns its
    /// size. The step's loss, correct count and global gradient norm (before clipping) are added to the sums.
    /// </summary>
    internal int TrainStep(int[] order, int step, Tensor lossSum, Tensor correct, Tensor? gradientNormSum = null)
    {
        using var scope = NewDisposeScope();
        (Tensor images, Tensor targets) = train.Batch(order, step, Options.BatchSize);
        if (augmenter is not null)
        {
            images = augmenter.Apply(images, ImageAugmenter.BatchRandom(Options.Seed, epochInProgress, step));
        }

        optimizer.zero_grad();
        Tensor logits = model.forward(images);
        Tensor loss = Loss(logits, targets);
        loss.backward();
        if (Options.ClipGradNorm > 0)
        {
            double norm = nn.utils.clip_grad_norm_(model.parameters(), Options.ClipGradNorm);
            gradientNormSum?.add_(norm);
        }
        else if (gradientNormSum is not null)
        {
            AccumulateGradientNorm(gradientNormSum);
        }
        optimizer.step();

        int batchSize = (int)targets.shape[0];
        using (torch.no_grad())
        {
            lossSum.add_(loss.detach().to_type(ScalarType.Float64).mul(batchSize));
            correct.add_(Predicted(logits).eq(targets).sum());
        }
        return batchSize;
    }

    // A binary model's one logit is for class 1; label smoothing moves its targets towards 0.5.
    private Tensor Loss(Tensor logits, Tensor targets)
    {
        if (!state.Spec.Binary)
        {
            return nn.functional.cross_entropy(logits, targets, label_smoothing: Options.LabelSmoothing);
        }
        Tensor soft = targets.to_type(logits.dtype).mul(1 - Options.LabelSmoothing).add(Options.LabelSmoothing / 2);
        return nn.functional.binary_cross_entropy_with_logits(logits.squeeze(1), soft);
    }

    private Tensor Predicted(Tensor logits) =>
        state.Spec.Binary ? logits.squeeze(1).gt(0).to_type(ScalarType.Int64) : logits.argmax(1);

    /// <summary>Adds the global L2 norm of the current gradients to <paramref name="gradientNormSum"/>, on the device so no step waits for the host.</summary>
    internal void AccumulateGradientNorm(Tensor gradientNormSum)
    {
        using var scope = NewDisposeScope();
        Tensor[] norms = model.parameters().Where(p => p.grad is not null).Select(p => p.grad!.norm()).ToArray();
        if (norms.Length > 0)
        {
            using (torch.no_grad())
            {
                gradientNormSum.add_(torch.stack(norms).norm().to_type(ScalarType.Float64));
            }
        }
    }

    private static double? NullIfNaN(double value) => double.IsNaN(value) ? null : value;

    // The probe is the same validation samples every epoch: the first ProbeSize of a seeded shuffle.
    private IReadOnlyList<InformationPlane.Point> MeasureInformationPlane(int epoch)
    {
        if (model is not Models.ILayerActivations layered)
        {
            throw new InvalidOperationException($"model {model.GetType().Name} does not expose layer activations for the information plane");
        }
        int[] probe = ImageTensors.EpochOrder(validation.Count, Options.Seed, epoch: -1, shuffle: true).Take(Math.Min(Options.ProbeSize, validation.Count)).ToArray();
        using var scope = NewDisposeScope();
        using var noGrad = torch.no_grad();
        model.eval();
        (Tensor images, Tensor targets) = validation.Batch(probe, 0, probe.Length);
        var activations = new List<(string Layer, Tensor Activation)>();
        layered.ForwardWithActivations(images, activations);
        if (Options.PlaneLayers is { Count: > 0 } chosen)
        {
            string[] unknown = chosen.Where(name => activations.All(a => a.Layer != name)).ToArray();
            if (unknown.Length > 0)
            {
                throw new UserInputException($"--plane-layers {string.Join(",", unknown)}: no such layer in this {state.Spec.Architecture}; its layers are {string.Join(", ", activations.Select(a => a.Layer))}");
            }
            activations = activations.Where(a => chosen.Contains(a.Layer)).ToList();
        }
        int[] labels = targets.data<long>().ToArray().Select(label => (int)label).ToArray();
        return InformationPlane.Measure(activations, labels, epoch);
    }

    /// <summary>Global L2 norm of the parameters.</summary>
    internal double ParameterNorm()
    {
        using var scope = NewDisposeScope();
        using var noGrad = torch.no_grad();
        Tensor[] norms = model.parameters().Select(p => p.norm()).ToArray();
        return norms.Length == 0 ? 0 : torch.stack(norms).norm().item<float>();
    }

    private void EndEpoch(EpochMetrics metrics, EntropyLens lens, ClassificationReport? epochReport)
    {
        state.History.Add(metrics);
        state.EpochsCompleted = metrics.Epoch;
        state.StepInEpoch = 0;
        state.PartialLossSum = 0;
        state.PartialCorrect = 0;
        state.PartialSamples = 0;
        state.PartialSeconds = 0;
        state.PartialGradientNormSum = 0;

        bool improved = metrics.ValidationLoss < state.BestValidationLoss;
        if (improved)
        {
            state.BestValidationLoss = metrics.ValidationLoss;
            state.BestEpoch = metrics.Epoch;
            state.EpochsWithoutImprovement = 0;
        }
        else
        {
            state.EpochsWithoutImprovement++;
            if (Options.Patience > 0 && state.EpochsWithoutImprovement >= Options.Patience && metrics.Epoch < Options.Epochs)
            {
                state.StoppedEarly = true;
            }
        }

        // The best checkpoint is written first, so a last checkpoint that names a best epoch always
        // has that best checkpoint beside it.
        if (improved)
        {
            Checkpoint.Save(BestCheckpointPath, state, model, optimizer);
        }
        SaveLastCheckpoint();
        observer.OnEpochEnd(metrics, improved);
        if (epochReport is not null)
        {
            observer.OnMessage($"validation classification report, epoch {metrics.Epoch}:\n{epochReport.ToText().TrimEnd('\n')}");
        }
        if (state.StoppedEarly)
        {
            observer.OnMessage($"early stopping after epoch {metrics.Epoch}: validation loss has not improved for {state.EpochsWithoutImprovement} epochs (best {state.BestValidationLoss:F4} at epoch {state.BestEpoch})");
        }
        EpochCompleted?.Invoke(metrics, lens);
    }

    private void StorePartial(Tensor lossSum, Tensor correct, Tensor gradientNormSum, long samples, double seconds)
    {
        state.PartialLossSum = lossSum.item<double>();
        state.PartialCorrect = correct.item<long>();
        state.PartialGradientNormSum = gradientNormSum.item<double>();
        state.PartialSamples = samples;
        state.PartialSeconds = seconds;
    }
}
