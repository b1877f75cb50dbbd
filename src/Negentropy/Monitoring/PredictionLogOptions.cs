using System.Globalization;

namespace Negentropy.Monitoring;

/// <summary>Settings of a <see cref="PredictionLog"/>. Each default is a named constant.</summary>
public sealed record PredictionLogOptions
{
    public const int DefaultRetentionDays = 30;
    public const int DefaultBatchSize = 512;
    public const int DefaultFlushIntervalMs = 250;
    public const int DefaultCapacity = 100_000;

    /// <summary>The largest retention, 100 years. Pass 0 to keep every row instead of a longer span.</summary>
    public const int MaxRetentionDays = 36_500;

    /// <summary>Rows older than this many days are deleted at open and about hourly after; 0 keeps every row (default 30).</summary>
    public int RetentionDays { get; init; } = DefaultRetentionDays;

    /// <summary>Maximum number of records written in one transaction (default 512).</summary>
    public int BatchSize { get; init; } = DefaultBatchSize;

    /// <summary>
    /// How long the writer waits for a batch to fill after its first record before it writes the batch anyway (default 250 ms).
    /// </summary>
    public TimeSpan FlushInterval { get; init; } = TimeSpan.FromMilliseconds(DefaultFlushIntervalMs);

    /// <summary>
    /// Maximum number of predictions accepted but not yet written (default 100,000). Further records are dropped and counted.
    /// A batch cannot grow past it, so a capacity below <see cref="BatchSize"/> makes each batch wait the full <see cref="FlushInterval"/>.
    /// </summary>
    public int Capacity { get; init; } = DefaultCapacity;

    /// <summary>Returns one message per invalid setting, naming the setting, its value and the accepted range; empty when all are valid.</summary>
    public IReadOnlyList<string> ListProblems()
    {
        var problems = new List<string>();
        if (RetentionDays is < 0 or > MaxRetentionDays)
        {
            problems.Add(Invariant($"RetentionDays {RetentionDays} is out of range: expected 0 (keep every row) to {MaxRetentionDays}"));
        }
        if (BatchSize < 1)
        {
            problems.Add(Invariant($"BatchSize {BatchSize} is out of range: expected 1 or more"));
        }
        if (FlushInterval <= TimeSpan.Zero || FlushInterval > TimeSpan.FromMinutes(1))
        {
            problems.Add(Invariant($"FlushInterval {FlushInterval.TotalMilliseconds} ms is out of range: expected more than 0 ms and at most 60000 ms"));
        }
        if (Capacity < 1)
        {
            problems.Add(Invariant($"Capacity {Capacity} is out of range: expected 1 or more"));
        }
        return problems;
    }

    /// <summary>Throws a <see cref="UserInputException"/> that lists every invalid setting.</summary>
    public void Validate()
    {
        IReadOnlyList<string> problems = ListProblems();
        if (problems.Count > 0)
        {
            throw new UserInputException("invalid prediction log options: " + string.Join("; ", problems));
        }
    }

    private static string Invariant(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);
}
