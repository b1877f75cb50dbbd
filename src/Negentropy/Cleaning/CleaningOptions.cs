using System.Text.Json.Serialization;
using Negentropy.Data;
using Negentropy.Training;

namespace Negentropy.Cleaning;

/// <summary>Settings of <c>negentropy clean</c>. The data, model and training settings of each fold are in <see cref="Training"/>.</summary>
public sealed record CleaningOptions
{
    public const int DefaultFolds = 5;
    public const int DefaultEpochs = 8;
    public const int DefaultPageIssues = 100;
    public const string DefaultAugment = AugmentationOptions.NonePreset;

    public static IReadOnlyList<string> Rankings { get; } = new[] { "self-confidence", "normalized-margin" };

    /// <summary>Data, model and per-fold training settings (default: cnn, 8 epochs).</summary>
    [JsonPropertyName("training")] public TrainingOptions Training { get; init; } = new() { Epochs = DefaultEpochs, Augment = AugmentationOptions.FromPreset(DefaultAugment) };

    /// <summary>Cross-validation folds, 2 to 20 (default 5).</summary>
    [JsonPropertyName("folds")] public int Folds { get; init; } = DefaultFolds;

    /// <summary>Out-of-sample probabilities to use instead of cross-validation (default none).</summary>
    [JsonPropertyName("probabilities")] public string? ProbabilitiesFile { get; init; }

    /// <summary>With <see cref="ProbabilitiesFile"/>: divide each row by its sum instead of rejecting rows that do not sum to 1 (default false).</summary>
    [JsonPropertyName("renormalize")] public bool Renormalize { get; init; }

    /// <summary>"self-confidence" or "normalized-margin" (default "self-confidence").</summary>
    [JsonPropertyName("ranking")] public string Ranking { get; init; } = Rankings[0];

    /// <summary>Largest Hamming distance between 64-bit average hashes for a near duplicate; -1 finds exact duplicates only (default -1).</summary>
    [JsonPropertyName("near_distance")] public int NearDistance { get; init; } = DuplicateFinder.DefaultMaxDistance;

    /// <summary>
    /// A label issue is reported only when the model gives the given label a probability below this, in (0, 1];
    /// 1 reports every issue confident learning finds. Default: 0.5 / K, half of a uniform guess.
    /// </summary>
    /// <remarks>
    /// Confident learning alone also flags the model's confident mistakes between classes that look alike
    /// (shirt and T-shirt). A wrong label that the model finds unlikely is the stronger evidence.
    /// </remarks>
    [JsonPropertyName("max_self_confidence")] public double? MaxSelfConfidence { get; init; }

    /// <summary>Issues shown with thumbnails on issues.html (default 100).</summary>
    [JsonPropertyName("page_issues")] public int PageIssues { get; init; } = DefaultPageIssues;

    /// <summary>The bound in effect for <paramref name="numClasses"/> classes.</summary>
    public double EffectiveMaxSelfConfidence(int numClasses) => MaxSelfConfidence ?? 0.5 / numClasses;

    [JsonIgnore] public ConfidentLearning.Ranking RankingKind =>
        Ranking == "normalized-margin" ? ConfidentLearning.Ranking.NormalizedMargin : ConfidentLearning.Ranking.SelfConfidence;

    /// <summary>Returns every problem with these settings.</summary>
    public IReadOnlyList<string> Validate()
    {
        var problems = new List<string>(Training.Validate());
        if (Renormalize && ProbabilitiesFile is null)
        {
            problems.Add("--renormalize goes with --probabilities; add the file or drop --renormalize");
        }
        if (Folds is < 2 or > 20)
        {
            problems.Add($"--folds {Folds} is out of range: expected 2 to 20");
        }
        if (!Rankings.Contains(Ranking))
        {
            problems.Add($"--ranking '{Ranking}' is unknown: expected one of {string.Join(", ", Rankings)}");
        }
        if (NearDistance < -1 || NearDistance > DuplicateFinder.MaxSupportedDistance)
        {
            problems.Add($"--near-distance {NearDistance} is out of range: expected -1 (exact duplicates only) or 0 to {DuplicateFinder.MaxSupportedDistance} bits");
        }
        if (MaxSelfConfidence is double bound && !(bound > 0 && bound <= 1))
        {
            problems.Add($"--max-self-confidence {bound.ToString(System.Globalization.CultureInfo.InvariantCulture)} is out of range: expected a probability in (0, 1], where 1 reports every issue");
        }
        if (PageIssues is < 0 or > 10_000)
        {
            problems.Add($"--page-issues {PageIssues} is out of range: expected 0 to 10000");
        }
        return problems;
    }
}
