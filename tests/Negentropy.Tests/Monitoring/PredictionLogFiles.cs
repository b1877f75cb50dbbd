using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Time.Testing;
using Negentropy.Monitoring;
using Xunit;

namespace Negentropy.Tests.Monitoring;

/// <summary>Records and SQLite files for the prediction log tests.</summary>
public static class PredictionLogFiles
{
    public static readonly DateTimeOffset Start = new(2025, 3, 1, 12, 0, 0, TimeSpan.Zero);

    public static PredictionRecord Record(DateTimeOffset timestamp, int index, string label = "cat", int classIndex = 0, double entropyBits = 0.5,
        bool abstain = false, double latencyMs = 2.5, string modelVersion = "1.0.0") =>
        new(timestamp, $"{index:x64}", classIndex, label, entropyBits, abstain, latencyMs, "mnist-cnn", modelVersion);

    public static Alert Alert(DateTimeOffset timestamp, string rule, string? className) =>
        new(timestamp, rule, "class_psi", className, 0.31, 0.2, "above", "count", 500, "1.0.0", $"{rule}: class_psi 0.31 above 0.2 over 500 predictions");

    /// <summary>Runs <paramref name="sql"/> on <paramref name="path"/> through a separate connection, creating the file if needed.</summary>
    public static void Execute(string path, string sql)
    {
        using var connection = new SqliteConnection($"Data Source={path};Pooling=False");
        connection.Open();
        using SqliteCommand command = connection.CreateCommand();
        command.CommandText = sql;
        command.ExecuteNonQuery();
    }

    public static long Count(string path, string table)
    {
        using var connection = new SqliteConnection($"Data Source={path};Mode=ReadOnly;Pooling=False");
        connection.Open();
        using SqliteCommand command = connection.CreateCommand();
        command.CommandText = $"SELECT COUNT(*) FROM {table};";
        return (long)command.ExecuteScalar()!;
    }

    public static List<PredictionRecord> ReadPredictions(string path)
    {
        using PredictionLogReader reader = PredictionLogReader.Open(path);
        return reader.ReadPredictions().ToList();
    }

    /// <summary>
    /// Writes seven predictions over three UTC hours with entropies and latencies that are exact in binary,
    /// so every mean, rate and share in trends.csv has one exact expected value.
    /// </summary>
    public static async Task WriteThreeHourLogAsync(string path)
    {
        DateTimeOffset ten = new(2025, 3, 1, 10, 0, 0, TimeSpan.Zero);
        PredictionRecord[] records =
        {
            Record(ten.AddMinutes(5), 1, "cat", 0, entropyBits: 0.5, latencyMs: 10),
            Record(ten.AddMinutes(10), 2, "cat", 0, entropyBits: 1.0, latencyMs: 20),
            Record(ten.AddMinutes(20), 3, "dog", 1, entropyBits: 1.5, abstain: true, latencyMs: 30),
            Record(ten.AddMinutes(59).AddSeconds(59), 4, "dog", 1, entropyBits: 1.0, latencyMs: 40),
            Record(ten.AddHours(1), 5, "bird", 2, entropyBits: 2.0, abstain: true, latencyMs: 5),
            Record(ten.AddHours(1).AddMinutes(30), 6, "cat", 0, entropyBits: 0.25, latencyMs: 7, modelVersion: "2.0.0"),
            Record(ten.AddHours(2).AddMilliseconds(123), 7, "dog", 1, entropyBits: 0.75, latencyMs: 12.5, modelVersion: "2.0.0"),
        };
        await using PredictionLog log = PredictionLog.Open(path, new PredictionLogOptions { RetentionDays = 0 }, new FakeTimeProvider(ten), new ListLogger());
        foreach (PredictionRecord record in records)
        {
            Assert.True(log.TryEnqueue(record));
        }
        log.RecordAlert(Alert(ten.AddMinutes(30), "dog-share", "dog"));
        log.RecordAlert(Alert(ten.AddHours(1).AddMinutes(45), "mean-entropy", null) with { Message = "mean entropy, \"high\"" });
    }
}
