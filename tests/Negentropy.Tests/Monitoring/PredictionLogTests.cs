using System.Diagnostics;
using Microsoft.Extensions.Time.Testing;
using Negentropy.Monitoring;
using Xunit;
using static Negentropy.Tests.Monitoring.PredictionLogFiles;

namespace Negentropy.Tests.Monitoring;

public sealed class PredictionLogTests : IDisposable
{
    private static readonly TimeSpan PollTimeout = TimeSpan.FromSeconds(20);

    private readonly TemporaryFolder folder = new();
    private readonly FakeTimeProvider time = new(Start);
    private readonly ListLogger logger = new();

    public void Dispose() => folder.Dispose();

    private string DatabasePath => folder.Combine("logs", "predictions.db");

    private PredictionLog Open(PredictionLogOptions? options = null) => PredictionLog.Open(DatabasePath, options ?? new PredictionLogOptions(), time, logger);

    // Advances the fake clock in small steps until the condition holds, because the writer may start its timer after any one step.
    private async Task AdvanceUntilAsync(Func<bool> condition, TimeSpan step)
    {
        var stopwatch = Stopwatch.StartNew();
        while (!condition())
        {
            Assert.True(stopwatch.Elapsed < PollTimeout, "the condition did not hold in time");
            time.Advance(step);
            await Task.Delay(20);
        }
    }

    [Fact]
    public async Task Records_ReadBackExactly()
    {
        PredictionRecord[] records =
        {
            Record(Start.AddMilliseconds(1), 1, entropyBits: 1.2345678901234567, latencyMs: 3.25),
            Record(Start.AddMilliseconds(2), 2, label: "dog, \"big\" é", classIndex: 7, entropyBits: 0, abstain: true, latencyMs: 0.001),
            Record(Start.AddHours(5), 3, label: "", classIndex: 0, entropyBits: double.Epsilon, latencyMs: 1e6, modelVersion: "2.0.0-rc.1"),
        };
        Alert[] alerts = { Alert(Start, "psi", "cat"), Alert(Start.AddSeconds(1), "entropy-mean", null) };

        await using (PredictionLog log = Open())
        {
            foreach (PredictionRecord record in records)
            {
                Assert.True(log.TryEnqueue(record));
            }
            foreach (Alert alert in alerts)
            {
                log.RecordAlert(alert);
            }
            await log.FlushAsync();

            Assert.Equal(3, log.Written);
            Assert.Equal(2, log.AlertsWritten);
        }

        using PredictionLogReader reader = PredictionLogReader.Open(DatabasePath);
        Assert.Equal(records, reader.ReadPredictions().ToArray());
        Assert.Equal(alerts, reader.ReadAlerts().ToArray());
        Assert.Equal(3, reader.CountPredictions());
    }

    [Fact]
    public async Task Schema_IsVersionOneInWalMode()
    {
        await Open().DisposeAsync();

        using var connection = new Microsoft.Data.Sqlite.SqliteConnection($"Data Source={DatabasePath};Pooling=False");
        connection.Open();
        using var command = connection.CreateCommand();
        command.CommandText = "PRAGMA user_version;";
        Assert.Equal(1L, command.ExecuteScalar());
        command.CommandText = "PRAGMA journal_mode;";
        Assert.Equal("wal", command.ExecuteScalar());
        command.CommandText = "SELECT COUNT(*) FROM sqlite_master WHERE type = 'index' AND name = 'predictions_ts_ms';";
        Assert.Equal(1L, command.ExecuteScalar());
    }

    [Fact]
    public async Task Batches_FillToBatchSize()
    {
        // The fake clock does not advance, so no batch is cut short by the flush interval.
        await using PredictionLog log = Open(new PredictionLogOptions { BatchSize = 512 });
        for (int i = 0; i < 2000; i++)
        {
            Assert.True(log.TryEnqueue(Record(Start, i)));
        }
        await log.FlushAsync();

        Assert.Equal(2000, log.Written);
        Assert.Equal(4, log.Batches);
        Assert.Equal(2000, Count(DatabasePath, "predictions"));
    }

    [Fact]
    public async Task FlushInterval_WritesPartialBatch()
    {
        await using PredictionLog log = Open(new PredictionLogOptions { BatchSize = 512, FlushInterval = TimeSpan.FromMilliseconds(250) });
        for (int i = 0; i < 3; i++)
        {
            Assert.True(log.TryEnqueue(Record(Start, i)));
        }

        await AdvanceUntilAsync(() => log.Written == 3, TimeSpan.FromMilliseconds(250));

        Assert.Equal(1, log.Batches);
        Assert.Equal(3, Count(DatabasePath, "predictions"));
    }

    [Fact]
    public async Task FullQueue_DropsWithoutBlocking()
    {
        await using PredictionLog log = Open(new PredictionLogOptions { Capacity = 4, BatchSize = 512 });
        for (int i = 0; i < 4; i++)
        {
            Assert.True(log.TryEnqueue(Record(Start, i)));
        }

        var stopwatch = Stopwatch.StartNew();
        for (int i = 4; i < 10_004; i++)
        {
            Assert.False(log.TryEnqueue(Record(Start, i)));
        }
        stopwatch.Stop();

        Assert.Equal(10_000, log.Dropped);
        Assert.True(stopwatch.Elapsed < TimeSpan.FromSeconds(5), $"10,000 rejected calls took {stopwatch.Elapsed}");
        await log.FlushAsync();
        Assert.Equal(4, log.Written);
        Assert.True(log.TryEnqueue(Record(Start, 10_004)), "written records must free their queue slots");
        Assert.Contains(logger.Warnings, warning => warning.Contains("10000 predictions were dropped"));
    }

    [Fact]
    public async Task Alerts_AreNotLimitedByCapacity()
    {
        await using PredictionLog log = Open(new PredictionLogOptions { Capacity = 1 });
        Assert.True(log.TryEnqueue(Record(Start, 0)));
        Assert.False(log.TryEnqueue(Record(Start, 1)));
        for (int i = 0; i < 5; i++)
        {
            log.RecordAlert(Alert(Start.AddSeconds(i), "psi", "cat"));
        }
        await log.FlushAsync();

        Assert.Equal(5, log.AlertsWritten);
        Assert.Equal(5, Count(DatabasePath, "alerts"));
    }

    [Fact]
    public async Task ConcurrentEnqueue_LosesNothing()
    {
        const int Threads = 4;
        const int PerThread = 5000;
        await using PredictionLog log = Open();

        Task<int>[] producers = Enumerable.Range(0, Threads).Select(thread => Task.Run(() =>
        {
            int accepted = 0;
            for (int i = 0; i < PerThread; i++)
            {
                accepted += log.TryEnqueue(Record(Start.AddMilliseconds(i), (thread * PerThread) + i)) ? 1 : 0;
            }
            return accepted;
        })).ToArray();
        int[] accepted = await Task.WhenAll(producers);
        await log.FlushAsync();

        Assert.All(accepted, count => Assert.Equal(PerThread, count));
        Assert.Equal(0, log.Dropped);
        Assert.Equal(Threads * PerThread, log.Written);
        HashSet<string> hashes = ReadPredictions(DatabasePath).Select(r => r.InputHash).ToHashSet();
        Assert.Equal(Threads * PerThread, hashes.Count);
    }

    [Fact]
    public async Task Dispose_WritesQueuedRecords()
    {
        PredictionLog log = Open();
        for (int i = 0; i < 100; i++)
        {
            log.TryEnqueue(Record(Start, i));
        }
        log.RecordAlert(Alert(Start, "psi", null));

        await log.DisposeAsync();

        Assert.Equal(100, log.Written);
        Assert.Equal(100, Count(DatabasePath, "predictions"));
        Assert.Equal(1, Count(DatabasePath, "alerts"));
        Assert.False(log.TryEnqueue(Record(Start, 100)));
        Assert.Equal(1, log.Dropped);
    }

    [Fact]
    public async Task Reopen_AppendsToExistingLog()
    {
        await using (PredictionLog log = Open())
        {
            for (int i = 0; i < 3; i++)
            {
                log.TryEnqueue(Record(Start.AddSeconds(i), i));
            }
        }
        await using (PredictionLog log = Open())
        {
            for (int i = 3; i < 5; i++)
            {
                log.TryEnqueue(Record(Start.AddSeconds(i), i));
            }
        }

        List<PredictionRecord> read = ReadPredictions(DatabasePath);
        Assert.Equal(Enumerable.Range(0, 5).Select(i => Record(Start.AddSeconds(i), i)), read);
    }

    [Fact]
    public async Task Retention_DeletesOldRowsAtOpenAndHourly()
    {
        await using (PredictionLog log = Open(new PredictionLogOptions { RetentionDays = 0 }))
        {
            log.TryEnqueue(Record(Start.AddDays(-40), 1));
            log.TryEnqueue(Record(Start.AddDays(-10), 2));
            log.TryEnqueue(Record(Start, 3));
            log.RecordAlert(Alert(Start.AddDays(-31), "old", null));
            log.RecordAlert(Alert(Start.AddDays(-10), "recent", null));
        }
        Assert.Equal(3, Count(DatabasePath, "predictions"));

        await using PredictionLog retained = Open(new PredictionLogOptions { RetentionDays = 30 });
        Assert.Equal(new[] { Record(Start.AddDays(-10), 2), Record(Start, 3) }, ReadPredictions(DatabasePath));
        Assert.Equal(1, Count(DatabasePath, "alerts"));

        // 21 days on, the record from day -10 is 31 days old and goes at the next hourly pass.
        time.Advance(TimeSpan.FromDays(21));
        retained.TryEnqueue(Record(time.GetUtcNow(), 4));
        await retained.FlushAsync();

        Assert.Equal(new[] { Record(Start, 3), Record(Start.AddDays(21), 4) }, ReadPredictions(DatabasePath));
        Assert.Equal(0, Count(DatabasePath, "alerts"));
    }

    [Fact]
    public async Task Retention_RunsWithoutTraffic()
    {
        await using (PredictionLog log = Open(new PredictionLogOptions { RetentionDays = 0 }))
        {
            log.TryEnqueue(Record(Start.AddDays(-29), 1));
            log.TryEnqueue(Record(Start, 2));
        }
        await using PredictionLog retained = Open(new PredictionLogOptions { RetentionDays = 30 });
        Assert.Equal(2, Count(DatabasePath, "predictions"));

        await AdvanceUntilAsync(() => Count(DatabasePath, "predictions") == 1, PredictionLog.RetentionInterval);

        Assert.Equal(new[] { Record(Start, 2) }, ReadPredictions(DatabasePath));
    }

    [Fact]
    public async Task WriteFailure_CountedAndRateLimited()
    {
        await using PredictionLog log = Open();
        Execute(DatabasePath, "CREATE TRIGGER reject_inserts BEFORE INSERT ON predictions BEGIN SELECT RAISE(ABORT, 'simulated disk full'); END;");

        for (int i = 0; i < 3; i++)
        {
            Assert.True(log.TryEnqueue(Record(Start, i)));
        }
        await log.FlushAsync();
        log.TryEnqueue(Record(Start, 3));
        await log.FlushAsync();

        Assert.Equal(4, log.Failed);
        Assert.Equal(0, log.Written);
        string warning = Assert.Single(logger.Warnings);
        Assert.Contains("writing a batch of 3 predictions and 0 alerts failed", warning);
        Assert.Contains("simulated disk full", logger.Entries.Single(entry => entry.Message == warning).Exception?.Message);

        time.Advance(PredictionLog.WarningInterval);
        log.TryEnqueue(Record(Start, 4));
        await log.FlushAsync();
        Assert.Equal(2, logger.Warnings.Count);
        Assert.Contains("2 rows were lost since the last warning", logger.Warnings[1]);

        Execute(DatabasePath, "DROP TRIGGER reject_inserts;");
        Assert.True(log.TryEnqueue(Record(Start, 5)));
        await log.FlushAsync();
        Assert.Equal(1, log.Written);
        Assert.Equal(5, log.Failed);
    }

    [Fact]
    public void ForeignSqliteFile_IsRejected()
    {
        Directory.CreateDirectory(Path.GetDirectoryName(DatabasePath)!);
        Execute(DatabasePath, "CREATE TABLE users(id INTEGER PRIMARY KEY, name TEXT);");

        var exception = Assert.Throws<UserInputException>(() => Open());

        Assert.Contains(DatabasePath, exception.Message);
        Assert.Contains("not a Negentropy prediction log (user_version 0, tables users)", exception.Message);
        Assert.DoesNotContain("\n", exception.Message);
    }

    [Fact]
    public async Task OtherSchemaVersion_IsRejected()
    {
        await Open().DisposeAsync();
        Execute(DatabasePath, "PRAGMA user_version = 2;");

        var exception = Assert.Throws<UserInputException>(() => Open());

        Assert.Contains($"{DatabasePath}: prediction log schema version 2 is not supported: this build reads version 1", exception.Message);
    }

    [Fact]
    public void TextFile_IsRejected()
    {
        Directory.CreateDirectory(Path.GetDirectoryName(DatabasePath)!);
        File.WriteAllText(DatabasePath, "timestamp,label\n2025-03-01,cat\n" + new string('x', 4096));

        var exception = Assert.Throws<UserInputException>(() => Open());

        Assert.StartsWith($"{DatabasePath}: not an SQLite database", exception.Message);
    }

    [Fact]
    public void PathBelowFile_IsRejected()
    {
        string file = folder.Combine("a-file");
        File.WriteAllText(file, "x");
        string path = Path.Combine(file, "predictions.db");

        var exception = Assert.Throws<UserInputException>(() => PredictionLog.Open(path, new PredictionLogOptions(), time, logger));

        Assert.StartsWith($"{path}: cannot create the folder {file}", exception.Message);
    }

    [Fact]
    public void InvalidOptions_AreListedTogether()
    {
        var options = new PredictionLogOptions { RetentionDays = -1, BatchSize = 0, FlushInterval = TimeSpan.Zero, Capacity = 0 };

        var exception = Assert.Throws<UserInputException>(() => Open(options));

        Assert.Contains("RetentionDays -1 is out of range", exception.Message);
        Assert.Contains("BatchSize 0 is out of range", exception.Message);
        Assert.Contains("FlushInterval 0 ms is out of range", exception.Message);
        Assert.Contains("Capacity 0 is out of range", exception.Message);
        Assert.False(File.Exists(DatabasePath), "invalid options must not create the file");
    }

    [Fact]
    public void DefaultOptions_MatchConstants()
    {
        var options = new PredictionLogOptions();

        Assert.Equal(30, options.RetentionDays);
        Assert.Equal(512, options.BatchSize);
        Assert.Equal(TimeSpan.FromMilliseconds(250), options.FlushInterval);
        Assert.Equal(100_000, options.Capacity);
        Assert.Empty(options.ListProblems());
    }
}
