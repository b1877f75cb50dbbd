using Negentropy.Evaluation;

namespace Negentropy.Training;

/// <summary>Chooses a run's abstention threshold on its validation predictions and logs the choice.</summary>
internal static class AbstentionThreshold
{
    /// <summary>
    /// Computes the risk–coverage curve of <paramref name="probs"/> [targets.Count, numClasses] and selects
    /// the threshold for the run's coverage target, or else for its risk target. Logs the decision, and a
    /// warning when the risk target cannot be met.
    /// </summary>
    public static (AbstentionPolicy Policy, RiskCoverage.Curve Curve) Choose(TrainingOptions options, IReadOnlyList<int> targets, double[] probs, int numClasses,
        ITrainingObserver observer)
    {
        RiskCoverage.Curve curve = RiskCoverage.Compute(targets, probs, numClasses);
        AbstentionPolicy policy = options.AbstainCoverage is double coverage
            ? RiskCoverage.SelectForCoverage(curve, coverage)
            : RiskCoverage.SelectForRisk(curve, options.EffectiveAbstainRisk ?? TrainingOptions.DefaultAbstainRisk);
        observer.OnDecision("abstention", policy.Describe());
        if (!policy.TargetMet)
        {
            RiskCoverage.Point lowest = curve.Points.MinBy(point => point.Risk)!;
            observer.OnDecision("warning", FormattableString.Invariant(
                $"the abstention target risk {policy.Target:0.###%} is below every validation risk (lowest {lowest.Risk:0.00%} at {lowest.Coverage:0.0%} coverage), so the model abstains on every input; train a better model, or pass a larger --abstain-risk or an --abstain-coverage"));
        }
        return (policy, curve);
    }
}
