using System.Globalization;
using System.Net;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Negentropy.Evaluation;
using Negentropy.Training;

namespace Negentropy.Reporting;

/// <summary>
/// RUN/report.html: one self-contained page, with plots and thumbnails embedded as data URIs and no
/// scripts or network access. It shows the run's configuration and environment, the data summary, the
/// classification report, the validation F1 per epoch (with --epoch-report), calibration before and after
/// temperature scaling, the abstention threshold with its risk–coverage curve, the entropy dynamics and the
/// most confident wrong test predictions.
/// </summary>
public static class HtmlReport
{
    public const string FileName = "report.html";

    /// <summary>What the page shows; every part but the history may be missing for an unfinished run.</summary>
    public sealed record Content(
        string RunFolder,
        string Title,
        TrainingOptions Options,
        IReadOnlyList<string> ClassNames,
        IReadOnlyList<EpochMetrics> History,
        IReadOnlyList<string> PlotFiles,
        EvaluationReport? Test,
        JsonObject? RunJson,
        IReadOnlyList<ConfidentMistake> Mistakes,
        string? MistakesNote);

    /// <summary>A wrong test prediction with its thumbnail (PNG bytes, or null when the images are not available).</summary>
    public sealed record ConfidentMistake(int Index, string TrueClass, string PredictedClass, double Confidence, double EntropyBits, byte[]? Thumbnail, string? Text = null);

    /// <summary>Characters of a text shown per mistake.</summary>
    public const int MistakeTextLength = 300;

    public static void Write(Content content)
    {
        var html = new StringBuilder();
        html.Append("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">");
        html.Append("<title>").Append(Encode(content.Title)).Append("</title>");
        html.Append("<style>").Append(Style).Append("</style></head><body>\n");
        html.Append("<h1>").Append(Encode(content.Title)).Append("</h1>\n");
        AppendSummary(html, content);
        AppendConfiguration(html, content);
        AppendData(html, content);
        if (content.Test is not null)
        {
            html.Append("<h2>Classification report (test set)</h2>\n<pre>").Append(Encode(content.Test.ToText())).Append("</pre>\n");
        }
        else
        {
            html.Append("<p class=\"note\">The test set has not been evaluated: the run has not finished. Resume it with <code>negentropy train --resume ")
                .Append(Encode(content.RunFolder)).Append("</code>.</p>\n");
        }
        AppendEpochReports(html, content);
        AppendCalibration(html, content);
        AppendAbstention(html, content);
        AppendPlots(html, content, new[] { "entropy.png", "bits_per_class.png", "loss.png", "accuracy.png", "confusion.png" }, "Entropy dynamics and learning curves");
        if (content.PlotFiles.Contains(AugmentationPreview.FileName))
        {
            html.Append("<h2>Augmentation</h2>\n<p>").Append(Encode(content.Options.Augment.Describe()))
                .Append(". Top row: the first training images as stored; rows below: augmented draws of each, as the training loop makes them.</p>\n");
            AppendPlots(html, content, new[] { AugmentationPreview.FileName }, null);
        }
        AppendMistakes(html, content);
        if (content.PlotFiles.Any(name => name.StartsWith("information_plane", StringComparison.Ordinal)))
        {
            html.Append("<h2>Information plane</h2>\n<p>I(X;T) and I(T;Y) of each hidden layer T on a fixed probe of validation samples, each epoch, ")
                .Append("with a binning estimator (Shwartz-Ziv &amp; Tishby, 2017) and a KDE upper bound (Kolchinsky &amp; Tracey, 2017). ")
                .Append("These estimates depend on the estimator, its bin count or noise variance, and the activation function (Saxe et al., 2018): ")
                .Append("read them as trends, not as exact quantities. ")
                .Append("Their ceilings are log<sub>2</sub> N bits for I(X;T), with N the probe size, and H(Y) for I(T;Y): ")
                .Append("points at those values are saturated, which happens on wide layers and on small probes.</p>\n");
            if (content.Options.InformationPlane)
            {
                html.Append("<p>Probe: ").Append(content.Options.ProbeSize.ToString(CultureInfo.InvariantCulture))
                    .Append(" validation samples requested (fewer when the validation split is smaller); ceiling log<sub>2</sub> N = ")
                    .Append(F(Math.Log2(Math.Max(1, Math.Min(content.Options.ProbeSize, content.RunJson?["data"]?["val_samples"]?.GetValue<int>() ?? content.Options.ProbeSize))), "F3"))
                    .Append(" bits.</p>\n");
            }
            AppendPlots(html, content, new[] { "information_plane_binning.png", "information_plane_kde.png" }, null);
        }
        html.Append("<footer>Written by Negentropy ").Append(Encode(typeof(HtmlReport).Assembly.GetName().Version?.ToString() ?? "unknown"))
            .Append(" on ").Append(DateTimeOffset.UtcNow.ToString("yyyy-MM-dd HH:mm 'UTC'", CultureInfo.InvariantCulture)).Append(".</footer>\n");
        html.Append("</body></html>\n");
        AtomicFile.WriteAllText(Path.Combine(content.RunFolder, FileName), html.ToString());
    }

    internal const string Style =
        "body{font-family:DejaVu Sans,Helvetica,Arial,sans-serif;max-width:1100px;margin:2em auto;padding:0 1em;color:#222;line-height:1.45}" +
        "h1{font-size:1.6em;border-bottom:2px solid #456;padding-bottom:.3em}h2{font-size:1.25em;margin-top:1.8em;color:#345}" +
        "table{border-collapse:collapse;margin:.5em 0}td,th{border:1px solid #ccc;padding:.25em .6em;text-align:left;font-size:.92em}" +
        "th{background:#eef2f6}pre{background:#f7f7f7;padding:.8em;overflow-x:auto;font-size:.85em}" +
        ".cards{display:flex;flex-wrap:wrap;gap:.8em}.card{border:1px solid #ccd;border-radius:6px;padding:.6em 1em;min-width:10em;background:#fafbfd}" +
        ".card b{display:block;font-size:1.35em}.thumb .text{font-size:.8em;white-space:pre-wrap;max-height:9em;overflow:auto;text-align:left;background:#f7f7f7;padding:.3em}.plots img{max-width:100%;border:1px solid #ddd;margin:.4em 0}" +
        ".grid{display:flex;flex-wrap:wrap;gap:.6em}.thumb{border:1px solid #ddd;padding:.4em;width:9.5em;font-size:.8em;text-align:center}" +
        ".thumb img{width:84px;height:84px;image-rendering:pixelated}.note{color:#666;font-style:italic}footer{margin-top:3em;color:#888;font-size:.8em}";

    private static void AppendSummary(StringBuilder html, Content content)
    {
        html.Append("<div class=\"cards\">");
        void Card(string label, string value) =>
            html.Append("<div class=\"card\">").Append(Encode(label)).Append("<b>").Append(Encode(value)).Append("</b></div>");

        if (content.Test is EvaluationReport test)
        {
            Card("test accuracy", test.Accuracy.ToString("P2", CultureInfo.InvariantCulture));
            Card("test log loss", F(test.LogLoss, "F4") + " nats");
            Card("bits learned (test)", $"{F(test.BitsLearned, "F3")} of {F(test.LabelEntropyBits, "F3")}");
            Card("ECE (test)", F(test.ExpectedCalibrationError, "F4"));
        }
        if (content.History.Count > 0)
        {
            EpochMetrics best = content.History.MinBy(m => m.ValidationLoss)!;
            Card("epochs (best)", $"{content.History.Count} ({best.Epoch})");
            Card("time per epoch", F(content.History.Average(m => m.Seconds), "F1") + " s");
        }
        if (content.RunJson?["training"] is JsonObject training && training["trainable_parameters"] is JsonNode trainable && training["total_parameters"] is JsonNode total)
        {
            Card($"trainable parameters ({training["finetune"]?.ToString() ?? "full"})",
                string.Create(CultureInfo.InvariantCulture, $"{trainable.GetValue<long>():N0} of {total.GetValue<long>():N0}"));
        }
        html.Append("</div>\n");
    }

    private static void AppendConfiguration(StringBuilder html, Content content)
    {
        html.Append("<h2>Configuration and environment</h2>\n<table>");
        JsonObject options = JsonSerializer.SerializeToNode(content.Options, JsonFormats.Compact)!.AsObject();
        foreach ((string key, JsonNode? value) in options)
        {
            html.Append("<tr><th>").Append(Encode(key)).Append("</th><td>").Append(Encode(OptionText(value))).Append("</td></tr>");
        }
        Row(html, ".NET", System.Runtime.InteropServices.RuntimeInformation.FrameworkDescription);
        Row(html, "OS", System.Runtime.InteropServices.RuntimeInformation.OSDescription);
        Row(html, "TorchSharp", typeof(TorchSharp.torch).Assembly.GetName().Version?.ToString() ?? "unknown");
        Row(html, "processors", Environment.ProcessorCount.ToString(CultureInfo.InvariantCulture));
        html.Append("</table>\n");
    }

    private static void AppendData(StringBuilder html, Content content)
    {
        html.Append("<h2>Data</h2>\n<table>");
        if (content.RunJson?["data"] is JsonObject data)
        {
            foreach ((string key, JsonNode? value) in data)
            {
                // Index lists belong in report.json; the page shows how long they are.
                Row(html, key, value is JsonArray list ? $"{list.Count} indices (listed in report.json)" : value?.ToString() ?? "");
            }
        }
        if (content.History.Count > 0)
        {
            Row(html, "H(Y) of the validation labels", F(content.History[^1].LabelEntropyBits, "F4") + " bits");
        }
        html.Append("</table>\n");
        if (content.Test is EvaluationReport test)
        {
            html.Append("<p>Test class balance (samples per class):</p>\n<table><tr>");
            foreach (string name in content.ClassNames)
            {
                html.Append("<th>").Append(Encode(name)).Append("</th>");
            }
            html.Append("</tr><tr>");
            foreach (ClassMetrics metrics in test.Classification.PerClass)
            {
                html.Append("<td>").Append(metrics.Support.ToString(CultureInfo.InvariantCulture)).Append("</td>");
            }
            html.Append("</tr></table>\n");
        }
    }

    // With --epoch-report, metrics.jsonl stores each epoch's validation report; the page shows its F1 scores.
    private static void AppendEpochReports(StringBuilder html, Content content)
    {
        EpochMetrics[] reported = content.History.Where(metrics => metrics.ValidationReport is not null).ToArray();
        if (reported.Length == 0)
        {
            return;
        }
        string[] columns = content.ClassNames.Append("macro avg").ToArray();
        html.Append("<h2>Validation F1 per epoch</h2>\n<p>F1 score of each class on the validation split after each epoch; metrics.jsonl stores every epoch's whole report.</p>\n");
        html.Append("<table><tr><th>epoch</th>");
        foreach (string column in columns)
        {
            html.Append("<th>").Append(Encode(column)).Append("</th>");
        }
        html.Append("<th>accuracy</th></tr>");
        foreach (EpochMetrics metrics in reported)
        {
            JsonObject report = metrics.ValidationReport!;
            html.Append("<tr><td>").Append(metrics.Epoch.ToString(CultureInfo.InvariantCulture)).Append("</td>");
            foreach (string column in columns)
            {
                double f1 = report[column]?["f1-score"]?.GetValue<double>() ?? double.NaN;
                html.Append("<td>").Append(F(f1, "F3")).Append("</td>");
            }
            html.Append("<td>").Append(F(report["accuracy"]?.GetValue<double>() ?? double.NaN, "F3")).Append("</td></tr>");
        }
        html.Append("</table>\n");
    }

    private static void AppendCalibration(StringBuilder html, Content content)
    {
        if (content.RunJson?["temperature_scaling"] is null && !content.PlotFiles.Contains("reliability.png"))
        {
            return;
        }
        html.Append("<h2>Calibration</h2>\n");
        if (content.RunJson?["temperature_scaling"] is JsonObject scaling)
        {
            html.Append("<p>Temperature scaling fitted on the validation split: T = ").Append(F(scaling["temperature"]?.GetValue<double>() ?? double.NaN, "F4")).Append("</p>\n");
            html.Append("<table><tr><th></th><th>NLL before</th><th>NLL after</th><th>ECE before</th><th>ECE after</th></tr>");
            foreach (string split in new[] { "validation", "test" })
            {
                if (scaling[split] is JsonObject figures)
                {
                    html.Append("<tr><th>").Append(split).Append("</th>");
                    foreach (string key in new[] { "nll_before", "nll_after", "ece_before", "ece_after" })
                    {
                        html.Append("<td>").Append(F(figures[key]?.GetValue<double>() ?? double.NaN, "F4")).Append("</td>");
                    }
                    html.Append("</tr>");
                }
            }
            html.Append("</table>\n");
        }
        AppendPlots(html, content, new[] { "reliability.png" }, null);
    }

    private static void AppendAbstention(StringBuilder html, Content content)
    {
        if (content.RunJson?["abstention"] is not JsonObject abstention)
        {
            return;
        }
        html.Append("<h2>Abstention</h2>\n<p>The served model abstains when the predictive entropy of an input is above the threshold ")
            .Append("and answers when it is at most the threshold. The threshold was chosen on the validation split.</p>\n");
        bool targetMet = abstention["target_met"]?.GetValue<bool>() ?? false;
        if (!targetMet)
        {
            html.Append("<p class=\"note\">No threshold met the target risk on the validation split, so the model abstains on every input.</p>\n");
        }
        html.Append("<table>");
        string criterion = abstention["criterion"]?.GetValue<string>() ?? "";
        Row(html, criterion == AbstentionPolicy.CoverageCriterion ? "target coverage" : "target risk", Percent(abstention["target"], "0.###%"));
        Row(html, "threshold", F(abstention["threshold_bits"]?.GetValue<double>() ?? double.NaN, "G6") + " bits");
        Row(html, "validation coverage", Percent(abstention["validation_coverage"], "0.00%"));
        Row(html, "validation risk", abstention["validation_risk"] is null ? "undefined (nothing answered)" : Percent(abstention["validation_risk"], "0.00%"));
        Row(html, "validation samples", abstention["validation_count"]?.ToString() ?? "");
        if (content.RunJson["risk_coverage"] is JsonObject curve)
        {
            Row(html, "AURC (validation)", F(curve["aurc"]?.GetValue<double>() ?? double.NaN, "F4"));
            Row(html, "risk at full coverage (validation)", Percent(curve["full_coverage_risk"], "0.00%"));
        }
        html.Append("</table>\n");
        AppendPlots(html, content, new[] { RunPlots.RiskCoverageFileName }, null);
    }

    private static string Percent(JsonNode? value, string format) =>
        value is null ? "undefined" : F(value.GetValue<double>(), format);

    private static void AppendPlots(StringBuilder html, Content content, string[] names, string? heading)
    {
        string[] present = names.Where(content.PlotFiles.Contains).ToArray();
        if (present.Length == 0)
        {
            return;
        }
        if (heading is not null)
        {
            html.Append("<h2>").Append(Encode(heading)).Append("</h2>\n");
        }
        html.Append("<div class=\"plots\">");
        foreach (string name in present)
        {
            byte[] png = File.ReadAllBytes(Path.Combine(content.RunFolder, RunPlots.FolderName, name));
            html.Append("<img alt=\"").Append(Encode(name)).Append("\" src=\"data:image/png;base64,").Append(Convert.ToBase64String(png)).Append("\">\n");
        }
        html.Append("</div>\n");
    }

    private static void AppendMistakes(StringBuilder html, Content content)
    {
        html.Append("<h2>Most confident wrong test predictions</h2>\n");
        if (content.MistakesNote is not null)
        {
            html.Append("<p class=\"note\">").Append(Encode(content.MistakesNote)).Append("</p>\n");
        }
        if (content.Mistakes.Count == 0)
        {
            return;
        }
        html.Append("<div class=\"grid\">");
        foreach (ConfidentMistake mistake in content.Mistakes)
        {
            html.Append("<div class=\"thumb\">");
            if (mistake.Thumbnail is byte[] png)
            {
                html.Append("<img alt=\"test image ").Append(mistake.Index).Append("\" src=\"data:image/png;base64,").Append(Convert.ToBase64String(png)).Append("\"><br>");
            }
            if (mistake.Text is string text)
            {
                string shown = text.Length <= MistakeTextLength ? text : text[..MistakeTextLength] + "…";
                html.Append("<div class=\"text\">").Append(Encode(shown)).Append("</div>");
            }
            html.Append("#").Append(mistake.Index).Append("<br>true: <b>").Append(Encode(mistake.TrueClass)).Append("</b><br>predicted: ")
                .Append(Encode(mistake.PredictedClass)).Append("<br>p = ").Append(F(mistake.Confidence, "F3"))
                .Append(", H = ").Append(F(mistake.EntropyBits, "F3")).Append(" bits</div>");
        }
        html.Append("</div>\n");
    }

    // Strings without quotes and doubles to 6 significant digits, so 0.15000000000000002 reads 0.15.
    private static string OptionText(JsonNode? value) => value switch
    {
        null => "default",
        JsonValue json when json.TryGetValue(out string? text) => text,
        JsonValue json when json.TryGetValue(out double number) && number != Math.Floor(number) => number.ToString("G6", CultureInfo.InvariantCulture),
        _ => value.ToJsonString(),
    };

    private static void Row(StringBuilder html, string name, string value) =>
        html.Append("<tr><th>").Append(Encode(name)).Append("</th><td>").Append(Encode(value)).Append("</td></tr>");

    private static string F(double value, string format) =>
        double.IsNaN(value) ? "undefined" : value.ToString(format, CultureInfo.InvariantCulture);

    private static string Encode(string text) => WebUtility.HtmlEncode(text);
}
