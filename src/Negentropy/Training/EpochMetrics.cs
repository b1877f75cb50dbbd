using System.Text.Json.Serialization;

namespace Negentropy.Training;

/// <summary>
/// One line of metrics.jsonl (format version 1): the metrics of one epoch. Losses are mean
/// cross-entropy in nats per sample; train_loss includes label smoothing when it is on, val_loss never does.
/// </summary>
public sealed record EpochMetrics
{
    [JsonPropertyName("epoch")] public int Epoch { get; init; }
    [JsonPropertyName("train_loss")] public double TrainLoss { get; init; }
    [JsonPropertyName("train_accuracy")] public double TrainAccuracy { get; init; }
    [JsonPropertyName("val_loss")] public double ValidationLoss { get; init; }
    [JsonPropertyName("val_accuracy")] public double ValidationAccuracy { get; init; }

    /// <summary>Mean Shannon entropy of the validation predictive distributions, in bits.</summary>
    [JsonPropertyName("val_mean_entropy_bits")] public double ValidationMeanEntropyBits { get; init; }

    /// <summary>Learning rate of the epoch's last step.</summary>
    [JsonPropertyName("lr")] public double LearningRate { get; init; }

    /// <summary>Wall time of the epoch, training and validation, in seconds.</summary>
    [JsonPropertyName("seconds")] public double Seconds { get; init; }

    /// <summary>Training images per second over the epoch's training steps.</summary>
    [JsonPropertyName("train_samples_per_second")] public double TrainSamplesPerSecond { get; init; }
}
