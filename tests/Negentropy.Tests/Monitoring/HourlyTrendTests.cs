using Negentropy.Monitoring;
using Xunit;
using static Negentropy.Tests.Monitoring.PredictionLogFiles;

namespace Negentropy.Tests.Monitoring;

public sealed class HourlyTrendTests
{
    [Fact]
    public void P99_UsesNearestRank()
    {
        // Latencies 1..200 ms: the nearest rank is ceil(0.99 × 200) = 198.
        PredictionRecord[] records = Enumerable.Range(1, 200).Select(i => Record(Start.AddSeconds(i), i, latencyMs: i)).ToArray();

        HourlyTrend trend = Assert.Single(HourlyTrend.Compute(records));

        Assert.Equal(198, trend.P99LatencyMs);
        Assert.Equal(100.5, trend.MeanLatencyMs);
    }

    [Fact]
    public void P99_OfOnePrediction_IsItsLatency()
    {
        HourlyTrend trend = Assert.Single(HourlyTrend.Compute(new[] { Record(Start, 1, latencyMs: 7.5) }));

        Assert.Equal(7.5, trend.P99LatencyMs);
    }

    [Fact]
    public void Hours_WithoutPredictions_AreSkipped()
    {
        PredictionRecord[] records = { Record(Start.AddMinutes(59), 1), Record(Start.AddHours(3).AddMinutes(1), 2) };

        HourlyTrend[] trends = HourlyTrend.Compute(records).ToArray();

        Assert.Equal(new[] { Start, Start.AddHours(3) }, trends.Select(t => t.HourUtc));
    }

    [Fact]
    public void UnsortedInput_IsRejected()
    {
        PredictionRecord[] records = { Record(Start.AddMinutes(5), 1), Record(Start, 2) };

        var exception = Assert.Throws<ArgumentException>(() => HourlyTrend.Compute(records).ToArray());

        Assert.Contains("not sorted by time", exception.Message);
    }

    [Fact]
    public void HourOf_ConvertsToUtc()
    {
        var local = new DateTimeOffset(2025, 3, 1, 9, 30, 0, TimeSpan.FromHours(-5));

        Assert.Equal(new DateTimeOffset(2025, 3, 1, 14, 0, 0, TimeSpan.Zero), HourlyTrend.HourOf(local));
    }
}
