using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Negentropy.Monitoring;

namespace Negentropy.Serving;

/// <summary>
/// Watches the served predictions. Each prediction goes to the drift monitor and the prediction log without
/// blocking. On a timer it evaluates drift and the alert rules and publishes the scores as gauges. Fired
/// alerts go to a log warning, the SQLite store and the webhook.
/// </summary>
public sealed class ServingMonitor : BackgroundService, IAsyncDisposable
{
    /// <summary>The named HttpClient the webhook posts with.</summary>
    public const string WebhookClientName = "negentropy-alert-webhook";

    private readonly ModelHolder holder;
    private readonly ServingMetrics metrics;
    private readonly AlertConfig config;
    private readonly TimeProvider time;
    private readonly ILogger<ServingMonitor> logger;
    private readonly PredictionLog? log;
    private readonly WebhookAlertSink? webhook;
    private readonly IAlertSink[] sinks;
    private DriftMonitor? drift;

    public ServingMonitor(ModelHolder holder, ServeOptions options, ServingMetrics metrics, AlertConfig config, TimeProvider time,
        ILoggerFactory loggers, IHttpClientFactory httpClients)
    {
        this.holder = holder;
        this.metrics = metrics;
        this.config = config;
        this.time = time;
        logger = loggers.CreateLogger<ServingMonitor>();
        drift = CreateDrift(holder.Current);
        if (options.PredictionLogEnabled)
        {
            log = PredictionLog.Open(options.EffectivePredictionLogPath, new PredictionLogOptions { RetentionDays = options.LogRetentionDays },
                time, loggers.CreateLogger<PredictionLog>());
        }
        var chosen = new List<IAlertSink> { new LoggingAlertSink(loggers.CreateLogger<LoggingAlertSink>()) };
        if (log is not null)
        {
            chosen.Add(new PredictionLogAlertSink(log));
        }
        if (config.Webhook is not null)
        {
            webhook = new WebhookAlertSink(httpClients.CreateClient(WebhookClientName), config.Webhook, loggers.CreateLogger<WebhookAlertSink>());
            chosen.Add(webhook);
        }
        sinks = chosen.ToArray();
        holder.Swapped += model => Volatile.Write(ref drift, Reset(Volatile.Read(ref drift), model));
    }

    /// <summary>Records one prediction without waiting for the store.</summary>
    public void Observe(ServedModel model, PredictionRecord record)
    {
        DriftMonitor? current = Volatile.Read(ref drift);
        if (current is not null && ReferenceEquals(model, holder.Current))
        {
            current.Record(record.TimestampUtc, record.ClassIndex, record.EntropyBits, record.Abstain);
        }
        log?.TryEnqueue(record);
    }

    /// <summary>Evaluates drift and the alert rules once; returns the alerts that fired.</summary>
    public IReadOnlyList<Alert> EvaluateNow()
    {
        if (log is not null)
        {
            metrics.LogDropped.IncTo(log.Dropped);
        }
        if (webhook is not null)
        {
            metrics.WebhookDeliveries.WithLabels("delivered").IncTo(webhook.DeliveredCount);
            metrics.WebhookDeliveries.WithLabels("failed").IncTo(webhook.FailedCount);
        }
        DriftMonitor? current = Volatile.Read(ref drift);
        if (current is null)
        {
            return Array.Empty<Alert>();
        }
        ServedModel model = holder.Current;
        DriftEvaluation evaluation = current.Evaluate(time.GetUtcNow(), model.Version);
        Publish("count", evaluation.Count, model);
        Publish("time", evaluation.Time, model);
        foreach (Alert alert in evaluation.Fired)
        {
            metrics.Alerts.WithLabels(alert.Rule).Inc();
            foreach (IAlertSink sink in sinks)
            {
                sink.Publish(alert);
            }
        }
        return evaluation.Fired;
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(config.EvaluateEvery, time);
        while (await timer.WaitForNextTickAsync(stoppingToken).ConfigureAwait(false))
        {
            try
            {
                EvaluateNow();
            }
            catch (Exception exception)
            {
                // The monitor must never take the server down; the next tick tries again.
                logger.LogError(exception, "drift evaluation failed");
            }
        }
    }

    public override async Task StopAsync(CancellationToken cancellationToken)
    {
        await base.StopAsync(cancellationToken).ConfigureAwait(false);
        if (log is not null)
        {
            await log.FlushAsync(cancellationToken).ConfigureAwait(false);
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (webhook is not null)
        {
            await webhook.DisposeAsync().ConfigureAwait(false);
        }
        if (log is not null)
        {
            await log.DisposeAsync().ConfigureAwait(false);
        }
        base.Dispose();
    }

    private void Publish(string window, DriftScores? scores, ServedModel model)
    {
        if (scores is null)
        {
            return;
        }
        metrics.WindowCount.WithLabels(window).Set(scores.PredictionCount);
        metrics.AbstentionRate.WithLabels(window).Set(scores.AbstentionRate);
        metrics.Drift.WithLabels(window, "class_psi").Set(scores.ClassPsi);
        metrics.Drift.WithLabels(window, "class_js").Set(scores.ClassJs);
        metrics.Drift.WithLabels(window, "entropy_psi").Set(scores.EntropyPsi);
        metrics.Drift.WithLabels(window, "entropy_ks").Set(scores.EntropyKs);
        metrics.Drift.WithLabels(window, "entropy_ks_p").Set(scores.EntropyKsP);
        metrics.Drift.WithLabels(window, "mean_entropy").Set(scores.MeanEntropyBits);
        for (int k = 0; k < model.ClassNames.Count && k < scores.ClassShares.Count; k++)
        {
            metrics.ClassShare.WithLabels(window, model.ClassNames[k]).Set(scores.ClassShares[k]);
            metrics.ClassShareZ.WithLabels(window, model.ClassNames[k]).Set(scores.ClassShareZ[k]);
        }
    }

    // Keeps the monitor, and so the rules' cooldowns, across a reload: a new deployment does not repeat alerts that just fired.
    private DriftMonitor? Reset(DriftMonitor? current, ServedModel model)
    {
        if (current is null || model.Reference is null)
        {
            return CreateDrift(model);
        }
        try
        {
            current.ResetReference(model.Reference);
            return current;
        }
        catch (Exception exception) when (exception is UserInputException or ArgumentException)
        {
            logger.LogError("drift monitoring is off for {Name} {Version}: {Reason}", model.Name, model.Version, exception.Message);
            return null;
        }
    }

    private DriftMonitor? CreateDrift(ServedModel model)
    {
        if (model.Reference is null)
        {
            logger.LogWarning("{Folder} has no {File}, so drift is not measured and alert rules do not run; retrain to write it", model.Folder, MonitoringReference.FileName);
            return null;
        }
        try
        {
            return new DriftMonitor(model.Reference, config, time);
        }
        catch (Exception exception) when (exception is UserInputException or ArgumentException)
        {
            // A reloaded model whose classes lack one that a rule names: predictions go on, drift is not measured.
            logger.LogError("drift monitoring is off for {Name} {Version}: {Reason}", model.Name, model.Version, exception.Message);
            return null;
        }
    }
}
