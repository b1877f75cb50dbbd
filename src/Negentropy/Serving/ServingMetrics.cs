using Prometheus;

namespace Negentropy.Serving;

/// <summary>
/// The server's Prometheus metrics, in a registry of its own so that several servers in one process
/// (as in the tests) keep separate counts. Names follow Prometheus conventions: counters end in _total,
/// durations are in seconds, and entropy is in bits.
/// </summary>
public sealed class ServingMetrics
{
    /// <summary>Latency buckets from 0.5 ms to about 16 s.</summary>
    private static readonly double[] LatencyBuckets = Histogram.ExponentialBuckets(0.0005, 2, 16);

    private readonly Gauge modelInfo;
    private readonly Gauge abstainThreshold;
    private string[]? modelLabels;

    public ServingMetrics(int numClasses)
    {
        Registry = Metrics.NewCustomRegistry();
        DotNetStats.Register(Registry);
        IMetricFactory factory = Metrics.WithCustomRegistry(Registry);

        Requests = factory.CreateCounter("negentropy_http_requests_total", "HTTP requests completed, by endpoint and status code.", new[] { "endpoint", "status" });
        RequestDuration = factory.CreateHistogram("negentropy_http_request_duration_seconds", "Time from a request's arrival to its response, by endpoint.",
            new[] { "endpoint" }, new HistogramConfiguration { Buckets = LatencyBuckets });
        Rejected = factory.CreateCounter("negentropy_rejected_requests_total", "Predict requests rejected as bad input, by reason.", new[] { "reason" });
        Predictions = factory.CreateCounter("negentropy_predictions_total", "Inputs predicted, by predicted class.", new[] { "class" });
        Abstentions = factory.CreateCounter("negentropy_abstentions_total", "Inputs whose entropy was above the abstention threshold.");
        Entropy = factory.CreateHistogram("negentropy_prediction_entropy_bits", "Predictive entropy of each prediction, in bits.",
            new HistogramConfiguration { Buckets = Histogram.LinearBuckets(0, Math.Max(Math.Log2(numClasses), 1) / 20, 21) });
        BatchSize = factory.CreateHistogram("negentropy_batch_size", "Inputs per network forward pass.",
            new HistogramConfiguration { Buckets = Histogram.ExponentialBuckets(1, 2, 11) });
        AbstentionRate = factory.CreateGauge("negentropy_abstention_rate", "Share of abstentions in the monitoring window.", new[] { "window" });
        Drift = factory.CreateGauge("negentropy_drift_score", "Drift of live predictions from the validation reference, by window and metric.", new[] { "window", "metric" });
        ClassShare = factory.CreateGauge("negentropy_class_share", "Share of each predicted class in the monitoring window.", new[] { "window", "class" });
        WindowCount = factory.CreateGauge("negentropy_window_predictions", "Predictions in the monitoring window.", new[] { "window" });
        Alerts = factory.CreateCounter("negentropy_alerts_total", "Alerts fired, by rule.", new[] { "rule" });
        ModelReloads = factory.CreateCounter("negentropy_model_reloads_total", "Model reload attempts, by result.", new[] { "result" });
        ClassShareZ = factory.CreateGauge("negentropy_class_share_z", "Distance of each class's share from its reference share, in binomial standard deviations.", new[] { "window", "class" });
        LogDropped = factory.CreateCounter("negentropy_prediction_log_dropped_total", "Predictions left out of the log because its queue was full.");
        WebhookDeliveries = factory.CreateCounter("negentropy_alert_webhook_deliveries_total", "Alerts posted to the webhook, by result (delivered or failed).", new[] { "result" });
        modelInfo = factory.CreateGauge("negentropy_model_info", "The model being served (value 1).", new[] { "name", "version" });
        abstainThreshold = factory.CreateGauge("negentropy_abstain_threshold_bits", "Entropy above which the model abstains.");
    }

    public CollectorRegistry Registry { get; }

    public Counter Requests { get; }

    public Histogram RequestDuration { get; }

    public Counter Rejected { get; }

    public Counter Predictions { get; }

    public Counter Abstentions { get; }

    public Histogram Entropy { get; }

    public Histogram BatchSize { get; }

    public Gauge AbstentionRate { get; }

    public Gauge Drift { get; }

    public Gauge ClassShare { get; }

    public Gauge WindowCount { get; }

    public Counter Alerts { get; }

    public Counter ModelReloads { get; }

    public Gauge ClassShareZ { get; }

    public Counter LogDropped { get; }

    public Counter WebhookDeliveries { get; }

    /// <summary>Points negentropy_model_info and the threshold gauge at <paramref name="model"/>.</summary>
    public void SetModel(ServedModel model)
    {
        string[] labels = { model.Name, model.Version };
        string[]? previous = Interlocked.Exchange(ref modelLabels, labels);
        if (previous is not null && !previous.SequenceEqual(labels))
        {
            modelInfo.RemoveLabelled(previous);
        }
        modelInfo.WithLabels(labels).Set(1);
        abstainThreshold.Set(model.AbstainThresholdBits);
    }

    /// <summary>Records one prediction.</summary>
    public void RecordPrediction(string label, double entropyBits, bool abstain)
    {
        Predictions.WithLabels(label).Inc();
        Entropy.Observe(entropyBits);
        if (abstain)
        {
            Abstentions.Inc();
        }
    }
}
