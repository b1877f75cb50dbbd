using System.Text.Json.Serialization;
using Negentropy.Data;
using Negentropy.Models;

namespace Negentropy.Training;

/// <summary>
/// Everything about a run except tensors: its options, the model and data it was built for, its
/// position (epoch and step), and the history so far. Stored as JSON inside each checkpoint.
/// </summary>
public sealed record TrainingState
{
    [JsonPropertyName("options")] public required TrainingOptions Options { get; init; }
    [JsonPropertyName("model")] public required ModelSpec Spec { get; init; }
    [JsonPropertyName("normalization")] public required ChannelNormalization Normalization { get; init; }
    [JsonPropertyName("class_names")] public required IReadOnlyList<string> ClassNames { get; init; }

    /// <summary>Where the weights before the first epoch came from (--init-from); null for a fresh initialization.</summary>
    [JsonPropertyName("initial_weights")] public InitialWeights? InitialWeights { get; init; }

    /// <summary>Number of epochs finished.</summary>
    [JsonPropertyName("epochs_completed")] public int EpochsCompleted { get; set; }

    /// <summary>Training steps already taken in epoch EpochsCompleted + 1; 0 at an epoch boundary.</summary>
    [JsonPropertyName("step_in_epoch")] public int StepInEpoch { get; set; }

    [JsonPropertyName("global_step")] public long GlobalStep { get; set; }

    /// <summary>Sum of per-sample training losses so far in the current epoch.</summary>
    [JsonPropertyName("partial_loss_sum")] public double PartialLossSum { get; set; }

    [JsonPropertyName("partial_correct")] public long PartialCorrect { get; set; }

    [JsonPropertyName("partial_samples")] public long PartialSamples { get; set; }

    /// <summary>Sum of the global gradient norms of the current epoch's sampled steps so far.</summary>
    [JsonPropertyName("partial_grad_norm_sum")] public double PartialGradientNormSum { get; set; }

    /// <summary>Wall seconds spent so far in the current epoch's training steps.</summary>
    [JsonPropertyName("partial_seconds")] public double PartialSeconds { get; set; }

    [JsonPropertyName("best_val_loss")] public double BestValidationLoss { get; set; } = double.PositiveInfinity;

    /// <summary>The 1-based epoch with the lowest validation loss, or 0 before the first epoch ends.</summary>
    [JsonPropertyName("best_epoch")] public int BestEpoch { get; set; }

    [JsonPropertyName("epochs_without_improvement")] public int EpochsWithoutImprovement { get; set; }

    [JsonPropertyName("stopped_early")] public bool StoppedEarly { get; set; }

    [JsonPropertyName("history")] public List<EpochMetrics> History { get; init; } = new();

    /// <summary>Information-plane estimates so far, when the run records them.</summary>
    [JsonPropertyName("information_plane")] public List<Information.InformationPlane.Point> InformationPlane { get; init; } = new();

    /// <summary>True when no more epochs will run: all are done, or early stopping ended the run.</summary>
    [JsonIgnore] public bool IsFinished => StoppedEarly || EpochsCompleted >= Options.Epochs;
}
