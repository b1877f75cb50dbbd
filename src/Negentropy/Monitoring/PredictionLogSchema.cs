using Microsoft.Data.Sqlite;

namespace Negentropy.Monitoring;

/// <summary>
/// The prediction log's SQLite schema, version 1 (stored as <c>PRAGMA user_version</c>).
/// </summary>
/// <remarks>
/// <code>
/// predictions(id INTEGER PRIMARY KEY,
///             ts_ms INTEGER NOT NULL,  -- when the prediction was computed, Unix time in milliseconds, UTC
///             input_hash TEXT,         -- lower-case hex SHA-256 of the input
///             class_index INTEGER,     -- predicted class index
///             label TEXT,              -- predicted class name
///             entropy_bits REAL,       -- predictive entropy in bits
///             abstain INTEGER,         -- 1 when the entropy was above the abstention threshold, else 0
///             latency_ms REAL,         -- request handling start to prediction, milliseconds
///             model_name TEXT, model_version TEXT)
/// index predictions_ts_ms on predictions(ts_ms)
///
/// alerts(id INTEGER PRIMARY KEY,
///        ts_ms INTEGER NOT NULL,       -- when the rule fired, Unix time in milliseconds, UTC
///        rule TEXT, metric TEXT,
///        class_name TEXT,              -- NULL for whole-distribution metrics
///        value REAL, threshold REAL,
///        comparison TEXT,              -- "above" or "below"
///        window TEXT,                  -- "count" or "time"
///        window_count INTEGER, model_version TEXT, message TEXT)
/// index alerts_ts_ms on alerts(ts_ms)
/// </code>
/// The journal mode is WAL, so a report can read the file while the server writes it.
/// Timestamps keep millisecond precision: finer parts of <see cref="PredictionRecord.TimestampUtc"/> are truncated.
/// </remarks>
public static class PredictionLogSchema
{
    public const int Version = 1;

    private static readonly string[] PredictionColumns =
        { "id", "ts_ms", "input_hash", "class_index", "label", "entropy_bits", "abstain", "latency_ms", "model_name", "model_version" };

    private static readonly string[] AlertColumns =
        { "id", "ts_ms", "rule", "metric", "class_name", "value", "threshold", "comparison", "window", "window_count", "model_version", "message" };

    private const string CreateStatements = """
        CREATE TABLE predictions(
            id INTEGER PRIMARY KEY,
            ts_ms INTEGER NOT NULL,
            input_hash TEXT,
            class_index INTEGER,
            label TEXT,
            entropy_bits REAL,
            abstain INTEGER,
            latency_ms REAL,
            model_name TEXT,
            model_version TEXT);
        CREATE INDEX predictions_ts_ms ON predictions(ts_ms);
        CREATE TABLE alerts(
            id INTEGER PRIMARY KEY,
            ts_ms INTEGER NOT NULL,
            rule TEXT,
            metric TEXT,
            class_name TEXT,
            value REAL,
            threshold REAL,
            comparison TEXT,
            "window" TEXT,
            window_count INTEGER,
            model_version TEXT,
            message TEXT);
        CREATE INDEX alerts_ts_ms ON alerts(ts_ms);
        PRAGMA user_version = 1;
        """;

    /// <summary>
    /// Checks that <paramref name="connection"/> is a prediction log of this version, or creates the schema in an empty
    /// database when <paramref name="createIfEmpty"/> is set.
    /// </summary>
    /// <exception cref="UserInputException">The file is not SQLite, has another schema version or other tables.</exception>
    internal static void EnsureValid(SqliteConnection connection, string path, bool createIfEmpty)
    {
        long userVersion;
        List<string> tables;
        try
        {
            userVersion = (long)Scalar(connection, "PRAGMA user_version;")!;
            tables = Strings(connection, "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name;");
        }
        catch (SqliteException exception) when (exception.SqliteErrorCode is 26 or 11)
        {
            // 26 is SQLITE_NOTADB and 11 is SQLITE_CORRUPT.
            throw new UserInputException($"{path}: not an SQLite database, or a corrupt one; pass the prediction log that 'negentropy serve' writes", exception);
        }

        if (userVersion == 0 && tables.Count == 0 && createIfEmpty)
        {
            Execute(connection, CreateStatements);
            return;
        }
        if (userVersion != Version && tables.SequenceEqual(new[] { "alerts", "predictions" }))
        {
            throw new UserInputException($"{path}: prediction log schema version {userVersion} is not supported: this build reads version {Version}; pass a log written by this version of 'negentropy serve'");
        }
        string found = tables.Count == 0 ? "no tables" : "tables " + string.Join(", ", tables);
        if (userVersion != Version
            || !tables.SequenceEqual(new[] { "alerts", "predictions" })
            || !Strings(connection, "SELECT name FROM pragma_table_info('predictions') ORDER BY cid;").SequenceEqual(PredictionColumns)
            || !Strings(connection, "SELECT name FROM pragma_table_info('alerts') ORDER BY cid;").SequenceEqual(AlertColumns))
        {
            throw new UserInputException($"{path}: not a Negentropy prediction log (user_version {userVersion}, {found}); pass the prediction log that 'negentropy serve' writes{(createIfEmpty ? ", or a path for a new one" : "")}");
        }
    }

    internal static void Execute(SqliteConnection connection, string sql)
    {
        using SqliteCommand command = connection.CreateCommand();
        command.CommandText = sql;
        command.ExecuteNonQuery();
    }

    internal static object? Scalar(SqliteConnection connection, string sql)
    {
        using SqliteCommand command = connection.CreateCommand();
        command.CommandText = sql;
        return command.ExecuteScalar();
    }

    private static List<string> Strings(SqliteConnection connection, string sql)
    {
        using SqliteCommand command = connection.CreateCommand();
        command.CommandText = sql;
        using SqliteDataReader reader = command.ExecuteReader();
        var values = new List<string>();
        while (reader.Read())
        {
            values.Add(reader.GetString(0));
        }
        return values;
    }
}
