using System.Diagnostics;
using System.Globalization;
using Negentropy.Data;
using Negentropy.Models;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Negentropy.Bench;

/// <summary>
/// Times training, inference and single-sample latency of one image model on a fixed pool of batches,
/// then measures the matmul peak and reads the process's peak RSS.
/// </summary>
public static class ThroughputBench
{
    /// <summary>Distinct batches cycled through by the training and inference loops.</summary>
    public const int PoolBatches = 8;

    public static BenchResult Run(BenchOptions options, Action<string> log)
    {
        options.ThrowIfInvalid();
        TorchRuntime.Configure(options.Threads, seed: 42);
        var spec = new ModelSpec(options.Model, 1, 28, 28, 10, options.Width ?? ModelFactory.DefaultWidth(options.Model),
            options.Depth ?? ModelFactory.DefaultDepth(options.Model), Dropout: 0.2);
        using var scope = NewDisposeScope();
        (Tensor[] images, Tensor[] targets) = Pool(options);
        using nn.Module<Tensor, Tensor> model = ModelFactory.Create(spec);
        using OptimizerHelper optimizer = optim.AdamW(model.parameters(), BenchOptions.LearningRate, weight_decay: BenchOptions.WeightDecay);
        long parameters = ModelFactory.CountParameters(model);
        log(string.Create(CultureInfo.InvariantCulture, $"{options.Model} width {spec.Width} depth {spec.Depth}: {parameters:N0} parameters; batch {options.BatchSize}, {torch.get_num_threads()} threads, {options.Data} data"));

        (double trainRate, StepPhases phases) = Train(model, optimizer, images, targets, options);
        (double inferenceRate, long[] outputShape) = Infer(model, images, options);
        double latency = Latency(model, images[0], options.LatencyRuns);
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
            TrainSamplesPerSecond = trainRate,
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

    /// <summary>Mean milliseconds per timed step: zero_grad with the forward pass and the loss, the backward pass, and the optimizer step.</summary>
    public sealed record StepPhases(double ForwardMs, double BackwardMs, double OptimizerMs);

    // One dispose scope per step. The loss is never copied to the host, which a logging training loop would do.
    // libtorch runs CPU operations synchronously, so a stopwatch between the phases measures each of them.
    private static (double Rate, StepPhases Phases) Train(nn.Module<Tensor, Tensor> model, OptimizerHelper optimizer, Tensor[] images, Tensor[] targets, BenchOptions options)
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
            int batch = step % images.Length;
            long phase = Stopwatch.GetTimestamp();
            optimizer.zero_grad();
            Tensor loss = nn.functional.cross_entropy(model.forward(images[batch]), targets[batch]);
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

    private static (double Rate, long[] OutputShape) Infer(nn.Module<Tensor, Tensor> model, Tensor[] images, BenchOptions options)
    {
        model.eval();
        using var noGrad = torch.no_grad();
        long[] shape = Array.Empty<long>();
        for (int i = 0; i < 2; i++)
        {
            using Tensor warm = model.forward(images[i % images.Length]);
            shape = warm.shape;
        }
        long started = Stopwatch.GetTimestamp();
        for (int i = 0; i < options.InferenceBatches; i++)
        {
            using Tensor logits = model.forward(images[i % images.Length]);
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

    // PoolBatches batches [B, 1, 28, 28] and their labels, made once before timing.
    private static (Tensor[] Images, Tensor[] Targets) Pool(BenchOptions options)
    {
        var images = new Tensor[PoolBatches];
        var targets = new Tensor[PoolBatches];
        if (options.Data == "synthetic")
        {
            var generator = new Generator(7);
            for (int i = 0; i < PoolBatches; i++)
            {
                images[i] = randn(new long[] { options.BatchSize, 1, 28, 28 }, generator: generator);
                targets[i] = randint(0, 10, new long[] { options.BatchSize }, generator: generator);
            }
            return (images, targets);
        }
        ImageDataset train = FashionMnist.Load().Train;
        int count = Math.Min(train.Count, PoolBatches * options.BatchSize);
        ImageDataset subset = train.Take(count);
        using var tensors = new ImageTensors(subset, ChannelNormalization.Compute(subset));
        for (int i = 0; i < PoolBatches; i++)
        {
            using Tensor indices = arange(i * options.BatchSize, (i + 1) * options.BatchSize, ScalarType.Int64).remainder(count);
            images[i] = tensors.Images.index_select(0, indices);
            targets[i] = tensors.Targets.index_select(0, indices);
        }
        return (images, targets);
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
