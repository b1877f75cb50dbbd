using Microsoft.Data.Sqlite;

namespace Negentropy.Monitoring;

/// <summary>Converts <see cref="PredictionRecord"/> and <see cref="Alert"/> to and from rows of the prediction log.</summary>
internal static class PredictionLogRows
{
    public const string SelectPredictions =
        "SELECT ts_ms, input_hash, class_index, label, entropy_bits, abstain, latency_ms, model_name, model_version FROM predictions ORDER BY ts_ms, id;";

    public const string SelectAlerts =
        "SELECT ts_ms, rule, metric, class_name, value, threshold, comparison, \"window\", window_count, model_version, message FROM alerts ORDER BY ts_ms, id;";

    public static SqliteCommand PrepareInsertPrediction(SqliteConnection connection) => Prepare(connection,
        "INSERT INTO predictions(ts_ms, input_hash, class_index, label, entropy_bits, abstain, latency_ms, model_name, model_version) VALUES ($p0, $p1, $p2, $p3, $p4, $p5, $p6, $p7, $p8);",
        SqliteType.Integer, SqliteType.Text, SqliteType.Integer, SqliteType.Text, SqliteType.Real, SqliteType.Integer, SqliteType.Real, SqliteType.Text, SqliteType.Text);

    public static SqliteCommand PrepareInsertAlert(SqliteConnection connection) => Prepare(connection,
        "INSERT INTO alerts(ts_ms, rule, metric, class_name, value, threshold, comparison, \"window\", window_count, model_version, message) VALUES ($p0, $p1, $p2, $p3, $p4, $p5, $p6, $p7, $p8, $p9, $p10);",
        SqliteType.Integer, SqliteType.Text, SqliteType.Text, SqliteType.Text, SqliteType.Real, SqliteType.Real, SqliteType.Text, SqliteType.Text, SqliteType.Integer, SqliteType.Text, SqliteType.Text);

    public static void Bind(SqliteCommand insert, PredictionRecord record)
    {
        SqliteParameterCollection values = insert.Parameters;
        values[0].Value = record.TimestampUtc.ToUnixTimeMilliseconds();
        values[1].Value = Nullable(record.InputHash);
        values[2].Value = record.ClassIndex;
        values[3].Value = Nullable(record.Label);
        values[4].Value = record.EntropyBits;
        values[5].Value = record.Abstain ? 1 : 0;
        values[6].Value = record.LatencyMs;
        values[7].Value = Nullable(record.ModelName);
        values[8].Value = Nullable(record.ModelVersion);
    }

    public static void Bind(SqliteCommand insert, Alert alert)
    {
        SqliteParameterCollection values = insert.Parameters;
        values[0].Value = alert.TimestampUtc.ToUnixTimeMilliseconds();
        values[1].Value = Nullable(alert.Rule);
        values[2].Value = Nullable(alert.Metric);
        values[3].Value = Nullable(alert.ClassName);
        values[4].Value = alert.Value;
        values[5].Value = alert.Threshold;
        values[6].Value = Nullable(alert.Comparison);
        values[7].Value = Nullable(alert.Window);
        values[8].Value = alert.WindowCount;
        values[9].Value = Nullable(alert.ModelVersion);
        values[10].Value = Nullable(alert.Message);
    }

    /// <summary>Reads a row of <see cref="SelectPredictions"/>. NULL reads as "" for text, -1 for the class index and NaN for numbers.</summary>
    public static PredictionRecord ReadPrediction(SqliteDataReader row) => new(
        DateTimeOffset.FromUnixTimeMilliseconds(row.GetInt64(0)),
        Text(row, 1),
        row.IsDBNull(2) ? -1 : row.GetInt32(2),
        Text(row, 3),
        row.IsDBNull(4) ? double.NaN : row.GetDouble(4),
        !row.IsDBNull(5) && row.GetInt64(5) != 0,
        row.IsDBNull(6) ? double.NaN : row.GetDouble(6),
        Text(row, 7),
        Text(row, 8));

    /// <summary>Reads a row of <see cref="SelectAlerts"/>. A NULL text column reads as "", except the class name, which stays null.</summary>
    public static Alert ReadAlert(SqliteDataReader row) => new(
        DateTimeOffset.FromUnixTimeMilliseconds(row.GetInt64(0)),
        Text(row, 1),
        Text(row, 2),
        row.IsDBNull(3) ? null : row.GetString(3),
        row.IsDBNull(4) ? double.NaN : row.GetDouble(4),
        row.IsDBNull(5) ? double.NaN : row.GetDouble(5),
        Text(row, 6),
        Text(row, 7),
        row.IsDBNull(8) ? 0 : row.GetInt32(8),
        Text(row, 9),
        Text(row, 10));

    /// <summary>Deletes the rows of <paramref name="table"/> older than <paramref name="cutoffMs"/> and returns how many were deleted.</summary>
    public static int DeleteBefore(SqliteConnection connection, SqliteTransaction transaction, string table, long cutoffMs)
    {
        using SqliteCommand delete = connection.CreateCommand();
        delete.Transaction = transaction;
        delete.CommandText = $"DELETE FROM {table} WHERE ts_ms < $cutoff;";
        delete.Parameters.AddWithValue("$cutoff", cutoffMs);
        return delete.ExecuteNonQuery();
    }

    private static SqliteCommand Prepare(SqliteConnection connection, string sql, params SqliteType[] types)
    {
        SqliteCommand command = connection.CreateCommand();
        command.CommandText = sql;
        for (int i = 0; i < types.Length; i++)
        {
            command.Parameters.Add("$p" + i, types[i]);
        }
        command.Prepare();
        return command;
    }

    private static object Nullable(string? text) => (object?)text ?? DBNull.Value;

    private static string Text(SqliteDataReader row, int ordinal) => row.IsDBNull(ordinal) ? "" : row.GetString(ordinal);
}
