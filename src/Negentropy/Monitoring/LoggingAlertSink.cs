using Microsoft.Extensions.Logging;

namespace Negentropy.Monitoring;

/// <summary>Writes each alert as one warning line whose parts are also structured log fields.</summary>
public sealed class LoggingAlertSink(ILogger logger) : IAlertSink
{
    public void Publish(Alert alert) =>
        logger.LogWarning(
            "Drift alert {Rule} fired: {Metric} {ClassName} = {Value} is {Comparison} {Threshold} over the {Window} window of {WindowCount} predictions, model version {ModelVersion}",
            alert.Rule,
            alert.Metric,
            alert.ClassName ?? "(all classes)",
            alert.Value,
            alert.Comparison,
            alert.Threshold,
            alert.Window,
            alert.WindowCount,
            alert.ModelVersion);
}
