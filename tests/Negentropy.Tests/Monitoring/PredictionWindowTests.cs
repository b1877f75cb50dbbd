using Negentropy.Monitoring;
using Xunit;

namespace Negentropy.Tests.Monitoring;

public sealed class PredictionWindowTests
{
    private static readonly DateTimeOffset Start = MonitoringTestData.Start;

    [Fact]
    public void CountWindow_KeepsLastN()
    {
        var window = new PredictionWindow(numClasses: 3, countCapacity: 4, TimeSpan.FromHours(1));
        for (int i = 0; i < 6; i++)
        {
            window.Record(Start.AddSeconds(i), classIndex: i % 3, entropyBits: i / 10.0, abstain: i == 1 || i == 5);
        }

        (WindowSnapshot count, WindowSnapshot time) = window.Snapshot(Start.AddSeconds(10));

        Assert.Equal(4, count.PredictionCount);
        Assert.Equal([0.2, 0.3, 0.4, 0.5], count.EntropiesBits);
        Assert.Equal([1, 1, 2], count.ClassCounts);
        Assert.Equal(1, count.Abstentions);
        Assert.Equal("count", count.Window);
        Assert.Equal(6, time.PredictionCount);
        Assert.Equal(2, time.Abstentions);
    }

    [Fact]
    public void TimeWindow_EvictsOlderThanDuration()
    {
        var window = new PredictionWindow(numClasses: 2, countCapacity: 100, TimeSpan.FromSeconds(60));
        window.Record(Start, 0, 0.1, false);
        window.Record(Start.AddSeconds(30), 1, 0.2, true);
        window.Record(Start.AddSeconds(61), 1, 0.3, false);

        (WindowSnapshot count, WindowSnapshot time) = window.Snapshot(Start.AddSeconds(90));

        // (30 s, 90 s]: the prediction at 30 s is exactly T before now, so it is out.
        Assert.Equal(1, time.PredictionCount);
        Assert.Equal([0.3], time.EntropiesBits);
        Assert.Equal([0, 1], time.ClassCounts);
        Assert.Equal(0, time.Abstentions);
        Assert.Equal("time", time.Window);
        Assert.Equal(3, count.PredictionCount);
    }

    [Fact]
    public void TimeWindow_ExcludesFutureTimestamps()
    {
        var window = new PredictionWindow(numClasses: 2, countCapacity: 10, TimeSpan.FromSeconds(60));
        window.Record(Start, 0, 0.1, false);
        window.Record(Start.AddSeconds(5), 1, 0.2, false);

        WindowSnapshot time = window.Snapshot(Start.AddSeconds(1)).Time;

        Assert.Equal([0.1], time.EntropiesBits);
    }

    [Fact]
    public void BothWindows_EvictIndependently()
    {
        var window = new PredictionWindow(numClasses: 2, countCapacity: 3, TimeSpan.FromSeconds(10));
        for (int i = 0; i < 8; i++)
        {
            window.Record(Start.AddSeconds(2 * i), i % 2, i, false);
        }

        (WindowSnapshot count, WindowSnapshot time) = window.Snapshot(Start.AddSeconds(14));
        (WindowSnapshot laterCount, WindowSnapshot laterTime) = window.Snapshot(Start.AddSeconds(100));

        Assert.Equal([5.0, 6.0, 7.0], count.EntropiesBits);
        // Timestamps 0..14 s step 2; (4 s, 14 s] keeps 6, 8, 10, 12 and 14 s.
        Assert.Equal([3.0, 4.0, 5.0, 6.0, 7.0], time.EntropiesBits);
        Assert.Equal([5.0, 6.0, 7.0], laterCount.EntropiesBits);
        Assert.Equal(0, laterTime.PredictionCount);
        Assert.Equal([0, 0], laterTime.ClassCounts);
    }

    [Fact]
    public void LargeWindow_SamplesEntropiesEvenly()
    {
        const int Recorded = 45_000;
        var window = new PredictionWindow(numClasses: 3, countCapacity: 100, TimeSpan.FromHours(1));
        for (int i = 0; i < Recorded; i++)
        {
            window.Record(Start.AddMilliseconds(i), classIndex: i % 3, entropyBits: i, abstain: i % 10 == 0);
        }

        (_, WindowSnapshot time) = window.Snapshot(Start.AddMinutes(5));

        // The counts cover every prediction; the entropies are every 5th (stride ⌈45,000 / 10,000⌉).
        Assert.Equal(Recorded, time.PredictionCount);
        Assert.Equal([15_000, 15_000, 15_000], time.ClassCounts);
        Assert.Equal(4_500, time.Abstentions);
        Assert.Equal(9_000, time.EntropiesBits.Count);
        Assert.Equal(Enumerable.Range(0, 9_000).Select(k => 5.0 * k), time.EntropiesBits);
    }

    [Fact]
    public void Clear_EmptiesBothWindows()
    {
        var window = new PredictionWindow(numClasses: 2, countCapacity: 3, TimeSpan.FromSeconds(10));
        window.Record(Start, 1, 0.5, true);

        window.Clear();
        (WindowSnapshot count, WindowSnapshot time) = window.Snapshot(Start);

        Assert.Equal(0, count.PredictionCount);
        Assert.Equal(0, time.PredictionCount);
    }

    [Fact]
    public void Record_FromManyThreadsKeepsEveryPrediction()
    {
        const int threads = 8;
        const int perThread = 5000;
        var window = new PredictionWindow(numClasses: threads, countCapacity: threads * perThread, TimeSpan.FromHours(1));

        Parallel.For(0, threads, new ParallelOptions { MaxDegreeOfParallelism = threads }, thread =>
        {
            for (int i = 0; i < perThread; i++)
            {
                window.Record(Start.AddMilliseconds(i), thread, 0.25, i % 10 == 0);
            }
        });
        (WindowSnapshot count, WindowSnapshot time) = window.Snapshot(Start.AddSeconds(10));

        Assert.Equal(threads * perThread, count.PredictionCount);
        Assert.All(count.ClassCounts, classCount => Assert.Equal(perThread, classCount));
        Assert.Equal(threads * perThread / 10, count.Abstentions);
        Assert.Equal(threads * perThread, time.PredictionCount);
    }

    [Fact]
    public void Record_RejectsInvalidPrediction()
    {
        var window = new PredictionWindow(numClasses: 2, countCapacity: 3, TimeSpan.FromSeconds(10));

        Assert.Throws<ArgumentOutOfRangeException>(() => window.Record(Start, 2, 0.5, false));
        Assert.Throws<ArgumentOutOfRangeException>(() => window.Record(Start, -1, 0.5, false));
        Assert.Throws<ArgumentOutOfRangeException>(() => window.Record(Start, 0, double.NaN, false));
    }
}
