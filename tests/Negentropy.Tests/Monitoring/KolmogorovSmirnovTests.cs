using System.Text.Json.Nodes;
using Negentropy.Monitoring;
using Xunit;

namespace Negentropy.Tests.Monitoring;

public sealed class KolmogorovSmirnovTests
{
    // Written by tools/golden/make_drift_fixture.py with SciPy 1.10.1.
    internal static readonly Lazy<JsonObject> Fixture = new(() =>
        JsonNode.Parse(File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "Fixtures", "drift_golden.json")))!.AsObject());

    // The p-value is a truncated series; SciPy's kstwobign.sf is accurate to about 1e-15, so 1e-12 leaves margin.
    private const double PValueTolerance = 1e-12;

    internal static double[] Vector(JsonNode? node) => node!.AsArray().Select(v => v!.GetValue<double>()).ToArray();

    [Fact]
    public void TwoSample_MatchesScipy()
    {
        JsonArray cases = Fixture.Value["ks"]!.AsArray();
        Assert.True(cases.Count >= 10);
        foreach (JsonNode? item in cases)
        {
            string name = item!["name"]!.GetValue<string>();
            KolmogorovSmirnovResult result = KolmogorovSmirnov.TwoSample(Vector(item["a"]), Vector(item["b"]));

            double expectedStatistic = item["statistic"]!.GetValue<double>();
            double expectedP = item["p_value"]!.GetValue<double>();
            Assert.True(expectedStatistic == result.Statistic, $"{name}: D expected {expectedStatistic:R}, got {result.Statistic:R}");
            Assert.True(Math.Abs(expectedP - result.PValue) <= PValueTolerance, $"{name}: p expected {expectedP:R}, got {result.PValue:R}");
        }
    }

    [Fact]
    public void TwoSample_IsSymmetric()
    {
        double[] a = [0.3, 0.1, 0.1, 0.9, 0.4];
        double[] b = [0.2, 0.1, 0.5];

        KolmogorovSmirnovResult forward = KolmogorovSmirnov.TwoSample(a, b);
        KolmogorovSmirnovResult backward = KolmogorovSmirnov.TwoSample(b, a);

        Assert.Equal(forward.Statistic, backward.Statistic);
        Assert.Equal(forward.PValue, backward.PValue);
    }

    [Theory]
    [InlineData(0.0, 1.0)]
    [InlineData(0.5, 0.9639452436648751)]
    [InlineData(1.0, 0.26999967167735456)]
    [InlineData(1.3580986393225505, 0.050000000000000024)]
    [InlineData(3.0, 3.045995948942526e-08)]
    public void KolmogorovSurvival_KnownValues(double x, double expected)
    {
        // Values of scipy.stats.kstwobign.sf in SciPy 1.10.1; 1.3581 is the textbook 5% critical value.
        double actual = KolmogorovSmirnov.KolmogorovSurvival(x);

        Assert.True(Math.Abs(expected - actual) <= 1e-15 + 1e-12 * expected, $"Q({x}) expected {expected:R}, got {actual:R}");
    }

    [Fact]
    public void KolmogorovSurvival_IsContinuousAtOne()
    {
        double below = KolmogorovSmirnov.KolmogorovSurvival(Math.BitDecrement(1.0));
        double at = KolmogorovSmirnov.KolmogorovSurvival(1.0);

        Assert.True(Math.Abs(below - at) <= 1e-14, $"the two series differ at 1: {below:R} and {at:R}");
    }

    [Fact]
    public void TwoSample_RejectsEmptyAndNaN()
    {
        var empty = Assert.Throws<ArgumentException>(() => KolmogorovSmirnov.TwoSample([], [1.0]));
        var nan = Assert.Throws<ArgumentException>(() => KolmogorovSmirnov.TwoSample([1.0], [0.5, double.NaN]));

        Assert.Contains("a is empty", empty.Message);
        Assert.Contains("b[1] is NaN", nan.Message);
    }
}
