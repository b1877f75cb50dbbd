namespace Negentropy.Monitoring;

/// <summary>Where and how <see cref="WebhookAlertSink"/> delivers alerts.</summary>
/// <param name="Url">Absolute http or https URL that receives each alert as a JSON POST.</param>
/// <param name="MaxAttempts">Attempts per alert, the first included (default <see cref="DefaultMaxAttempts"/>).</param>
/// <param name="InitialBackoff">Wait before the second attempt; each later wait doubles, up to <see cref="MaxBackoff"/> (default <see cref="DefaultInitialBackoffMs"/> ms).</param>
/// <param name="Timeout">Time limit of one attempt (default <see cref="DefaultTimeoutMs"/> ms).</param>
public sealed record WebhookOptions(Uri Url, int MaxAttempts, TimeSpan InitialBackoff, TimeSpan Timeout)
{
    public const int DefaultMaxAttempts = 4;
    public const int DefaultInitialBackoffMs = 500;
    public const int DefaultTimeoutMs = 5000;
    public const int MaxInitialBackoffMs = 60_000;
    public const int MaxTimeoutMs = 600_000;

    /// <summary>Upper bound of one wait between attempts, however often the backoff has doubled.</summary>
    public static TimeSpan MaxBackoff { get; } = TimeSpan.FromMinutes(5);
}
