using System.Text.Json.Nodes;
using System.Text.Json.Serialization;

namespace Negentropy.Training;

/// <summary>
/// One line of metrics.jsonl (format version 1): the metrics of one epoch. Losses are mean
/// cross-entropy per sample, in nats unless the name says bits; train_loss includes label smoothing
/// when it is on, val_loss never does. Validation figures use the whole validation split; training
/// figures are running means over the epoch. A figure that is undefined (such as the entropy of wrong
/// predictions when there are none) is null.
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

    [JsonPropertyName("train_loss_bits")] public double TrainLossBits { get; init; }

    [JsonPropertyName("val_loss_bits")] public double ValidationLossBits { get; init; }

    /// <summary>Mean predictive entropy on validation samples the model gets right, in bits.</summary>
    [JsonPropertyName("val_entropy_correct_bits")] public double? ValidationEntropyCorrectBits { get; init; }

    /// <summary>Mean predictive entropy on validation samples the model gets wrong, in bits.</summary>
    [JsonPropertyName("val_entropy_wrong_bits")] public double? ValidationEntropyWrongBits { get; init; }

    /// <summary>Mean validation entropy divided by log₂ K, from 0 (certain) to 1 (uniform).</summary>
    [JsonPropertyName("val_normalized_entropy")] public double? ValidationNormalizedEntropy { get; init; }

    /// <summary>H(Y) of the validation labels, in bits.</summary>
    [JsonPropertyName("label_entropy_bits")] public double LabelEntropyBits { get; init; }

    /// <summary>H(Y) − validation cross-entropy, in bits.</summary>
    [JsonPropertyName("bits_learned")] public double BitsLearned { get; init; }

    /// <summary>H(Y) − the mean cross-entropy of each class's validation samples, in bits; null for a class without samples.</summary>
    [JsonPropertyName("bits_learned_per_class")] public double?[] BitsLearnedPerClass { get; init; } = Array.Empty<double?>();

    /// <summary>Top-label expected calibration error on validation, 15 equal-width bins.</summary>
    [JsonPropertyName("val_ece")] public double ValidationEce { get; init; }

    /// <summary>Mean of the global L2 norm of the gradients, before clipping, over every 10th step of the epoch (steps 0, 10, 20, …).</summary>
    [JsonPropertyName("grad_norm")] public double GradientNorm { get; init; }

    /// <summary>Global L2 norm of the parameters at the end of the epoch.</summary>
    [JsonPropertyName("param_norm")] public double ParameterNorm { get; init; }

    /// <summary>Resident set size of the process after the epoch's validation, in MiB; null where /proc is missing.</summary>
    [JsonPropertyName("rss_mb")] public double? ResidentMiB { get; init; }

    /// <summary>Histogram of validation predictive entropy: bin edges in bits from 0 to log₂ K, and counts.</summary>
    [JsonPropertyName("val_entropy_histogram")] public EntropyHistogram? ValidationEntropyHistogram { get; init; }

    /// <summary>
    /// With --epoch-report: the validation classification report in scikit-learn's <c>output_dict</c> layout
    /// (see <see cref="Evaluation.ClassificationReport.ToJson"/>); left out of the JSON otherwise.
    /// </summary>
    [JsonPropertyName("val_report")]
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public JsonObject? ValidationReport { get; init; }
}

/// <summary>Counts of values per bin; bin i covers [Edges[i], Edges[i+1]), the last bin also its upper edge.</summary>
public sealed record EntropyHistogram(
    [property: JsonPropertyName("edges")] double[] Edges,
    [property: JsonPropertyName("counts")] long[] Counts)
{
    public const int DefaultBins = 20;

    /// <summary>Builds a histogram of <paramref name="values"/> over [0, <paramref name="upper"/>].</summary>
    public static EntropyHistogram Build(IReadOnlyList<double> values, double upper, int bins = DefaultBins)
    {
        var edges = Enumerable.Range(0, bins + 1).Select(i => upper * i / bins).ToArray();
        var counts = new long[bins];
        foreach (double value in values)
        {
            int bin = upper <= 0 ? 0 : Math.Clamp((int)(value / upper * bins), 0, bins - 1);
            counts[bin]++;
        }
        return new EntropyHistogram(edges, counts);
    }
}
