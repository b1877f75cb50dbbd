using System.Diagnostics;
using System.Globalization;
using Negentropy.Models;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Negentropy.Bench;

/// <summary>
/// Times training, inference and single-sample latency of one model on a fixed pool of batches,
/// then measures the matmul peak and reads the process's peak RSS.
/// </summary>
public static class ThroughputBench
{
    /// <summary>Distinct batches cycled through by the training and inference loops.</summary>
    public const int PoolBatches = BenchPool.Batches;

    public static BenchResult Run(BenchOptions options, Action<string> log, CancellationToken cancellationToken = default)
    {
        options.ThrowIfInvalid();
        options.Precision.EnsureSupported();
        TorchRuntime.Configure(options.Threads, seed: 42);
        using var scope = NewDisposeScope();
        BenchPool pool = BenchPool.Create(options, log, cancellationToken);
        if (options.SavePool is string poolPath)
        {
            BenchPoolFile.Write(poolPath, options.Model, pool);
            log($"wrote the {pool.Inputs.Length} batches to {Path.GetFullPath(poolPath)}");
        }
        ModelSpec spec = Spec(options, pool);
        using nn.Module<Tensor, Tensor> model = ModelFactory.Create(spec);
        using OptimizerHelper optimizer = optim.AdamW(model.parameters(), BenchOptions.LearningRate, weight_decay: BenchOptions.WeightDecay);
        long parameters = ModelFactory.CountParameters(model);
        string shape = pool.IsText
            ? string.Create(CultureInfo.InvariantCulture, $"{options.Model} width {spec.Width}, vocabulary {spec.VocabularySize:N0}, length {spec.MaxLength}")
            : $"{options.Model} width {spec.Width} depth {spec.Depth}";
        log(string.Create(CultureInfo.InvariantCulture,
            $"{shape}: {parameters:N0} parameters; batch {options.BatchSize}, {torch.get_num_threads()} threads, {options.Data} data; training in fp32, inference in {options.Precision.Name}"));

        (double trainRate, StepPhases phases) = Train(model, optimizer, pool.Inputs, pool.Targets, options);
        // For bf16 the wrapper converts the trained model in place and disposes it with itself. Disposing a
        // module twice does nothing the second time, so the fp32 case, where Apply returns the model, is safe too.
        using nn.Module<Tensor, Tensor> inferenceModel = options.Precision.Apply(model);
        Tensor[] inferenceInputs = pool.Inputs.Select(options.Precision.Input).ToArray();
        (double inferenceRate, long[] outputShape) = Infer(inferenceModel, inferenceInputs, options);
        double latency = Latency(inferenceModel, inferenceInputs[0], options.LatencyRuns);
        double peak = MatmulPeak.Measure();
        double forward = FlopCount.Forward(spec);
        double fraction = trainRate * FlopCount.TrainingFactor * forward / (peak * 1e9);
        return new BenchResult
        {
            Runtime = "negentropy",
            Model = options.Model,
            Data = options.Data,
            BatchSize = options.BatchSize,
            Threads = torch.get_num_threads(),
            Steps = options.Steps,
            Parameters = parameters,
            OutputShape = outputShape,
            VocabularySize = pool.IsText ? pool.VocabularySize : null,
            SequenceLength = pool.IsText ? pool.SequenceLength : null,
            TrainSamplesPerSecond = trainRate,
            InferencePrecision = options.Precision.Name,
            InferenceSamplesPerSecond = inferenceRate,
            LatencyMsBatch1 = latency,
            PeakRssMb = PeakRssMiB(),
            GflopsPerSample = forward / 1e9,
            MatmulPeakGflops = peak,
            FractionOfMatmulPeak = fraction,
            ForwardMsPerStep = phases.ForwardMs,
            BackwardMsPerStep = phases.BackwardMs,
            OptimizerMsPerStep = phases.OptimizerMs,
        };
    }

    /// <summary>
    /// Returns the model's settings: the training defaults for width and depth unless given, 28×28 grayscale
    /// images with 10 classes, or the pool's vocabulary, sequence length and class count for text.
    /// </summary>
    public static ModelSpec Spec(BenchOptions options, BenchPool pool)
    {
        int width = options.Width ?? ModelFactory.DefaultWidth(options.Model);
        int depth = options.Depth ?? ModelFactory.DefaultDepth(options.Model);
        return pool.IsText
            ? new ModelSpec(options.Model, 1, 1, 1, pool.Classes, width, depth, BenchOptions.Dropout,
                VocabularySize: pool.VocabularySize, MaxLength: pool.SequenceLength)
            : new ModelSpec(options.Model, 1, BenchPool.ImageSize, BenchPool.ImageSize, pool.Classes, width, depth, BenchOptions.Dropout);
    }

    /// <summary>Mean milliseconds per timed step: zero_grad with the forward pass and the loss, the backward pass, and the optimizer step.</summary>
    public sealed record StepPhases(double ForwardMs, double BackwardMs, double OptimizerMs);

    // One dispose scope per step. The loss is never copied to the host, which a logging training loop would do.
    // libtorch runs CPU operations synchronously, so a stopwatch between the phases measures each of them.
    private static (double Rate, StepPhases Phases) Train(nn.Module<Tensor, Tensor> model, OptimizerHelper optimizer, Tensor[] inputs, Tensor[] targets, BenchOptions options)
    {
        model.train();
        long started = 0;
        double forward = 0, backward = 0, update = 0;
        for (int step = 0; step < options.WarmupSteps + options.Steps; step++)
        {
            if (step == options.WarmupSteps)
            {
                started = Stopwatch.GetTimestamp();
                (forward, backward, update) = (0, 0, 0);
            }
            using var stepScope = NewDisposeScope();
            int batch = step % inputs.Length;
            long phase = Stopwatch.GetTimestamp();
            optimizer.zero_grad();
            Tensor loss = nn.functional.cross_entropy(model.forward(inputs[batch]), targets[batch]);
            long afterForward = Stopwatch.GetTimestamp();
            loss.backward();
            long afterBackward = Stopwatch.GetTimestamp();
            optimizer.step();
            long afterStep = Stopwatch.GetTimestamp();
            forward += Stopwatch.GetElapsedTime(phase, afterForward).TotalMilliseconds;
            backward += Stopwatch.GetElapsedTime(afterForward, afterBackward).TotalMilliseconds;
            update += Stopwatch.GetElapsedTime(afterBackward, afterStep).TotalMilliseconds;
        }
        double rate = options.Steps * (double)options.BatchSize / Stopwatch.GetElapsedTime(started).TotalSeconds;
        return (rate, new StepPhases(forward / options.Steps, backward / options.Steps, update / options.Steps));
    }

    private static (double Rate, long[] OutputShape) Infer(nn.Module<Tensor, Tensor> model, Tensor[] inputs, BenchOptions options)
    {
        model.eval();
        using var noGrad = torch.no_grad();
        long[] shape = Array.Empty<long>();
        for (int i = 0; i < 2; i++)
        {
            using Tensor warm = model.forward(inputs[i % inputs.Length]);
            shape = warm.shape;
        }
        long started = Stopwatch.GetTimestamp();
        for (int i = 0; i < options.InferenceBatches; i++)
        {
            using Tensor logits = model.forward(inputs[i % inputs.Length]);
        }
        return (options.InferenceBatches * (double)options.BatchSize / Stopwatch.GetElapsedTime(started).TotalSeconds, shape);
    }

    private static double Latency(nn.Module<Tensor, Tensor> model, Tensor batch, int runs)
    {
        using var noGrad = torch.no_grad();
        using Tensor one = batch.narrow(0, 0, 1).contiguous();
        var times = new double[runs];
        for (int i = -3; i < runs; i++)
        {
            long started = Stopwatch.GetTimestamp();
            using Tensor logits = model.forward(one);
            if (i >= 0)
            {
                times[i] = Stopwatch.GetElapsedTime(started).TotalMilliseconds;
            }
        }
        Array.Sort(times);
        return times[runs / 2];
    }

    private static double PeakRssMiB()
    {
        foreach (string line in File.ReadLines("/proc/self/status"))
        {
            if (line.StartsWith("VmHWM:", StringComparison.Ordinal))
            {
                return long.Parse(line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1], CultureInfo.InvariantCulture) / 1024.0;
            }
        }
        return double.NaN;
    }
}
