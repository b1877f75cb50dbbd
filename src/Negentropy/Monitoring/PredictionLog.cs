using System.Threading.Channels;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Logging;

namespace Negentropy.Monitoring;

/// <summary>
/// Stores served predictions and fired alerts in an SQLite file, laid out as <see cref="PredictionLogSchema"/> describes.
/// Callers never wait for the disk: <see cref="TryEnqueue"/> and <see cref="RecordAlert"/> put the item in a queue, and a
/// background writer stores the queue in batches, one transaction each.
/// </summary>
/// <remarks>
/// <para>The queue holds at most <see cref="PredictionLogOptions.Capacity"/> predictions that are not yet written. When it is
/// full, <see cref="TryEnqueue"/> drops the record and counts it in <see cref="Dropped"/>. Alerts share the queue, keeping their
/// order with the predictions, but do not count against the capacity, so they are never dropped while the log is open.</para>
/// <para>A batch that fails to be written (disk full, file locked for longer than the busy timeout) is lost and counted in
/// <see cref="Failed"/>. The failure is logged as a warning at most once a minute, and the writer goes on with the next batch.</para>
/// <para>Rows older than <see cref="PredictionLogOptions.RetentionDays"/> are deleted at open and then about once an hour,
/// by the clock of the injected <see cref="TimeProvider"/>.</para>
/// </remarks>
public sealed class PredictionLog : IAsyncDisposable
{
    /// <summary>Time between two deletions of expired rows.</summary>
    public static readonly TimeSpan RetentionInterval = TimeSpan.FromHours(1);

    /// <summary>Shortest time between two warnings about failed writes, and between two about dropped predictions.</summary>
    public static readonly TimeSpan WarningInterval = TimeSpan.FromMinutes(1);

    // How long SQLite retries a write while another connection holds the lock, before the batch fails.
    private const int BusyTimeoutSeconds = 5;

    private readonly Channel<Entry> queue = Channel.CreateUnbounded<Entry>(new UnboundedChannelOptions { SingleReader = true });
    private readonly SqliteConnection connection;
    private readonly SqliteCommand insertPrediction;
    private readonly SqliteCommand insertAlert;
    private readonly PredictionLogOptions options;
    private readonly TimeProvider time;
    private readonly ILogger logger;
    private readonly Task writer;

    private long pending;
    private long written;
    private long alertsWritten;
    private long dropped;
    private long failed;
    private long batches;
    private int disposed;

    // Used by the writer task only, and by the constructor before the task starts.
    private DateTimeOffset nextRetention;
    private DateTimeOffset? lastFailureWarning;
    private long failedSinceWarning;
    private DateTimeOffset? lastDropWarning;
    private long droppedAtWarning;

    private PredictionLog(string path, SqliteConnection connection, PredictionLogOptions options, TimeProvider time, ILogger logger)
    {
        Path = path;
        this.connection = connection;
        this.options = options;
        this.time = time;
        this.logger = logger;
        insertPrediction = PredictionLogRows.PrepareInsertPrediction(connection);
        insertAlert = PredictionLogRows.PrepareInsertAlert(connection);
        DeleteExpired();
        writer = Task.Run(RunWriterAsync);
    }

    /// <summary>The full path of the SQLite file.</summary>
    public string Path { get; }

    /// <summary>Predictions stored so far.</summary>
    public long Written => Interlocked.Read(ref written);

    /// <summary>Alerts stored so far.</summary>
    public long AlertsWritten => Interlocked.Read(ref alertsWritten);

    /// <summary>Predictions that <see cref="TryEnqueue"/> rejected because the queue was full or the log was closed.</summary>
    public long Dropped => Interlocked.Read(ref dropped);

    /// <summary>Predictions and alerts lost because writing their batch failed.</summary>
    public long Failed => Interlocked.Read(ref failed);

    /// <summary>Transactions committed, one per batch.</summary>
    public long Batches => Interlocked.Read(ref batches);

    /// <summary>
    /// Opens the log at <paramref name="path"/>, creating the file and its folder when they do not exist,
    /// deletes expired rows and starts the background writer.
    /// </summary>
    /// <exception cref="UserInputException">
    /// The options are invalid, the path is a folder, or the file is not SQLite, has another schema version or other tables.
    /// </exception>
    public static PredictionLog Open(string path, PredictionLogOptions options, TimeProvider time, ILogger logger)
    {
        ArgumentNullException.ThrowIfNull(path);
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(time);
        ArgumentNullException.ThrowIfNull(logger);
        options.Validate();
        string fullPath = System.IO.Path.GetFullPath(path);
        if (Directory.Exists(fullPath))
        {
            throw new UserInputException($"{path} is a folder; pass a file path for the prediction log");
        }
        string folder = System.IO.Path.GetDirectoryName(fullPath)!;
        try
        {
            Directory.CreateDirectory(folder);
        }
        catch (IOException exception)
        {
            throw new UserInputException($"{path}: cannot create the folder {folder} ({exception.Message}); pass a path in a writable folder", exception);
        }

        var builder = new SqliteConnectionStringBuilder
        {
            DataSource = fullPath,
            Mode = SqliteOpenMode.ReadWriteCreate,
            // Without pooling, disposing the log closes the file, so another process can move or delete it.
            Pooling = false,
            DefaultTimeout = BusyTimeoutSeconds,
        };
        var connection = new SqliteConnection(builder.ToString());
        try
        {
            connection.Open();
            PredictionLogSchema.EnsureValid(connection, fullPath, createIfEmpty: true);
            // In WAL mode, synchronous=NORMAL keeps the file consistent after a power loss, which may lose the last batches.
            PredictionLogSchema.Execute(connection, "PRAGMA journal_mode = WAL; PRAGMA synchronous = NORMAL;");
            var log = new PredictionLog(fullPath, connection, options, time, logger);
            logger.LogInformation("Prediction log {Path} opened: retention {RetentionDays} days (0 keeps every row), batch size {BatchSize}, capacity {Capacity}",
                fullPath, options.RetentionDays, options.BatchSize, options.Capacity);
            return log;
        }
        catch
        {
            connection.Dispose();
            throw;
        }
    }

    /// <summary>
    /// Queues <paramref name="record"/> for writing without blocking. Returns false, and counts the record in
    /// <see cref="Dropped"/>, when <see cref="PredictionLogOptions.Capacity"/> records are waiting or the log is closed.
    /// </summary>
    public bool TryEnqueue(PredictionRecord record)
    {
        ArgumentNullException.ThrowIfNull(record);
        if (Interlocked.Increment(ref pending) > options.Capacity || !queue.Writer.TryWrite(new Entry(record, null, null)))
        {
            Interlocked.Decrement(ref pending);
            Interlocked.Increment(ref dropped);
            return false;
        }
        return true;
    }

    /// <summary>
    /// Queues <paramref name="alert"/> for writing without blocking. Alerts are not limited by the capacity.
    /// After the log is closed, the alert is logged as a warning instead.
    /// </summary>
    public void RecordAlert(Alert alert)
    {
        ArgumentNullException.ThrowIfNull(alert);
        if (!queue.Writer.TryWrite(new Entry(null, alert, null)))
        {
            logger.LogWarning("Prediction log {Path} is closed, so alert {Rule} fired at {Timestamp:O} was not stored: {Message}",
                Path, alert.Rule, alert.TimestampUtc, alert.Message);
        }
    }

    /// <summary>
    /// Waits until every prediction and alert queued before the call is written, or lost to a failed write and counted in <see cref="Failed"/>.
    /// </summary>
    public Task FlushAsync(CancellationToken cancellationToken = default)
    {
        var done = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        if (!queue.Writer.TryWrite(new Entry(null, null, done)))
        {
            // Closed: the writer is draining the queue and stops when it is empty.
            return writer.WaitAsync(cancellationToken);
        }
        return done.Task.WaitAsync(cancellationToken);
    }

    /// <summary>Writes everything queued, stops the writer and closes the file.</summary>
    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref disposed, 1) == 1)
        {
            return;
        }
        queue.Writer.TryComplete();
        await writer.ConfigureAwait(false);
        insertPrediction.Dispose();
        insertAlert.Dispose();
        connection.Dispose();
        logger.LogInformation("Prediction log {Path} closed: {Written} predictions and {AlertsWritten} alerts written, {Dropped} predictions dropped, {Failed} rows lost to failed writes",
            Path, Written, AlertsWritten, Dropped, Failed);
    }

    private async Task RunWriterAsync()
    {
        var batch = new Batch();
        while (await WaitForEntryAsync().ConfigureAwait(false))
        {
            if (!queue.Reader.TryRead(out Entry first))
            {
                continue;
            }
            batch.Add(first);
            await FillAsync(batch).ConfigureAwait(false);

            Write(batch);
            if (time.GetUtcNow() >= nextRetention)
            {
                DeleteExpired();
            }
            WarnAboutDrops();

            // Flush waiters are released last, so a flush also waits for a retention that was due.
            foreach (TaskCompletionSource flush in batch.Flushes)
            {
                flush.TrySetResult();
            }
            batch.Clear();
        }
    }

    // Waits for the next entry, deleting expired rows whenever they are due, and returns false once the queue is closed and empty.
    private async Task<bool> WaitForEntryAsync()
    {
        while (true)
        {
            if (options.RetentionDays == 0)
            {
                return await queue.Reader.WaitToReadAsync().ConfigureAwait(false);
            }
            TimeSpan untilRetention = nextRetention - time.GetUtcNow();
            if (untilRetention <= TimeSpan.Zero)
            {
                DeleteExpired();
                continue;
            }
            using var retentionDue = new CancellationTokenSource(untilRetention, time);
            try
            {
                return await queue.Reader.WaitToReadAsync(retentionDue.Token).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                // The retention is due: the next pass deletes the expired rows.
            }
        }
    }

    // Adds entries until the batch contains BatchSize predictions, a flush is requested, FlushInterval has passed or the queue is closed.
    private async Task FillAsync(Batch batch)
    {
        using var deadline = new CancellationTokenSource(options.FlushInterval, time);
        while (batch.Predictions.Count < options.BatchSize && batch.Flushes.Count == 0)
        {
            if (queue.Reader.TryRead(out Entry entry))
            {
                batch.Add(entry);
                continue;
            }
            try
            {
                if (!await queue.Reader.WaitToReadAsync(deadline.Token).ConfigureAwait(false))
                {
                    return;
                }
            }
            catch (OperationCanceledException)
            {
                return;
            }
        }
    }

    private void Write(Batch batch)
    {
        int rows = batch.Predictions.Count + batch.Alerts.Count;
        if (rows == 0)
        {
            return;
        }
        try
        {
            using SqliteTransaction transaction = connection.BeginTransaction();
            insertAlert.Transaction = transaction;
            foreach (Alert alert in batch.Alerts)
            {
                PredictionLogRows.Bind(insertAlert, alert);
                insertAlert.ExecuteNonQuery();
            }
            insertPrediction.Transaction = transaction;
            foreach (PredictionRecord record in batch.Predictions)
            {
                PredictionLogRows.Bind(insertPrediction, record);
                insertPrediction.ExecuteNonQuery();
            }
            transaction.Commit();
            Interlocked.Add(ref written, batch.Predictions.Count);
            Interlocked.Add(ref alertsWritten, batch.Alerts.Count);
            Interlocked.Increment(ref batches);
        }
        catch (Exception exception)
        {
            // Any failure loses this batch only: the writer must keep serving the queue.
            ReportFailure(exception, $"writing a batch of {batch.Predictions.Count} predictions and {batch.Alerts.Count} alerts", rows);
        }
        finally
        {
            Interlocked.Add(ref pending, -batch.Predictions.Count);
        }
    }

    private void DeleteExpired()
    {
        DateTimeOffset now = time.GetUtcNow();
        nextRetention = now + RetentionInterval;
        if (options.RetentionDays == 0)
        {
            return;
        }
        long cutoffMs = (now - TimeSpan.FromDays(options.RetentionDays)).ToUnixTimeMilliseconds();
        try
        {
            using SqliteTransaction transaction = connection.BeginTransaction();
            int predictions = PredictionLogRows.DeleteBefore(connection, transaction, "predictions", cutoffMs);
            int alerts = PredictionLogRows.DeleteBefore(connection, transaction, "alerts", cutoffMs);
            transaction.Commit();
            if (predictions + alerts > 0)
            {
                logger.LogInformation("Prediction log {Path}: deleted {Predictions} predictions and {Alerts} alerts older than {RetentionDays} days",
                    Path, predictions, alerts, options.RetentionDays);
            }
        }
        catch (Exception exception)
        {
            // As in Write: a failed deletion is retried at the next interval and must not stop the writer.
            ReportFailure(exception, $"deleting rows older than {options.RetentionDays} days", 0);
        }
    }

    private void ReportFailure(Exception exception, string operation, int rows)
    {
        Interlocked.Add(ref failed, rows);
        failedSinceWarning += rows;
        DateTimeOffset now = time.GetUtcNow();
        if (lastFailureWarning is DateTimeOffset last && now - last < WarningInterval)
        {
            return;
        }
        logger.LogWarning(exception, "Prediction log {Path}: {Operation} failed. {FailedSinceWarning} rows were lost since the last warning, {Failed} in total. The writer continues and warns at most once a minute",
            Path, operation, failedSinceWarning, Failed);
        lastFailureWarning = now;
        failedSinceWarning = 0;
    }

    private void WarnAboutDrops()
    {
        long total = Dropped;
        DateTimeOffset now = time.GetUtcNow();
        if (total == droppedAtWarning || (lastDropWarning is DateTimeOffset last && now - last < WarningInterval))
        {
            return;
        }
        logger.LogWarning("Prediction log {Path}: the queue is full, so {DroppedSinceWarning} predictions were dropped since the last warning, {Dropped} in total. The disk is slower than the request rate, or Capacity {Capacity} is too small",
            Path, total - droppedAtWarning, total, options.Capacity);
        lastDropWarning = now;
        droppedAtWarning = total;
    }

    /// <summary>A queued item: exactly one of the three is set.</summary>
    private readonly record struct Entry(PredictionRecord? Prediction, Alert? Alert, TaskCompletionSource? Flush);

    private sealed class Batch
    {
        public List<PredictionRecord> Predictions { get; } = new();

        public List<Alert> Alerts { get; } = new();

        public List<TaskCompletionSource> Flushes { get; } = new();

        public void Add(Entry entry)
        {
            if (entry.Prediction is not null)
            {
                Predictions.Add(entry.Prediction);
            }
            else if (entry.Alert is not null)
            {
                Alerts.Add(entry.Alert);
            }
            else if (entry.Flush is not null)
            {
                Flushes.Add(entry.Flush);
            }
        }

        public void Clear()
        {
            Predictions.Clear();
            Alerts.Clear();
            Flushes.Clear();
        }
    }
}
