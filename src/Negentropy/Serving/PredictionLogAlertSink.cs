using Negentropy.Monitoring;

namespace Negentropy.Serving;

/// <summary>Stores fired alerts in the prediction log's alerts table.</summary>
public sealed class PredictionLogAlertSink(PredictionLog log) : IAlertSink
{
    public void Publish(Alert alert) => log.RecordAlert(alert);
}
