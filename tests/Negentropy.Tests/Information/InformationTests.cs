using System.Text.Json.Nodes;
using Negentropy.Evaluation;
using Negentropy.Information;
using Xunit;

namespace Negentropy.Tests.Information;

public sealed class InformationTests
{
    private static readonly Lazy<JsonObject> Fixture = new(() =>
        JsonNode.Parse(File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "Fixtures", "metrics_grid.json")))!.AsObject());

    private static double Value(JsonNode? node) =>
        node is JsonValue value && value.TryGetValue(out string? text) && text == "inf" ? double.PositiveInfinity : node!.GetValue<double>();

    private static double[] Vector(JsonNode? node) => node!.AsArray().Select(v => v!.GetValue<double>()).ToArray();

    [Fact]
    public void Divergences_MatchScipy()
    {
        JsonArray cases = Fixture.Value["divergences"]!.AsArray();
        Assert.True(cases.Count >= 5);
        foreach (JsonNode? item in cases)
        {
            double[] p = Vector(item!["p"]);
            double[] q = Vector(item["q"]);
            string label = $"p=[{string.Join(", ", p)}] q=[{string.Join(", ", q)}]";

            Assert.Equal(Value(item["entropy_p_bits"]), Distributions.Entropy(p, LogBase.Bits), 12);
            Assert.Equal(Value(item["entropy_p_nats"]), Distributions.Entropy(p, LogBase.Nats), 12);
            AssertSame(Value(item["kl_bits"]), Distributions.KlDivergence(p, q), $"KL {label}");
            AssertSame(Value(item["cross_entropy_bits"]), Distributions.CrossEntropy(p, q), $"cross-entropy {label}");
            AssertSame(Value(item["js_divergence_bits"]), Distributions.JensenShannonDivergence(p, q), $"JS divergence {label}");
            AssertSame(Value(item["js_distance_base2"]), Distributions.JensenShannonDistance(p, q), $"JS distance {label}");
        }
    }

    private static void AssertSame(double expected, double actual, string what)
    {
        if (double.IsPositiveInfinity(expected))
        {
            Assert.True(double.IsPositiveInfinity(actual), $"{what}: expected +inf, got {actual}");
            return;
        }
        Assert.True(Math.Abs(expected - actual) <= 1e-9, $"{what}: expected {expected:R}, got {actual:R}");
    }

    [Fact]
    public void PopulationStability_MatchesFixture()
    {
        foreach (JsonNode? item in Fixture.Value["psi"]!.AsArray())
        {
            double expected = item!["psi"]!.GetValue<double>();
            double actual = PopulationStability.Index(Vector(item["expected"]), Vector(item["actual"]));
            Assert.True(Math.Abs(expected - actual) <= 1e-9, $"PSI: expected {expected:R}, got {actual:R}");
        }
    }

    [Fact]
    public void Psi_QuarterVersusHalvesIsKnown()
    {
        double psi = PopulationStability.Index(new[] { 0.25, 0.25, 0.25, 0.25 }, new[] { 0.5, 0.5, 0, 0 });

        Assert.Equal(4.257032, psi, 6);
    }

    [Fact]
    public void Entropy_UniformOverFourIsTwoBits()
    {
        Assert.Equal(2.0, Distributions.Entropy(new[] { 0.25, 0.25, 0.25, 0.25 }), 15);
        Assert.Equal(0.0, Distributions.Entropy(new[] { 1.0, 0.0 }), 15);
    }

    [Fact]
    public void Entropy_RejectsInvalidInput()
    {
        var negative = Assert.Throws<ArgumentException>(() => Distributions.Entropy(new[] { 1.2, -0.2 }));
        var unnormalized = Assert.Throws<ArgumentException>(() => Distributions.Entropy(new[] { 1.0, 1.0 }));

        Assert.Contains("p[1] is -0.2", negative.Message);
        Assert.Contains("sums to 2, not 1", unnormalized.Message);
        Assert.Equal(1.0, Distributions.Entropy(new[] { 1.0, 1.0 }, normalize: true), 15);
    }

    [Fact]
    public void KlDivergence_IsInfiniteWhereQIsZero()
    {
        Assert.True(double.IsPositiveInfinity(Distributions.KlDivergence(new[] { 0.5, 0.5 }, new[] { 1.0, 0.0 })));
        Assert.Equal(0.0, Distributions.KlDivergence(new[] { 1.0, 0.0 }, new[] { 0.5, 0.5 }) - 1.0, 12);
    }

    [Fact]
    public void MutualInformation_HandCase()
    {
        var table = ContingencyInformation.FromLabels(new[] { 0, 0, 1 }, new[] { 0, 1, 1 }, 2);

        Assert.Equal(0.251629, table.MutualInformation(LogBase.Bits), 6);
        Assert.Equal(table.TargetEntropy() - table.MutualInformation(), table.ConditionalEntropy(), 12);
    }

    [Fact]
    public void StableSoftmax_HandlesExtremeLogits()
    {
        Assert.Equal(1000.0, StableSoftmax.CrossEntropy(new[] { 1000.0, 0.0 }, 1), 9);
        Assert.Equal(Math.Log(2), StableSoftmax.CrossEntropy(new[] { 1e8, 1e8 }, 0), 12);
        Span<double> logProbs = stackalloc double[2];
        StableSoftmax.LogSoftmax(new[] { 1e8, 1e8 }, logProbs);
        Assert.Equal(-Math.Log(2), logProbs[0], 12);
    }

    [Fact]
    public void F1_AllWrongIsZero()
    {
        var metrics = PrecisionRecallF1.Compute(new[] { 0, 0, 1, 1 }, new[] { 1, 1, 0, 0 }, 2, zeroDivision: 1);

        Assert.Equal(new[] { 0.0, 0.0 }, metrics.F1);
        Assert.Equal(0.0, metrics.Macro.F1);
    }

    [Fact]
    public void ZeroDivisionNaN_SkippedInAverages()
    {
        var metrics = PrecisionRecallF1.Compute(new[] { 0, 0, 1 }, new[] { 0, 0, 0 }, 3, zeroDivision: double.NaN);

        Assert.True(double.IsNaN(metrics.Precision[1]));
        Assert.True(double.IsNaN(metrics.Recall[2]));
        Assert.Equal(2.0 / 3.0, metrics.Precision[0], 12);
        Assert.Equal(2.0 / 3.0, metrics.Macro.Precision, 12);
        Assert.Equal(new[] { 1, 2 }, metrics.IllDefinedLabels);
    }

    [Fact]
    public void RocAuc_TiedScoresCountHalf()
    {
        double auc = RankingMetrics.BinaryRocAuc(new[] { true, false, false, true }, new[] { 2.0, 5.0, 10.0, 10.0 });

        Assert.Equal(0.375, auc, 15);
    }

    [Fact]
    public void RocAuc_SingleClassIsUndefined()
    {
        Assert.True(double.IsNaN(RankingMetrics.BinaryRocAuc(new[] { true, true }, new[] { 0.2, 0.9 })));
    }

    [Fact]
    public void LogLoss_HardWrongIsFinite()
    {
        double loss = ProbabilityMetrics.LogLoss(new[] { 0 }, new[] { 0.0, 1.0 }, 2);

        Assert.Equal(36.04365338911715, loss, 9);
    }

    [Fact]
    public void Ece_ConfidenceOfOneIsInLastBin()
    {
        Assert.Equal(14, Calibration.BinIndex(1.0, 15));
        Assert.Equal(0, Calibration.BinIndex(0.0, 15));
        Assert.Equal(0, Calibration.BinIndex(1.0 / 15, 15));
        Assert.Equal(11, Calibration.BinIndex(Math.BitIncrement(11.0 / 15), 15));
    }

    [Fact]
    public void TemperatureScaling_RecoversKnownTemperature()
    {
        var random = new Random(3);
        int rows = 4000;
        int classes = 4;
        var logits = new double[rows * classes];
        var targets = new int[rows];
        for (int i = 0; i < rows; i++)
        {
            for (int k = 0; k < classes; k++)
            {
                logits[(i * classes) + k] = 3 * ((random.NextDouble() * 2) - 1);
            }
            // Targets drawn from softmax(logits / 2), so the fitted temperature should be near 2.
            double[] probs = TemperatureScaling.Apply(logits.AsSpan(i * classes, classes), classes, 2.0);
            double draw = random.NextDouble();
            int target = 0;
            for (double cumulative = probs[0]; cumulative < draw && target < classes - 1; cumulative += probs[++target])
            {
            }
            targets[i] = target;
        }

        double temperature = TemperatureScaling.Fit(targets, logits, classes);

        Assert.InRange(temperature, 1.7, 2.3);
        Assert.True(TemperatureScaling.NegativeLogLikelihood(targets, logits, classes, temperature)
            <= TemperatureScaling.NegativeLogLikelihood(targets, logits, classes, 1.0));
    }
}
