using Negentropy.Evaluation;
using Negentropy.Training;
using Xunit;

namespace Negentropy.Tests.Training;

public sealed class AbstentionThresholdTests
{
    private sealed class RecordingObserver : ITrainingObserver
    {
        public List<(string Name, string Value)> Decisions { get; } = new();

        public void OnDecision(string name, string value) => Decisions.Add((name, value));

        public void OnEpochStart(int epoch, int epochs, int steps)
        {
        }

        public void OnStep(StepProgress progress)
        {
        }

        public void OnEpochEnd(EpochMetrics metrics, bool improved)
        {
        }

        public void OnMessage(string message)
        {
        }
    }

    // Three samples: wrong at entropy 0, then right at H(0.9) and H(0.8), so the risk falls 1, 1/2, 1/3.
    private static readonly int[] Targets = { 0, 0, 0 };
    private static readonly double[] Probs = { 0.0, 1.0, 0.9, 0.1, 0.8, 0.2 };

    [Fact]
    public void UnmetRisk_LogsWarning()
    {
        var observer = new RecordingObserver();

        (AbstentionPolicy policy, RiskCoverage.Curve curve) = AbstentionThreshold.Choose(new TrainingOptions { AbstainRisk = 0.2 }, Targets, Probs, 2, observer);

        Assert.False(policy.TargetMet);
        Assert.Equal(3, curve.Points.Count);
        Assert.Equal(2, observer.Decisions.Count);
        Assert.Equal("abstention", observer.Decisions[0].Name);
        Assert.Equal("warning", observer.Decisions[1].Name);
        Assert.Contains("target risk 20% is below every validation risk (lowest 33.33% at 100.0% coverage)", observer.Decisions[1].Value);
    }

    [Fact]
    public void CoverageOption_ReplacesRiskTarget()
    {
        var observer = new RecordingObserver();

        (AbstentionPolicy policy, _) = AbstentionThreshold.Choose(new TrainingOptions { AbstainCoverage = 0.5 }, Targets, Probs, 2, observer);

        Assert.Equal(AbstentionPolicy.CoverageCriterion, policy.Criterion);
        Assert.Equal(2.0 / 3, policy.ValidationCoverage);
        Assert.Equal(0.5, policy.ValidationRisk);
        var decision = Assert.Single(observer.Decisions);
        Assert.StartsWith("entropy > 0.469 bits → 66.7% coverage at 50.00% risk on 3 validation samples (target coverage 50%)", decision.Value);
    }

    [Fact]
    public void DefaultOptions_TargetOnePercentRisk()
    {
        (AbstentionPolicy policy, _) = AbstentionThreshold.Choose(new TrainingOptions(), new[] { 0, 0, 0 }, Probs, 2, new RecordingObserver());

        Assert.Equal(AbstentionPolicy.RiskCriterion, policy.Criterion);
        Assert.Equal(TrainingOptions.DefaultAbstainRisk, policy.Target);
    }
}
