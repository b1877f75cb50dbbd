using System.Globalization;
using System.Text;
using Negentropy.Reporting;

namespace Negentropy.Monitoring;

/// <summary>
/// trends.csv and alerts.csv of a monitor report. Fields follow RFC 4180, times are ISO 8601 UTC, and numbers use the
/// shortest form that parses back to the same double.
/// </summary>
/// <remarks>
/// trends.csv has one row per UTC hour with predictions: <c>hour_utc,count,mean_entropy_bits,abstention_rate,
/// mean_latency_ms,p99_latency_ms</c>, then one <c>share_&lt;label&gt;</c> column per label seen in the log, then
/// <c>model_versions</c>, the versions that served the hour, separated by semicolons.
/// alerts.csv has one row per alert, oldest first, with the columns of the log's alerts table.
/// </remarks>
public static class MonitorCsv
{
    public const string TrendsFileName = "trends.csv";
    public const string AlertsFileName = "alerts.csv";

    public static void WriteTrends(string path, IReadOnlyList<HourlyTrend> trends, IReadOnlyList<string> labels)
    {
        var text = new StringBuilder("hour_utc,count,mean_entropy_bits,abstention_rate,mean_latency_ms,p99_latency_ms");
        foreach (string label in labels)
        {
            text.Append(',').Append(PredictionsCsv.Escape("share_" + label));
        }
        text.Append(",model_versions\n");

        foreach (HourlyTrend trend in trends)
        {
            text.Append(Time(trend.HourUtc)).Append(',').Append(trend.Count.ToString(CultureInfo.InvariantCulture));
            foreach (double value in new[] { trend.MeanEntropyBits, trend.AbstentionRate, trend.MeanLatencyMs, trend.P99LatencyMs })
            {
                text.Append(',').Append(Number(value));
            }
            foreach (string label in labels)
            {
                text.Append(',').Append(Number(trend.Share(label)));
            }
            text.Append(',').Append(PredictionsCsv.Escape(string.Join(';', trend.ModelVersions))).Append('\n');
        }
        AtomicFile.WriteAllText(path, text.ToString());
    }

    public static void WriteAlerts(string path, IReadOnlyList<Alert> alerts)
    {
        var text = new StringBuilder("ts_utc,rule,metric,class_name,value,threshold,comparison,window,window_count,model_version,message\n");
        foreach (Alert alert in alerts)
        {
            text.Append(Time(alert.TimestampUtc))
                .Append(',').Append(PredictionsCsv.Escape(alert.Rule))
                .Append(',').Append(PredictionsCsv.Escape(alert.Metric))
                .Append(',').Append(PredictionsCsv.Escape(alert.ClassName ?? ""))
                .Append(',').Append(Number(alert.Value))
                .Append(',').Append(Number(alert.Threshold))
                .Append(',').Append(PredictionsCsv.Escape(alert.Comparison))
                .Append(',').Append(PredictionsCsv.Escape(alert.Window))
                .Append(',').Append(alert.WindowCount.ToString(CultureInfo.InvariantCulture))
                .Append(',').Append(PredictionsCsv.Escape(alert.ModelVersion))
                .Append(',').Append(PredictionsCsv.Escape(alert.Message))
                .Append('\n');
        }
        AtomicFile.WriteAllText(path, text.ToString());
    }

    /// <summary>Formats <paramref name="timestamp"/> as ISO 8601 UTC with milliseconds, such as 2025-03-01T14:00:00.000Z.</summary>
    public static string Time(DateTimeOffset timestamp) =>
        timestamp.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", CultureInfo.InvariantCulture);

    private static string Number(double value) => value.ToString("R", CultureInfo.InvariantCulture);
}
