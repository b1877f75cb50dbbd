using System.Text.Json.Serialization;

namespace Negentropy.Bench;

/// <summary>
/// The JSON line that ends a benchmark run. bench/pytorch/bench.py prints the same fields, so
/// bench/compare.sh can read either side.
/// </summary>
public sealed record BenchResult
{
    [JsonPropertyName("runtime")] public required string Runtime { get; init; }

    [JsonPropertyName("model")] public required string Model { get; init; }

    [JsonPropertyName("data")] public required string Data { get; init; }

    [JsonPropertyName("batch_size")] public required int BatchSize { get; init; }

    [JsonPropertyName("threads")] public required int Threads { get; init; }

    [JsonPropertyName("steps")] public required int Steps { get; init; }

    [JsonPropertyName("parameters")] public required long Parameters { get; init; }

    [JsonPropertyName("output_shape")] public required IReadOnlyList<long> OutputShape { get; init; }

    /// <summary>Text models: the token ids the model embeds, padding id 0 included; left out for images.</summary>
    [JsonPropertyName("vocabulary_size"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] public int? VocabularySize { get; init; }

    /// <summary>Text models: token ids per row; left out for images.</summary>
    [JsonPropertyName("sequence_length"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] public int? SequenceLength { get; init; }

    /// <summary>Training samples per second over the timed steps (forward, loss, backward, AdamW step).</summary>
    [JsonPropertyName("train_samples_per_second")] public required double TrainSamplesPerSecond { get; init; }

    /// <summary>The number format of the inference and latency runs: "fp32" or "bf16". Training runs in fp32.</summary>
    [JsonPropertyName("inference_precision")] public required string InferencePrecision { get; init; }

    /// <summary>Samples per second in eval mode without gradients, at the benchmark's batch size.</summary>
    [JsonPropertyName("inference_samples_per_second")] public required double InferenceSamplesPerSecond { get; init; }

    /// <summary>Median time of one single-sample forward pass in eval mode, in milliseconds.</summary>
    [JsonPropertyName("latency_ms_batch1")] public required double LatencyMsBatch1 { get; init; }

    /// <summary>Peak resident memory of the process (VmHWM), in MiB.</summary>
    [JsonPropertyName("peak_rss_mb")] public required double PeakRssMb { get; init; }

    /// <summary>Forward GFLOPs per sample as <see cref="FlopCount"/> counts them.</summary>
    [JsonPropertyName("gflops_per_sample")] public required double GflopsPerSample { get; init; }

    [JsonPropertyName("matmul_peak_gflops")] public required double MatmulPeakGflops { get; init; }

    /// <summary>Training GFLOP/s (3 × forward FLOPs × samples per second) over the matmul peak.</summary>
    [JsonPropertyName("fraction_of_matmul_peak")] public required double FractionOfMatmulPeak { get; init; }

    /// <summary>Mean milliseconds per training step in the forward pass, zero_grad and the loss included.</summary>
    [JsonPropertyName("forward_ms_per_step")] public required double ForwardMsPerStep { get; init; }

    [JsonPropertyName("backward_ms_per_step")] public required double BackwardMsPerStep { get; init; }

    /// <summary>Mean milliseconds per training step in the AdamW step.</summary>
    [JsonPropertyName("optimizer_ms_per_step")] public required double OptimizerMsPerStep { get; init; }
}
