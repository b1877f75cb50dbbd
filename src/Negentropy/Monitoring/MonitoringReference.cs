using System.Text.Json;
using System.Text.Json.Serialization;
using Negentropy.Information;
using Negentropy.Reporting;

namespace Negentropy.Monitoring;

/// <summary>
/// reference.json (format version 1): what the model's predictions looked like on its validation split,
/// written at training time. A monitor compares live predictions with it. Labels are not known online,
/// so the class shares are shares of predicted classes, not of true labels.
/// </summary>
/// <remarks>
/// Entropy bins are bounded by the deciles of the validation entropies (duplicates removed): bin 0 contains
/// entropies up to <see cref="EntropyBinEdges"/>[0], bin i those in (edges[i − 1], edges[i]], and the last
/// bin those above the last edge. <see cref="EntropySample"/> contains at most <see cref="MaxSampleSize"/>
/// sorted entropies; a longer split is summarized by evenly spaced order statistics, which keeps its
/// empirical distribution function within 1/<see cref="MaxSampleSize"/> of the full one.
/// </remarks>
public sealed record MonitoringReference
{
    public const int CurrentFormatVersion = 1;
    public const string FileName = "reference.json";
    public const int MaxSampleSize = 5000;
    public const int EntropyBinCount = 10;

    [JsonPropertyName("format_version")] public int FormatVersion { get; init; } = CurrentFormatVersion;

    [JsonPropertyName("source")] public string Source { get; init; } = "validation split";

    [JsonPropertyName("count")] public required int Count { get; init; }

    [JsonPropertyName("class_names")] public required IReadOnlyList<string> ClassNames { get; init; }

    /// <summary>Share of the validation samples predicted as each class, in class order.</summary>
    [JsonPropertyName("class_shares")] public required IReadOnlyList<double> ClassShares { get; init; }

    /// <summary>Upper bounds of every entropy bin but the last, in bits, ascending.</summary>
    [JsonPropertyName("entropy_bin_edges")] public required IReadOnlyList<double> EntropyBinEdges { get; init; }

    /// <summary>Share of the validation samples in each entropy bin; one more entry than the edges.</summary>
    [JsonPropertyName("entropy_bin_shares")] public required IReadOnlyList<double> EntropyBinShares { get; init; }

    /// <summary>Sorted predictive entropies in bits, for a two-sample Kolmogorov–Smirnov test.</summary>
    [JsonPropertyName("entropy_sample")] public required IReadOnlyList<double> EntropySample { get; init; }

    [JsonPropertyName("mean_entropy_bits")] public required double MeanEntropyBits { get; init; }

    /// <summary>Share of the validation samples whose entropy is above the abstention threshold.</summary>
    [JsonPropertyName("abstention_rate")] public required double AbstentionRate { get; init; }

    /// <summary>Builds the reference from validation probabilities [count, numClasses], flattened by row.</summary>
    /// <param name="abstainThresholdBits">Entropy above which the model abstains.</param>
    public static MonitoringReference FromProbabilities(ReadOnlySpan<double> probs, IReadOnlyList<string> classNames, double abstainThresholdBits)
    {
        int numClasses = classNames.Count;
        if (numClasses < 2 || probs.Length % numClasses != 0 || probs.IsEmpty)
        {
            throw new ArgumentException($"{probs.Length} probabilities do not form rows of {numClasses} classes", nameof(probs));
        }
        int count = probs.Length / numClasses;
        var classCounts = new double[numClasses];
        var entropies = new double[count];
        int abstained = 0;
        for (int i = 0; i < count; i++)
        {
            ReadOnlySpan<double> row = probs.Slice(i * numClasses, numClasses);
            classCounts[Distributions.ArgMax(row)]++;
            entropies[i] = Distributions.Entropy(row, LogBase.Bits, normalize: true);
            if (entropies[i] > abstainThresholdBits)
            {
                abstained++;
            }
        }
        Array.Sort(entropies);
        double[] edges = DecileEdges(entropies);
        var binShares = new double[edges.Length + 1];
        foreach (double entropy in entropies)
        {
            binShares[BinIndex(edges, entropy)] += 1.0 / count;
        }
        return new MonitoringReference
        {
            Count = count,
            ClassNames = classNames.ToArray(),
            ClassShares = classCounts.Select(c => c / count).ToArray(),
            EntropyBinEdges = edges,
            EntropyBinShares = binShares,
            EntropySample = Subsample(entropies),
            MeanEntropyBits = entropies.Average(),
            AbstentionRate = (double)abstained / count,
        };
    }

    /// <summary>Returns the entropy bin of <paramref name="entropyBits"/> under <see cref="EntropyBinEdges"/>.</summary>
    public int EntropyBin(double entropyBits) => BinIndex(EntropyBinEdges, entropyBits);

    public void Write(string folder) =>
        AtomicFile.WriteAllText(Path.Combine(folder, FileName), JsonSerializer.Serialize(this, JsonFormats.Indented) + "\n");

    /// <summary>Reads folder/reference.json, or returns null when the folder has none.</summary>
    public static MonitoringReference? TryRead(string folder)
    {
        string path = Path.Combine(folder, FileName);
        if (!File.Exists(path))
        {
            return null;
        }
        MonitoringReference? reference;
        try
        {
            reference = JsonSerializer.Deserialize<MonitoringReference>(File.ReadAllText(path), JsonFormats.Indented);
        }
        catch (JsonException exception)
        {
            throw new UserInputException($"{path}: invalid monitoring reference at line {exception.LineNumber + 1}: {exception.Message}", exception);
        }
        if (reference is null || reference.FormatVersion != CurrentFormatVersion)
        {
            throw new UserInputException($"{path}: monitoring reference format version {reference?.FormatVersion} is not supported: this build reads version {CurrentFormatVersion}");
        }
        if (reference.EntropyBinShares.Count != reference.EntropyBinEdges.Count + 1 || reference.ClassShares.Count != reference.ClassNames.Count)
        {
            throw new UserInputException($"{path}: {reference.EntropyBinShares.Count} entropy bin shares for {reference.EntropyBinEdges.Count} edges and {reference.ClassShares.Count} class shares for {reference.ClassNames.Count} classes; retrain to rewrite it");
        }
        return reference;
    }


    private static int BinIndex(IReadOnlyList<double> edges, double value)
    {
        int bin = 0;
        while (bin < edges.Count && value > edges[bin])
        {
            bin++;
        }
        return bin;
    }

    // Deciles by the nearest-rank rule, without duplicates and without the maximum, which would leave an empty last bin.
    private static double[] DecileEdges(double[] sorted)
    {
        var edges = new SortedSet<double>();
        for (int d = 1; d < EntropyBinCount; d++)
        {
            int rank = (int)Math.Ceiling(d * sorted.Length / (double)EntropyBinCount) - 1;
            double edge = sorted[Math.Clamp(rank, 0, sorted.Length - 1)];
            if (edge < sorted[^1])
            {
                edges.Add(edge);
            }
        }
        return edges.ToArray();
    }

    private static double[] Subsample(double[] sorted)
    {
        if (sorted.Length <= MaxSampleSize)
        {
            return sorted;
        }
        var sample = new double[MaxSampleSize];
        for (int i = 0; i < MaxSampleSize; i++)
        {
            // The midpoint of the i-th of MaxSampleSize equal slices of the order statistics.
            sample[i] = sorted[(int)(((i + 0.5) * sorted.Length) / MaxSampleSize)];
        }
        return sample;
    }
}
