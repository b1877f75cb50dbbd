namespace Negentropy.Bench;

/// <summary>Settings of one <c>negentropy bench</c> run. Each default is a named constant.</summary>
public sealed record BenchOptions
{
    public const int DefaultBatchSize = 128;
    public const int DefaultSteps = 30;
    public const int DefaultWarmupSteps = 5;
    public const int DefaultInferenceBatches = 10;
    public const int DefaultLatencyRuns = 50;
    public const double LearningRate = 0.002;
    public const double WeightDecay = 5e-4;

    /// <summary>"cnn" or "resnet".</summary>
    public required string Model { get; init; }

    /// <summary>"synthetic" (seeded normal noise and random labels) or "fashion-mnist" (the first training images, normalized).</summary>
    public string Data { get; init; } = "synthetic";

    public int BatchSize { get; init; } = DefaultBatchSize;

    /// <summary>libtorch intra-op threads (default: one per processor).</summary>
    public int Threads { get; init; } = Environment.ProcessorCount;

    /// <summary>Timed training steps, after <see cref="WarmupSteps"/> untimed ones.</summary>
    public int Steps { get; init; } = DefaultSteps;

    public int WarmupSteps { get; init; } = DefaultWarmupSteps;

    /// <summary>Timed inference batches of <see cref="BatchSize"/>.</summary>
    public int InferenceBatches { get; init; } = DefaultInferenceBatches;

    /// <summary>Single-sample forward passes whose median is the batch-1 latency.</summary>
    public int LatencyRuns { get; init; } = DefaultLatencyRuns;

    /// <summary>Model width and depth; null uses the training defaults (cnn 32 and 2, resnet 16 and 14).</summary>
    public int? Width { get; init; }

    public int? Depth { get; init; }

    /// <summary>Throws one <see cref="UserInputException"/> listing every invalid setting.</summary>
    public void ThrowIfInvalid()
    {
        var problems = new List<string>();
        if (Model is not ("cnn" or "resnet"))
        {
            problems.Add($"--model {Model} is not benchmarked; pass cnn or resnet");
        }
        if (Data is not ("synthetic" or "fashion-mnist"))
        {
            problems.Add($"--data {Data} is not a benchmark data mode; pass synthetic or fashion-mnist");
        }
        foreach ((string name, int value, int minimum) in new[]
        {
            ("--batch-size", BatchSize, 1), ("--threads", Threads, 1), ("--steps", Steps, 1), ("--warmup-steps", WarmupSteps, 0),
            ("--inference-batches", InferenceBatches, 1), ("--latency-runs", LatencyRuns, 1),
        })
        {
            if (value < minimum)
            {
                problems.Add($"{name} {value} must be at least {minimum}");
            }
        }
        if (problems.Count > 0)
        {
            throw new UserInputException(string.Join("; ", problems));
        }
    }
}
