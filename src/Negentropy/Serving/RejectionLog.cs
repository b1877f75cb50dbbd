using Microsoft.Extensions.Logging;

namespace Negentropy.Serving;

/// <summary>
/// Counts rejected requests and logs at most one warning per interval, so that a client sending bad input
/// in a loop cannot flood the log. The warning carries the count since the last one and the latest reason.
/// </summary>
public sealed class RejectionLog
{
    /// <summary>The shortest time between two warnings (10 s).</summary>
    public static readonly TimeSpan DefaultInterval = TimeSpan.FromSeconds(10);

    private readonly ILogger<RejectionLog> logger;
    private readonly TimeProvider time;
    private readonly TimeSpan interval;
    private readonly Lock gate = new();
    private DateTimeOffset lastWarning = DateTimeOffset.MinValue;
    private long unreported;

    public RejectionLog(ILogger<RejectionLog> logger, TimeProvider time, TimeSpan? interval = null)
    {
        this.logger = logger;
        this.time = time;
        this.interval = interval ?? DefaultInterval;
    }

    /// <summary>Counts one rejected request; logs a warning when the interval since the last one has passed.</summary>
    public void Record(InputError error)
    {
        long count;
        lock (gate)
        {
            unreported++;
            DateTimeOffset now = time.GetUtcNow();
            if (now - lastWarning < interval)
            {
                return;
            }
            lastWarning = now;
            count = unreported;
            unreported = 0;
        }
        logger.LogWarning("rejected {Count} predict request(s) as bad input since the last warning; latest: {Status} {Reason}: {Detail}",
            count, error.Status, error.Reason, error.Detail);
    }
}
