using System.Diagnostics;
using Negentropy.Data;
using Negentropy.Evaluation;
using Negentropy.Information;
using Negentropy.Models;
using Negentropy.Reporting;
using Negentropy.Training;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Negentropy.Benchmarks;

/// <summary>
/// Measures what the entropy lens adds to an epoch of the demo's CNN on real Fashion-MNIST: the
/// gradient-norm sum on every 10th step (training steps timed with and without it, interleaved A B A B …),
/// and the per-epoch work after validation (lens, ECE, histogram, parameter norm, TensorBoard events).
/// </summary>
public static class LensOverhead
{
    private const int Pairs = 12;
    private const int StepsPerBlock = 250;

    public static void Run()
    {
        TorchRuntime.Configure(Environment.ProcessorCount, 42);
        ImageDatasetPair pair = FashionMnist.Load();
        (int[] trainIndices, int[] validationIndices) = StratifiedSplit.Split(pair.Train.Labels, 0.1, 42);
        ImageDataset trainSet = pair.Train.Subset(trainIndices);
        ImageDataset validationSet = pair.Train.Subset(validationIndices);
        ChannelNormalization normalization = ChannelNormalization.Compute(trainSet);
        using var train = new ImageTensors(trainSet, normalization);
        using var validation = new ImageTensors(validationSet, normalization);

        var options = new TrainingOptions();
        var spec = new ModelSpec("cnn", 1, 28, 28, 10, options.EffectiveWidth, options.EffectiveDepth, options.Dropout);
        using nn.Module<Tensor, Tensor> model = ModelFactory.Create(spec);
        using OptimizerHelper optimizer = torch.optim.AdamW(model.parameters(), options.EffectiveLearningRate, weight_decay: options.WeightDecay);
        var state = new TrainingState { Options = options, Spec = spec, Normalization = normalization, ClassNames = trainSet.ClassNames };
        string scratch = Path.Combine(Path.GetTempPath(), $"negentropy-lens-{Guid.NewGuid():N}");
        Directory.CreateDirectory(scratch);
        var trainer = new Trainer(model, optimizer, train, validation, state, scratch, NullTrainingObserver.Instance);
        int[] order = ImageTensors.EpochOrder(train.Count, 42, 1, shuffle: true);
        int stepsPerEpoch = train.BatchCount(options.BatchSize);

        using Tensor lossSum = torch.zeros(1, ScalarType.Float64);
        using Tensor correct = torch.zeros(1, ScalarType.Int64);
        using Tensor gradientNormSum = torch.zeros(1, ScalarType.Float64);
        model.train();
        int step = 0;
        double Block(bool withNorm)
        {
            var stopwatch = Stopwatch.StartNew();
            for (int i = 0; i < StepsPerBlock; i++)
            {
                int current = step++ % stepsPerEpoch;
                bool sampled = withNorm && current % Trainer.GradientNormIntervalSteps == 0;
                trainer.TrainStep(order, current, lossSum, correct, sampled ? gradientNormSum : null);
            }
            lossSum.item<double>();
            return stopwatch.Elapsed.TotalMilliseconds / StepsPerBlock;
        }

        Block(withNorm: true);
        var without = new List<double>();
        var with = new List<double>();
        var ratios = new List<double>();
        for (int p = 0; p < Pairs; p++)
        {
            // Alternating A B and B A cancels a drift in machine speed over the run.
            double a;
            double b;
            if (p % 2 == 0)
            {
                a = Block(withNorm: false);
                b = Block(withNorm: true);
            }
            else
            {
                b = Block(withNorm: true);
                a = Block(withNorm: false);
            }
            without.Add(a);
            with.Add(b);
            ratios.Add(b / a);
        }

        // The added per-step work, timed directly: the gradient-norm sum after a real backward pass.
        const int NormCalls = 2000;
        trainer.TrainStep(order, 0, lossSum, correct, null);
        for (int i = 0; i < 100; i++)
        {
            trainer.AccumulateGradientNorm(gradientNormSum);
        }
        var normWatch = Stopwatch.StartNew();
        for (int i = 0; i < NormCalls; i++)
        {
            trainer.AccumulateGradientNorm(gradientNormSum);
        }
        gradientNormSum.item<double>();
        double normMs = normWatch.Elapsed.TotalMilliseconds / NormCalls;

        var validationWatch = Stopwatch.StartNew();
        PredictionSet predictions = Evaluator.Predict(model, validation, 10);
        double validationMs = validationWatch.Elapsed.TotalMilliseconds;

        var lensTimes = new List<double>();
        var log = new TensorBoardLog(scratch);
        for (int repeat = 0; repeat < Pairs; repeat++)
        {
            var lensWatch = Stopwatch.StartNew();
            var lens = EntropyLens.Compute(predictions.Targets, predictions.Probabilities, 10);
            double ece = Calibration.ExpectedCalibrationError(predictions.Targets, predictions.Probabilities, 10);
            EntropyHistogram histogram = EntropyHistogram.Build(lens.EntropyBits, Math.Log2(10));
            double parameterNorm = trainer.ParameterNorm();
            var metrics = new EpochMetrics { Epoch = repeat + 1, ValidationEce = ece, ParameterNorm = parameterNorm, ValidationEntropyHistogram = histogram, BitsLearned = lens.BitsLearned };
            log.Write(metrics, lens);
            lensTimes.Add(lensWatch.Elapsed.TotalMilliseconds);
        }
        Directory.Delete(scratch, recursive: true);

        double stepWithout = Median(without);
        double stepWith = Median(with);
        double lensPerEpoch = Median(lensTimes);
        double epochMs = (stepsPerEpoch * stepWithout) + validationMs;
        double stepRatio = Median(ratios);
        int sampledSteps = (stepsPerEpoch + Trainer.GradientNormIntervalSteps - 1) / Trainer.GradientNormIntervalSteps;
        double overheadMs = (sampledSteps * normMs) + lensPerEpoch;
        Console.WriteLine($"threads {torch.get_num_threads()}, {stepsPerEpoch} steps per epoch of batch {options.BatchSize}, {Pairs} interleaved pairs of {StepsPerBlock} steps");
        Console.WriteLine($"step without gradient norm: median {stepWithout:F3} ms ({string.Join(", ", without.Select(v => v.ToString("F3")))})");
        Console.WriteLine($"step with gradient norm:    median {stepWith:F3} ms ({string.Join(", ", with.Select(v => v.ToString("F3")))})");
        Console.WriteLine($"median of paired ratios (with / without): {stepRatio:F4}");
        Console.WriteLine($"gradient-norm sum: {normMs:F4} ms per call, on {sampledSteps} of {stepsPerEpoch} steps per epoch");
        Console.WriteLine($"validation pass: {validationMs:F1} ms; per-epoch lens work: median {lensPerEpoch:F2} ms");
        Console.WriteLine($"epoch without lens: {epochMs / 1000:F2} s; lens overhead per epoch (direct timing): {overheadMs / 1000:F3} s = {100 * overheadMs / epochMs:F2}%");
        Console.WriteLine($"whole-step comparison, for reference: paired ratio {stepRatio:F4} (within the run-to-run noise of the steps above)");
    }

    private static double Median(List<double> values)
    {
        double[] sorted = values.OrderBy(v => v).ToArray();
        return sorted.Length % 2 == 1 ? sorted[sorted.Length / 2] : 0.5 * (sorted[(sorted.Length / 2) - 1] + sorted[sorted.Length / 2]);
    }
}
