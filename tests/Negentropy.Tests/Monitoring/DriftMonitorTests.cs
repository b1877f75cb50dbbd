using Microsoft.Extensions.Time.Testing;
using Negentropy.Monitoring;
using Xunit;

namespace Negentropy.Tests.Monitoring;

public sealed class DriftMonitorTests
{
    private const int Ham = 0;
    private const int Spam = 1;

    private static readonly AlertRule SpamSurge = new("spam-surge", "class_share_z", "spam", 4, AlertComparison.Above, "count");

    private readonly FakeTimeProvider clock = new(MonitoringTestData.Start);

    [Fact]
    public void Evaluate_SkipsRulesBelowMinCount()
    {
        var monitor = new DriftMonitor(MonitoringTestData.HamSpam(), MonitoringTestData.Config(50, 20, 60, SpamSurge), clock);
        RecordMany(monitor, Spam, 19);

        DriftEvaluation evaluation = monitor.Evaluate("v1");

        Assert.Empty(evaluation.Fired);
        Assert.NotNull(evaluation.Count);
        Assert.Equal(19, evaluation.Count.PredictionCount);
        Assert.Equal(1.0, evaluation.Count.ClassShares[Spam]);
        Assert.NotNull(evaluation.Time);
        Assert.Equal(clock.GetUtcNow(), evaluation.EvaluatedAt);
    }

    [Fact]
    public void Evaluate_EmptyWindowsHaveNoScores()
    {
        var monitor = new DriftMonitor(MonitoringTestData.HamSpam(), AlertConfig.Default, clock);

        DriftEvaluation evaluation = monitor.Evaluate("v1");

        Assert.Null(evaluation.Count);
        Assert.Null(evaluation.Time);
        Assert.Empty(evaluation.Fired);
    }

    [Fact]
    public void Evaluate_FiresOnceWhileRuleStaysViolated()
    {
        var monitor = new DriftMonitor(MonitoringTestData.HamSpam(), MonitoringTestData.Config(50, 20, 0, SpamSurge), clock);
        RecordMany(monitor, Spam, 50);

        DriftEvaluation first = monitor.Evaluate("v1");
        clock.Advance(TimeSpan.FromSeconds(1));
        DriftEvaluation second = monitor.Evaluate("v1");

        Alert alert = Assert.Single(first.Fired);
        Assert.Empty(second.Fired);
        double expectedZ = (1.0 - 0.2) / Math.Sqrt(0.2 * 0.8 / 50);
        Assert.Equal("spam-surge", alert.Rule);
        Assert.Equal("class_share_z", alert.Metric);
        Assert.Equal("spam", alert.ClassName);
        Assert.Equal(expectedZ, alert.Value, 12);
        Assert.Equal(4, alert.Threshold);
        Assert.Equal("above", alert.Comparison);
        Assert.Equal("count", alert.Window);
        Assert.Equal(50, alert.WindowCount);
        Assert.Equal("v1", alert.ModelVersion);
        Assert.Equal(MonitoringTestData.Start, alert.TimestampUtc);
        Assert.Equal(TimeSpan.Zero, alert.TimestampUtc.Offset);
        Assert.StartsWith("spam-surge: class_share_z[spam] = 14.14 is above 4 over the count window (last 50 predictions)", alert.Message);
    }

    [Fact]
    public void Evaluate_FiresAgainOnNewEpisodeAfterCooldown()
    {
        var monitor = new DriftMonitor(MonitoringTestData.HamSpam(), MonitoringTestData.Config(50, 20, 60, SpamSurge), clock);
        RecordMany(monitor, Spam, 50);
        Assert.Single(monitor.Evaluate("v1").Fired);

        RecordStable(monitor, 50);
        clock.Advance(TimeSpan.FromSeconds(10));
        Assert.Empty(monitor.Evaluate("v1").Fired);

        // A new episode inside the cooldown stays silent until the cooldown ends.
        RecordMany(monitor, Spam, 50);
        clock.Advance(TimeSpan.FromSeconds(10));
        Assert.Empty(monitor.Evaluate("v1").Fired);
        clock.Advance(TimeSpan.FromSeconds(39));
        Assert.Empty(monitor.Evaluate("v1").Fired);
        clock.Advance(TimeSpan.FromSeconds(1));
        Assert.Single(monitor.Evaluate("v1").Fired);
        clock.Advance(TimeSpan.FromSeconds(100));
        Assert.Empty(monitor.Evaluate("v1").Fired);
    }

    [Fact]
    public void ClassShareZ_SurgeFiresStableDoesNot()
    {
        var config = MonitoringTestData.Config(500, 100, 300, SpamSurge);
        var monitor = new DriftMonitor(MonitoringTestData.HamSpam(), config, clock);
        var random = new Random(7);
        var stableAlerts = new List<Alert>();
        for (int i = 0; i < 3000; i++)
        {
            monitor.Record(random.NextDouble() < 0.2 ? Spam : Ham, 0.4, false);
            clock.Advance(TimeSpan.FromMilliseconds(100));
            if (i % 50 == 49)
            {
                stableAlerts.AddRange(monitor.Evaluate("v1").Fired);
            }
        }

        var surgeAlerts = new List<Alert>();
        for (int i = 0; i < 300; i++)
        {
            monitor.Record(random.NextDouble() < 0.5 ? Spam : Ham, 0.4, false);
            clock.Advance(TimeSpan.FromMilliseconds(100));
            if (i % 50 == 49)
            {
                surgeAlerts.AddRange(monitor.Evaluate("v1").Fired);
            }
        }

        Assert.Empty(stableAlerts);
        Alert alert = Assert.Single(surgeAlerts);
        Assert.Equal("spam-surge", alert.Rule);
        Assert.True(alert.Value > 4);
    }

    [Fact]
    public void TimeWindowRule_ReadsTimeScores()
    {
        var escalations = new AlertRule("escalations", "abstention_rate", null, 0.2, AlertComparison.Above, "time");
        var monitor = new DriftMonitor(MonitoringTestData.HamSpam(), MonitoringTestData.Config(1000, 10, 0, escalations), clock);
        for (int i = 0; i < 20; i++)
        {
            monitor.Record(Ham, 1.5, abstain: i % 2 == 0);
        }

        Alert alert = Assert.Single(monitor.Evaluate("v1").Fired);
        clock.Advance(TimeSpan.FromSeconds(601));
        DriftEvaluation later = monitor.Evaluate("v1");

        Assert.Equal(0.5, alert.Value);
        Assert.Equal("time", alert.Window);
        Assert.Contains("the time window (20 predictions in the last 600 s)", alert.Message);
        Assert.Null(later.Time);
        Assert.NotNull(later.Count);
        Assert.Equal(20, later.Count.PredictionCount);
    }

    [Fact]
    public void BelowRule_FiresOnSmallPValue()
    {
        var uncertainty = new AlertRule("uncertainty-drift", "entropy_ks_p", null, 0.001, AlertComparison.Below, "count");
        var monitor = new DriftMonitor(MonitoringTestData.HamSpam(), MonitoringTestData.Config(200, 100, 0, uncertainty), clock);
        for (int i = 0; i < 150; i++)
        {
            monitor.Record(Ham, 2.0 + i / 1000.0, false);
        }

        Alert alert = Assert.Single(monitor.Evaluate("v1").Fired);

        Assert.Equal("below", alert.Comparison);
        Assert.True(alert.Value < 0.001);
    }

    [Fact]
    public void ResetReference_ClearsWindowsAndChecksClasses()
    {
        var monitor = new DriftMonitor(MonitoringTestData.HamSpam(), MonitoringTestData.Config(50, 20, 0, SpamSurge), clock);
        RecordMany(monitor, Spam, 50);
        Assert.Single(monitor.Evaluate("v1").Fired);

        monitor.ResetReference(MonitoringTestData.Reference(["ham", "spam", "phishing"], [0.7, 0.2, 0.1]));
        DriftEvaluation afterReset = monitor.Evaluate("v2");
        RecordMany(monitor, Spam, 50);
        DriftEvaluation refilled = monitor.Evaluate("v2");

        Assert.Null(afterReset.Count);
        Assert.Equal("v2", Assert.Single(refilled.Fired).ModelVersion);
        Assert.Equal(3, refilled.Count!.ClassShares.Count);
        var exception = Assert.Throws<UserInputException>(() => monitor.ResetReference(MonitoringTestData.Reference(["cat", "dog"], [0.5, 0.5])));
        Assert.Contains("'spam' is not a class of the model", exception.Message);
        Assert.Equal(3, monitor.Reference.ClassNames.Count);
    }

    [Fact]
    public void Constructor_RejectsRuleForUnknownClass()
    {
        var exception = Assert.Throws<UserInputException>(() =>
            new DriftMonitor(MonitoringTestData.Reference(["cat", "dog"], [0.5, 0.5]), MonitoringTestData.Config(50, 20, 0, SpamSurge), clock));

        Assert.Contains("$.rules[0].class: 'spam' is not a class of the model; expected one of cat, dog", exception.Message);
    }

    [Fact]
    public void Record_DropsPredictionsOutsideReference()
    {
        var monitor = new DriftMonitor(MonitoringTestData.HamSpam(), AlertConfig.Default, clock);

        bool accepted = monitor.Record(MonitoringTestData.Start, 1, 0.3, false);
        bool unknownClass = monitor.Record(MonitoringTestData.Start, 2, 0.3, false);
        bool nanEntropy = monitor.Record(MonitoringTestData.Start, 0, double.NaN, false);

        Assert.True(accepted);
        Assert.False(unknownClass);
        Assert.False(nanEntropy);
        Assert.Equal(2, monitor.DroppedRecords);
        Assert.Equal(1, monitor.Evaluate("v1").Count!.PredictionCount);
    }

    private void RecordMany(DriftMonitor monitor, int classIndex, int count)
    {
        for (int i = 0; i < count; i++)
        {
            monitor.Record(classIndex, 0.4, false);
        }
    }

    // Reproduces the reference shares exactly: 4 ham, then 1 spam, repeated.
    private void RecordStable(DriftMonitor monitor, int count)
    {
        for (int i = 0; i < count; i++)
        {
            monitor.Record(i % 5 == 4 ? Spam : Ham, 0.4, false);
        }
    }
}
