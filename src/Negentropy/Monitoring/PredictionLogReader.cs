using Microsoft.Data.Sqlite;

namespace Negentropy.Monitoring;

/// <summary>
/// Reads a prediction log read-only, while a server may still be writing it. WAL mode lets each query see the
/// rows committed when it starts.
/// </summary>
public sealed class PredictionLogReader : IDisposable
{
    private readonly SqliteConnection connection;

    private PredictionLogReader(string path, SqliteConnection connection)
    {
        Path = path;
        this.connection = connection;
    }

    /// <summary>The full path of the SQLite file.</summary>
    public string Path { get; }

    /// <summary>Opens the prediction log at <paramref name="path"/> read-only and checks its schema.</summary>
    /// <exception cref="UserInputException">The file is missing, is not SQLite, or is not a prediction log of schema version 1.</exception>
    public static PredictionLogReader Open(string path)
    {
        ArgumentNullException.ThrowIfNull(path);
        string fullPath = System.IO.Path.GetFullPath(path);
        if (Directory.Exists(fullPath))
        {
            throw new UserInputException($"{path} is a folder; pass the prediction log file that 'negentropy serve' writes");
        }
        if (!File.Exists(fullPath))
        {
            throw new UserInputException($"{path}: prediction log not found; pass the SQLite file that 'negentropy serve' writes its predictions to");
        }
        var builder = new SqliteConnectionStringBuilder { DataSource = fullPath, Mode = SqliteOpenMode.ReadOnly, Pooling = false };
        var connection = new SqliteConnection(builder.ToString());
        try
        {
            connection.Open();
            PredictionLogSchema.EnsureValid(connection, fullPath, createIfEmpty: false);
            return new PredictionLogReader(fullPath, connection);
        }
        catch
        {
            connection.Dispose();
            throw;
        }
    }

    /// <summary>Returns how many predictions the log stores.</summary>
    public long CountPredictions() => (long)PredictionLogSchema.Scalar(connection, "SELECT COUNT(*) FROM predictions;")!;

    /// <summary>Streams every prediction, oldest first; rows with the same millisecond keep their insertion order.</summary>
    public IEnumerable<PredictionRecord> ReadPredictions() => Read(PredictionLogRows.SelectPredictions, PredictionLogRows.ReadPrediction);

    /// <summary>Streams every alert, oldest first.</summary>
    public IEnumerable<Alert> ReadAlerts() => Read(PredictionLogRows.SelectAlerts, PredictionLogRows.ReadAlert);

    public void Dispose() => connection.Dispose();

    private IEnumerable<T> Read<T>(string sql, Func<SqliteDataReader, T> readRow)
    {
        using SqliteCommand command = connection.CreateCommand();
        command.CommandText = sql;
        using SqliteDataReader reader = command.ExecuteReader();
        while (reader.Read())
        {
            yield return readRow(reader);
        }
    }
}
