using System.Net;
using System.Net.Http.Headers;
using System.Text.Json;
using System.Threading.Channels;
using Microsoft.Extensions.Logging;
using Negentropy.Reporting;

namespace Negentropy.Monitoring;

/// <summary>
/// POSTs each alert as a JSON object with snake_case fields (timestamp_utc, rule, metric, class_name, value,
/// threshold, comparison, window, window_count, model_version, message) to a webhook, from a background task.
/// </summary>
/// <remarks>
/// <see cref="Publish"/> only queues, so the evaluation loop never waits on the network. An attempt is retried
/// after a network error, a timeout, HTTP 429 or a 5xx status, waiting <see cref="WebhookOptions.InitialBackoff"/>
/// and then twice as long each time, up to <see cref="WebhookOptions.MaxBackoff"/>, for at most
/// <see cref="WebhookOptions.MaxAttempts"/> attempts. Other statuses are not retried. A lost alert is logged
/// once as a warning and counted in <see cref="FailedCount"/>. Only the scheme, host and port of the URL are
/// logged, because webhook paths often carry a secret token.
/// </remarks>
public sealed class WebhookAlertSink : IAlertSink, IAsyncDisposable
{
    /// <summary>Alerts waiting for delivery; a publish beyond this is counted as failed.</summary>
    public const int QueueCapacity = 1000;

    /// <summary>How long <see cref="DisposeAsync"/> waits for queued alerts by default.</summary>
    public static TimeSpan DefaultDrainTimeout { get; } = TimeSpan.FromSeconds(10);

    private static readonly JsonSerializerOptions SnakeCase = new(JsonFormats.Compact) { PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower };

    private readonly HttpClient httpClient;
    private readonly WebhookOptions options;
    private readonly ILogger logger;
    private readonly TimeProvider timeProvider;
    private readonly TimeSpan drainTimeout;
    private readonly string endpoint;
    private readonly Channel<Alert> queue = Channel.CreateBounded<Alert>(new BoundedChannelOptions(QueueCapacity) { SingleReader = true });
    private readonly CancellationTokenSource stopping = new();
    private readonly Task worker;
    private long deliveredCount;
    private long failedCount;
    private int rejectedLogged;
    private int disposed;

    /// <param name="httpClient">Client for the POSTs; the sink does not dispose it.</param>
    /// <param name="timeProvider">Clock for backoff waits and timeouts (default <see cref="TimeProvider.System"/>).</param>
    /// <param name="drainTimeout">How long <see cref="DisposeAsync"/> waits for queued alerts (default <see cref="DefaultDrainTimeout"/>).</param>
    public WebhookAlertSink(HttpClient httpClient, WebhookOptions options, ILogger logger, TimeProvider? timeProvider = null, TimeSpan? drainTimeout = null)
    {
        this.httpClient = httpClient;
        this.options = options;
        this.logger = logger;
        this.timeProvider = timeProvider ?? TimeProvider.System;
        this.drainTimeout = drainTimeout ?? DefaultDrainTimeout;
        endpoint = $"{options.Url.Scheme}://{options.Url.Host}:{options.Url.Port}";
        worker = Task.Run(RunAsync);
    }

    /// <summary>Alerts the webhook accepted with a 2xx status.</summary>
    public long DeliveredCount => Interlocked.Read(ref deliveredCount);

    /// <summary>Alerts given up on: after the last attempt, on a status that is not retried, on a full queue, or at shutdown.</summary>
    public long FailedCount => Interlocked.Read(ref failedCount);

    /// <summary>Queues the alert for delivery and returns at once.</summary>
    public void Publish(Alert alert)
    {
        if (queue.Writer.TryWrite(alert))
        {
            return;
        }
        Interlocked.Increment(ref failedCount);
        // A full queue means the webhook has been down for a long time, so only the first drop is logged.
        if (Interlocked.Exchange(ref rejectedLogged, 1) == 0)
        {
            logger.LogWarning(
                "Webhook {Endpoint} alert queue is full ({Capacity}) or closed; dropped alert {Rule}, and later drops are only counted",
                endpoint,
                QueueCapacity,
                alert.Rule);
        }
    }

    /// <summary>Stops accepting alerts, waits up to the drain timeout for queued ones, then cancels the rest.</summary>
    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref disposed, 1) != 0)
        {
            return;
        }
        queue.Writer.TryComplete();
        try
        {
            await worker.WaitAsync(drainTimeout, timeProvider).ConfigureAwait(false);
        }
        catch (TimeoutException)
        {
            await stopping.CancelAsync().ConfigureAwait(false);
            await worker.ConfigureAwait(false);
        }
        stopping.Dispose();
    }

    private async Task RunAsync()
    {
        Alert? current = null;
        try
        {
            await foreach (Alert alert in queue.Reader.ReadAllAsync(stopping.Token).ConfigureAwait(false))
            {
                current = alert;
                bool delivered = await DeliverAsync(alert, stopping.Token).ConfigureAwait(false);
                Interlocked.Increment(ref delivered ? ref deliveredCount : ref failedCount);
                current = null;
            }
        }
        catch (OperationCanceledException) when (stopping.IsCancellationRequested)
        {
            int lost = current is null ? 0 : 1;
            while (queue.Reader.TryRead(out _))
            {
                lost++;
            }
            Interlocked.Add(ref failedCount, lost);
            logger.LogWarning("Webhook {Endpoint}: shutdown drain timed out after {DrainSeconds} s with {Lost} alerts undelivered", endpoint, drainTimeout.TotalSeconds, lost);
        }
    }

    // Returns true when the webhook accepted the alert; throws OperationCanceledException only at shutdown.
    private async Task<bool> DeliverAsync(Alert alert, CancellationToken cancellationToken)
    {
        byte[] body = JsonSerializer.SerializeToUtf8Bytes(alert, SnakeCase);
        TimeSpan backoff = options.InitialBackoff;
        string error = "";
        for (int attempt = 1; attempt <= options.MaxAttempts; attempt++)
        {
            if (attempt > 1)
            {
                logger.LogInformation(
                    "Webhook {Endpoint}: attempt {Attempt} of {MaxAttempts} for alert {Rule} failed ({Error}); retrying in {BackoffMs} ms",
                    endpoint, attempt - 1, options.MaxAttempts, alert.Rule, error, backoff.TotalMilliseconds);
                await Task.Delay(backoff, timeProvider, cancellationToken).ConfigureAwait(false);
                backoff = TimeSpan.FromTicks(Math.Min(backoff.Ticks * 2, WebhookOptions.MaxBackoff.Ticks));
            }

            using var attemptTimeout = new CancellationTokenSource(options.Timeout, timeProvider);
            using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, attemptTimeout.Token);
            try
            {
                using var content = new ByteArrayContent(body);
                content.Headers.ContentType = new MediaTypeHeaderValue("application/json") { CharSet = "utf-8" };
                using HttpResponseMessage response = await httpClient.PostAsync(options.Url, content, linked.Token).ConfigureAwait(false);
                if (response.IsSuccessStatusCode)
                {
                    return true;
                }
                int status = (int)response.StatusCode;
                error = $"HTTP {status} {response.ReasonPhrase}";
                if (status != (int)HttpStatusCode.TooManyRequests && status < 500)
                {
                    logger.LogWarning("Webhook {Endpoint} rejected alert {Rule} with {Error}, which is not retried; the alert is dropped", endpoint, alert.Rule, error);
                    return false;
                }
            }
            catch (HttpRequestException exception)
            {
                error = exception.Message;
            }
            catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
            {
                error = $"timed out after {options.Timeout.TotalMilliseconds} ms";
            }
        }
        logger.LogWarning("Webhook {Endpoint}: gave up on alert {Rule} after {MaxAttempts} attempts; last error: {Error}", endpoint, alert.Rule, options.MaxAttempts, error);
        return false;
    }
}
