using System.Globalization;
using System.Net;
using System.Text;
using Negentropy.Reporting;

namespace Negentropy.Monitoring;

/// <summary>
/// OUT/report.html of a monitor report: one self-contained page, with the plots embedded as data URIs and no scripts
/// or network access. It shows the totals, the plots, the hourly table and the alerts table.
/// </summary>
public static class MonitorHtml
{
    public const string FileName = "report.html";

    public static void Write(string outputDirectory, MonitorSummary summary, IReadOnlyList<HourlyTrend> trends, IReadOnlyList<string> labels,
        IReadOnlyList<Alert> alerts, IReadOnlyList<string> plotFiles)
    {
        var html = new StringBuilder();
        html.Append("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><title>Prediction monitor report</title>");
        html.Append("<style>").Append(HtmlReport.Style).Append("</style></head><body>\n");
        html.Append("<h1>Prediction monitor report</h1>\n<p>Prediction log: <code>").Append(Encode(summary.Database)).Append("</code></p>\n");

        if (summary.Predictions == 0)
        {
            html.Append("<p class=\"note\">No predictions were logged in this file.</p>\n");
        }
        else
        {
            AppendTotals(html, summary);
            html.Append("<h2>Trends per hour (UTC)</h2>\n<div class=\"plots\">");
            foreach (string name in plotFiles)
            {
                byte[] png = File.ReadAllBytes(Path.Combine(outputDirectory, MonitorPlots.FolderName, name));
                html.Append("<img alt=\"").Append(Encode(name)).Append("\" src=\"data:image/png;base64,").Append(Convert.ToBase64String(png)).Append("\">\n");
            }
            html.Append("</div>\n");
            AppendHourlyTable(html, trends, labels);
        }
        AppendAlerts(html, alerts);

        html.Append("<footer>Written by Negentropy ").Append(Encode(typeof(MonitorHtml).Assembly.GetName().Version?.ToString() ?? "unknown")).Append(".</footer>\n");
        html.Append("</body></html>\n");
        AtomicFile.WriteAllText(Path.Combine(outputDirectory, FileName), html.ToString());
    }

    private static void AppendTotals(StringBuilder html, MonitorSummary summary)
    {
        html.Append("<div class=\"cards\">");
        void Card(string label, string value) =>
            html.Append("<div class=\"card\">").Append(Encode(label)).Append("<b>").Append(Encode(value)).Append("</b></div>");

        Card("predictions", summary.Predictions.ToString(CultureInfo.InvariantCulture));
        Card("first (UTC)", MonitorCsv.Time(summary.FirstUtc!.Value));
        Card("last (UTC)", MonitorCsv.Time(summary.LastUtc!.Value));
        Card("mean entropy", F(summary.MeanEntropyBits!.Value, "F4") + " bits");
        Card("abstention rate", summary.AbstentionRate!.Value.ToString("P2", CultureInfo.InvariantCulture));
        Card("alerts", summary.Alerts.ToString(CultureInfo.InvariantCulture));
        html.Append("</div>\n");

        html.Append("<h2>Predicted classes</h2>\n<table><tr><th>label</th><th>predictions</th><th>share</th></tr>");
        foreach ((string label, long count) in summary.Labels)
        {
            html.Append("<tr><td>").Append(Encode(label)).Append("</td><td>").Append(count.ToString(CultureInfo.InvariantCulture))
                .Append("</td><td>").Append(((double)count / summary.Predictions).ToString("P2", CultureInfo.InvariantCulture)).Append("</td></tr>");
        }
        html.Append("</table>\n<h2>Model versions</h2>\n<table><tr><th>version</th><th>predictions</th></tr>");
        foreach ((string version, long count) in summary.ModelVersions)
        {
            html.Append("<tr><td>").Append(Encode(version)).Append("</td><td>").Append(count.ToString(CultureInfo.InvariantCulture)).Append("</td></tr>");
        }
        html.Append("</table>\n");
    }

    private static void AppendHourlyTable(StringBuilder html, IReadOnlyList<HourlyTrend> trends, IReadOnlyList<string> labels)
    {
        html.Append("<h2>Hourly table</h2>\n<table><tr><th>hour (UTC)</th><th>predictions</th><th>mean entropy, bits</th><th>abstention rate</th>")
            .Append("<th>mean latency, ms</th><th>p99 latency, ms</th>");
        foreach (string label in labels)
        {
            html.Append("<th>share ").Append(Encode(label)).Append("</th>");
        }
        html.Append("<th>model versions</th></tr>");
        foreach (HourlyTrend trend in trends)
        {
            html.Append("<tr><td>").Append(trend.HourUtc.UtcDateTime.ToString("yyyy-MM-dd HH:00", CultureInfo.InvariantCulture))
                .Append("</td><td>").Append(trend.Count.ToString(CultureInfo.InvariantCulture))
                .Append("</td><td>").Append(F(trend.MeanEntropyBits, "F4"))
                .Append("</td><td>").Append(F(trend.AbstentionRate, "F4"))
                .Append("</td><td>").Append(F(trend.MeanLatencyMs, "F2"))
                .Append("</td><td>").Append(F(trend.P99LatencyMs, "F2")).Append("</td>");
            foreach (string label in labels)
            {
                html.Append("<td>").Append(F(trend.Share(label), "F4")).Append("</td>");
            }
            html.Append("<td>").Append(Encode(string.Join(", ", trend.ModelVersions))).Append("</td></tr>");
        }
        html.Append("</table>\n");
    }

    private static void AppendAlerts(StringBuilder html, IReadOnlyList<Alert> alerts)
    {
        html.Append("<h2>Alerts</h2>\n");
        if (alerts.Count == 0)
        {
            html.Append("<p class=\"note\">No alerts fired.</p>\n");
            return;
        }
        html.Append("<table><tr><th>time (UTC)</th><th>rule</th><th>metric</th><th>class</th><th>value</th><th>threshold</th>")
            .Append("<th>window</th><th>model version</th><th>message</th></tr>");
        foreach (Alert alert in alerts)
        {
            html.Append("<tr><td>").Append(MonitorCsv.Time(alert.TimestampUtc))
                .Append("</td><td>").Append(Encode(alert.Rule))
                .Append("</td><td>").Append(Encode(alert.Metric))
                .Append("</td><td>").Append(Encode(alert.ClassName ?? ""))
                .Append("</td><td>").Append(F(alert.Value, "G6"))
                .Append("</td><td>").Append(Encode(alert.Comparison)).Append(' ').Append(F(alert.Threshold, "G6"))
                .Append("</td><td>").Append(Encode(alert.Window)).Append(", ").Append(alert.WindowCount.ToString(CultureInfo.InvariantCulture)).Append(" predictions")
                .Append("</td><td>").Append(Encode(alert.ModelVersion))
                .Append("</td><td>").Append(Encode(alert.Message)).Append("</td></tr>");
        }
        html.Append("</table>\n");
    }

    private static string F(double value, string format) =>
        double.IsNaN(value) ? "undefined" : value.ToString(format, CultureInfo.InvariantCulture);

    private static string Encode(string text) => WebUtility.HtmlEncode(text);
}
