using System.Globalization;
using System.Text.Json.Serialization;

namespace Negentropy.Evaluation;

/// <summary>
/// The "abstention" section of model.json: when a served model abstains, and how that rule did on the
/// validation split. The model abstains when an input's predictive entropy is above
/// <see cref="ThresholdBits"/> and answers when it is at most the threshold. The threshold is chosen at
/// training time by <see cref="RiskCoverage.SelectForRisk"/> or <see cref="RiskCoverage.SelectForCoverage"/>.
/// </summary>
/// <remarks>
/// The validation entropies are those of the model's softmax output without temperature scaling, from the
/// probabilities as val_predictions.csv stores them (9 significant digits, each row renormalized). Entropies of
/// temperature-scaled probabilities are on another scale, so compare this threshold with unscaled ones.
/// </remarks>
public sealed record AbstentionPolicy
{
    /// <summary>Criterion of a policy with the largest coverage whose validation risk is at most the target.</summary>
    public const string RiskCriterion = "risk";

    /// <summary>Criterion of a policy with the smallest threshold whose validation coverage is at least the target.</summary>
    public const string CoverageCriterion = "coverage";

    /// <summary>"risk" or "coverage": what <see cref="Target"/> bounds.</summary>
    [JsonPropertyName("criterion")] public required string Criterion { get; init; }

    /// <summary>The maximum validation risk or the minimum validation coverage that was requested, as a share in (0, 1].</summary>
    [JsonPropertyName("target")] public required double Target { get; init; }

    /// <summary>
    /// Entropy threshold in bits. <see cref="RiskCoverage.AnswerNothingThresholdBits"/> (−1) means that the
    /// model abstains on every input, because no threshold met the target risk.
    /// </summary>
    [JsonPropertyName("threshold_bits")] public required double ThresholdBits { get; init; }

    /// <summary>Error rate among the answered validation samples; null when none is answered.</summary>
    [JsonPropertyName("validation_risk")] public required double? ValidationRisk { get; init; }

    /// <summary>Share of the validation samples answered.</summary>
    [JsonPropertyName("validation_coverage")] public required double ValidationCoverage { get; init; }

    /// <summary>Number of validation samples the threshold was chosen on.</summary>
    [JsonPropertyName("validation_count")] public required int ValidationCount { get; init; }

    /// <summary>False when no threshold met the target risk, so the policy answers nothing.</summary>
    [JsonPropertyName("target_met")] public required bool TargetMet { get; init; }

    /// <summary>
    /// Returns true when the model abstains on an input with entropy <paramref name="entropyBits"/>:
    /// when the entropy is above the threshold, or is NaN.
    /// </summary>
    public bool Abstains(double entropyBits) => !(entropyBits <= ThresholdBits);

    /// <summary>Formats the policy as one log line, such as "entropy > 0.53 bits → 96.1% coverage at 0.98% risk on 6000 validation samples (target risk 1%)".</summary>
    public string Describe()
    {
        string target = Criterion == CoverageCriterion
            ? string.Create(CultureInfo.InvariantCulture, $"target coverage {Target:0.###%}")
            : string.Create(CultureInfo.InvariantCulture, $"target risk {Target:0.###%}");
        if (!TargetMet)
        {
            return string.Create(CultureInfo.InvariantCulture,
                $"entropy > {ThresholdBits:G4} bits → 0% coverage: no threshold meets the {target} on {ValidationCount} validation samples, so the model abstains on every input");
        }
        return string.Create(CultureInfo.InvariantCulture,
            $"entropy > {ThresholdBits:G4} bits → {ValidationCoverage:0.0%} coverage at {ValidationRisk:0.00%} risk on {ValidationCount} validation samples ({target})");
    }
}
