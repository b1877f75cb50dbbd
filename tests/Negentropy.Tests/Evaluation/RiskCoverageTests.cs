using Negentropy.Evaluation;
using Negentropy.Information;
using Xunit;

namespace Negentropy.Tests.Evaluation;

/// <summary>Risk–coverage curves and threshold selection on hand-made two-class predictions.</summary>
public sealed class RiskCoverageTests
{
    // Entropy of a [p, 1 − p] row in bits, computed as RiskCoverage computes it.
    private static double H(double p, double q) => Distributions.Entropy(new[] { p, q }, LogBase.Bits, normalize: true);

    // Threshold of TiedCurve's point whose larger probability is p.
    private static double TiedThreshold(double p) => p switch
    {
        0.9 => H(0.9, 0.1),
        0.6 => H(0.6, 0.4),
        _ => 0,
    };

    private static RiskCoverage.Curve Curve(params (double P0, double P1, int Target)[] rows) =>
        RiskCoverage.Compute(rows.Select(r => r.Target).ToArray(), rows.SelectMany(r => new[] { r.P0, r.P1 }).ToArray(), numClasses: 2);

    // Two right predictions at entropy 0, a right and a wrong one tied at H(0.9), and a wrong one at H(0.6).
    private static RiskCoverage.Curve TiedCurve() => Curve(
        (1.0, 0.0, 0),
        (0.1, 0.9, 0),
        (0.6, 0.4, 1),
        (1.0, 0.0, 0),
        (0.9, 0.1, 0));

    [Fact]
    public void Ties_FormOnePointEach()
    {
        RiskCoverage.Curve curve = TiedCurve();

        Assert.Equal(5, curve.Count);
        Assert.Equal(3, curve.Points.Count);
        Assert.Equal(new RiskCoverage.Point(0, 2, 0, 0.4, 0), curve.Points[0]);
        Assert.Equal(new RiskCoverage.Point(H(0.9, 0.1), 4, 1, 0.8, 0.25), curve.Points[1]);
        Assert.Equal(new RiskCoverage.Point(H(0.6, 0.4), 5, 2, 1.0, 0.4), curve.Points[2]);
        Assert.Equal(0.4, curve.FullCoverageRisk);
        // (2·0 + 2·0.25 + 1·0.4) / 5
        Assert.Equal(0.18, curve.Aurc, 15);
    }

    [Fact]
    public void Aurc_WithoutTiesIsMeanSelectiveRisk()
    {
        RiskCoverage.Curve curve = Curve((0.9, 0.1, 1), (0.8, 0.2, 0), (0.7, 0.3, 1), (1.0, 0.0, 0));

        Assert.Equal(new[] { 0.0, 0.5, 1.0 / 3, 0.5 }, curve.Points.Select(p => p.Risk));
        Assert.Equal((0 + 0.5 + (1.0 / 3) + 0.5) / 4, curve.Aurc, 15);
    }

    [Theory]
    [InlineData(0.01, 0.0, 0.4, 0.0)]
    [InlineData(0.25, 0.9, 0.8, 0.25)]
    [InlineData(0.3, 0.9, 0.8, 0.25)]
    [InlineData(0.5, 0.6, 1.0, 0.4)]
    public void RiskTarget_PicksLargestCoverage(double target, double p, double coverage, double risk)
    {
        AbstentionPolicy policy = RiskCoverage.SelectForRisk(TiedCurve(), target);

        Assert.Equal(AbstentionPolicy.RiskCriterion, policy.Criterion);
        Assert.Equal(target, policy.Target);
        Assert.Equal(TiedThreshold(p), policy.ThresholdBits);
        Assert.Equal(coverage, policy.ValidationCoverage);
        Assert.Equal(risk, policy.ValidationRisk);
        Assert.Equal(5, policy.ValidationCount);
        Assert.True(policy.TargetMet);
    }

    [Theory]
    [InlineData(0.2, 0.0, 0.4)]
    [InlineData(0.4, 0.0, 0.4)]
    [InlineData(0.5, 0.9, 0.8)]
    [InlineData(0.8, 0.9, 0.8)]
    [InlineData(1.0, 0.6, 1.0)]
    public void CoverageTarget_PicksSmallestThreshold(double target, double p, double coverage)
    {
        AbstentionPolicy policy = RiskCoverage.SelectForCoverage(TiedCurve(), target);

        Assert.Equal(AbstentionPolicy.CoverageCriterion, policy.Criterion);
        Assert.Equal(TiedThreshold(p), policy.ThresholdBits);
        Assert.Equal(coverage, policy.ValidationCoverage);
        Assert.True(policy.TargetMet);
    }

    [Fact]
    public void TiedEntropies_AreAnsweredTogether()
    {
        AbstentionPolicy policy = RiskCoverage.SelectForRisk(TiedCurve(), 0.25);

        Assert.False(policy.Abstains(H(0.9, 0.1)));
        Assert.False(policy.Abstains(H(0.1, 0.9)));
        Assert.False(policy.Abstains(0));
        Assert.True(policy.Abstains(H(0.6, 0.4)));
        Assert.True(policy.Abstains(double.NaN));
    }

    [Fact]
    public void ZeroEntropyThreshold_AbstainsAboveZero()
    {
        AbstentionPolicy policy = RiskCoverage.SelectForRisk(TiedCurve(), 0.01);

        Assert.Equal(0, policy.ThresholdBits);
        Assert.False(policy.Abstains(0));
        Assert.True(policy.Abstains(1e-12));
    }

    [Fact]
    public void UnreachableRisk_AnswersNothing()
    {
        // The most certain prediction is wrong, so the risk never falls below 1/3.
        RiskCoverage.Curve curve = Curve((0.0, 1.0, 0), (0.9, 0.1, 0), (0.8, 0.2, 0));

        AbstentionPolicy policy = RiskCoverage.SelectForRisk(curve, 0.3);

        Assert.False(policy.TargetMet);
        Assert.Equal(RiskCoverage.AnswerNothingThresholdBits, policy.ThresholdBits);
        Assert.Equal(0, policy.ValidationCoverage);
        Assert.Null(policy.ValidationRisk);
        Assert.Equal(3, policy.ValidationCount);
        Assert.True(policy.Abstains(0));
        Assert.Contains("abstains on every input", policy.Describe());
    }

    [Fact]
    public void AllWrong_MeetsOnlyCoverageTargets()
    {
        RiskCoverage.Curve curve = Curve((1.0, 0.0, 1), (0.8, 0.2, 1));

        Assert.Equal(new[] { 1.0, 1.0 }, curve.Points.Select(p => p.Risk));
        Assert.Equal(1.0, curve.Aurc);
        Assert.Equal(1.0, curve.FullCoverageRisk);
        Assert.False(RiskCoverage.SelectForRisk(curve, 0.99).TargetMet);
        AbstentionPolicy byCoverage = RiskCoverage.SelectForCoverage(curve, 0.5);
        Assert.True(byCoverage.TargetMet);
        Assert.Equal(0, byCoverage.ThresholdBits);
        Assert.Equal(1.0, byCoverage.ValidationRisk);
    }

    [Fact]
    public void AllRight_AnswersEverything()
    {
        RiskCoverage.Curve curve = Curve((1.0, 0.0, 0), (0.7, 0.3, 0), (0.2, 0.8, 1));

        AbstentionPolicy policy = RiskCoverage.SelectForRisk(curve, 0.01);

        Assert.Equal(0, curve.Aurc);
        Assert.Equal(0, curve.FullCoverageRisk);
        Assert.Equal(1.0, policy.ValidationCoverage);
        Assert.Equal(0, policy.ValidationRisk);
        Assert.Equal(H(0.7, 0.3), policy.ThresholdBits);
        Assert.False(policy.Abstains(H(0.7, 0.3)));
    }

    [Theory]
    [InlineData(0, true)]
    [InlineData(1, false)]
    public void SingleSample_IsOnePoint(int target, bool right)
    {
        RiskCoverage.Curve curve = Curve((0.7, 0.3, target));

        RiskCoverage.Point point = Assert.Single(curve.Points);
        Assert.Equal(1.0, point.Coverage);
        Assert.Equal(right ? 0 : 1, point.Risk);
        Assert.Equal(right ? 0 : 1, curve.Aurc);
        Assert.Equal(right, RiskCoverage.SelectForRisk(curve, 0.5).TargetMet);
        Assert.Equal(1.0, RiskCoverage.SelectForCoverage(curve, 0.01).ValidationCoverage);
    }

    [Fact]
    public void Downsample_KeepsEndpointsAndOrder()
    {
        var random = new Random(7);
        var rows = new (double, double, int)[1000];
        for (int i = 0; i < rows.Length; i++)
        {
            double p = 0.5 + (0.5 * random.NextDouble());
            rows[i] = (p, 1 - p, random.NextDouble() < p ? 0 : 1);
        }
        RiskCoverage.Curve curve = Curve(rows);
        Assert.True(curve.Points.Count > RiskCoverage.MaxStoredPoints, $"only {curve.Points.Count} distinct entropies");

        RiskCoverage.Curve stored = curve.Downsample();

        Assert.InRange(stored.Points.Count, 100, RiskCoverage.MaxStoredPoints);
        Assert.Equal(curve.Points[0], stored.Points[0]);
        Assert.Equal(curve.Points[^1], stored.Points[^1]);
        Assert.Equal(curve.Aurc, stored.Aurc);
        Assert.Equal(curve.Count, stored.Count);
        for (int i = 1; i < stored.Points.Count; i++)
        {
            Assert.True(stored.Points[i].Coverage > stored.Points[i - 1].Coverage, $"coverage falls at point {i}");
            Assert.True(stored.Points[i].ThresholdBits > stored.Points[i - 1].ThresholdBits, $"threshold falls at point {i}");
        }
        Assert.All(stored.Points, point => Assert.Contains(point, curve.Points));
        // No coverage gap between kept points is much wider than one level of 1/200.
        double widestGap = stored.Points.Zip(stored.Points.Skip(1), (a, b) => b.Coverage - a.Coverage).Max();
        Assert.True(widestGap < 0.011, $"widest coverage gap {widestGap}");
    }

    [Fact]
    public void Downsample_ShortCurveIsUnchanged()
    {
        RiskCoverage.Curve curve = TiedCurve();

        Assert.Same(curve, curve.Downsample());
        Assert.Equal(new[] { curve.Points[0], curve.Points[^1] }, curve.Downsample(2).Points);
    }

    [Fact]
    public void Json_RoundTripsPoints()
    {
        RiskCoverage.Curve curve = TiedCurve();

        RiskCoverage.Curve? read = RiskCoverage.Curve.FromJson(curve.ToJson());

        Assert.NotNull(read);
        Assert.Equal(curve.Points, read.Points);
        Assert.Equal(curve.Aurc, read.Aurc);
        Assert.Equal(curve.Count, read.Count);
        Assert.Null(RiskCoverage.Curve.FromJson(new System.Text.Json.Nodes.JsonObject { ["count"] = 3 }));
    }

    [Fact]
    public void BadInput_IsRejected()
    {
        Assert.Throws<ArgumentException>(() => RiskCoverage.Compute(Array.Empty<int>(), Array.Empty<double>(), 2));
        Assert.Throws<ArgumentException>(() => RiskCoverage.Compute(new[] { 0, 1 }, new[] { 1.0, 0.0 }, 2));
        Assert.Throws<ArgumentOutOfRangeException>(() => RiskCoverage.SelectForRisk(TiedCurve(), 1.0));
        Assert.Throws<ArgumentOutOfRangeException>(() => RiskCoverage.SelectForRisk(TiedCurve(), 0));
        Assert.Throws<ArgumentOutOfRangeException>(() => RiskCoverage.SelectForCoverage(TiedCurve(), 0));
        Assert.Throws<ArgumentOutOfRangeException>(() => RiskCoverage.SelectForCoverage(TiedCurve(), 1.01));
    }
}
