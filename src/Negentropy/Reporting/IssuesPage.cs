using System.Globalization;
using System.Net;
using System.Text;
using Negentropy.Cleaning;
using Negentropy.Data;

namespace Negentropy.Reporting;

/// <summary>
/// CLEAN/issues.html: one self-contained page with the estimated noise, the estimated joint of given
/// and true labels, and a thumbnail grid of the most urgent flagged samples.
/// </summary>
public static class IssuesPage
{
    public const string FileName = "issues.html";

    private const string Style =
        "body{font-family:DejaVu Sans,Helvetica,Arial,sans-serif;max-width:1100px;margin:2em auto;padding:0 1em;color:#222;line-height:1.45}" +
        "h1{font-size:1.6em;border-bottom:2px solid #456;padding-bottom:.3em}h2{font-size:1.25em;margin-top:1.8em;color:#345}" +
        "table{border-collapse:collapse;margin:.5em 0}td,th{border:1px solid #ccc;padding:.2em .5em;text-align:right;font-size:.88em}" +
        "th{background:#f0f3f6}.grid{display:flex;flex-wrap:wrap;gap:.6em}.tile{width:112px;font-size:.78em;text-align:center}" +
        ".tile img{width:112px;image-rendering:pixelated;border:1px solid #bbb}.conflicting_duplicate{color:#a40}.duplicate{color:#555}";

    public static void Write(string path, ImageDataset data, IReadOnlyList<LabelIssuesCsv.Row> rows, ConfidentLearning.Result estimates,
        int duplicatePairs, int pageIssues)
    {
        int numClasses = data.NumClasses;
        string Percent(double value) => (value * 100).ToString("0.0", CultureInfo.InvariantCulture) + "%";
        var html = new StringBuilder();
        html.Append("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><title>Label issues</title><style>")
            .Append(Style).Append("</style></head><body>\n<h1>Label issues and duplicates</h1>\n");
        html.Append("<p>").Append(data.Count.ToString("N0", CultureInfo.InvariantCulture)).Append(" samples; ")
            .Append(rows.Count.ToString("N0", CultureInfo.InvariantCulture)).Append(" flagged (").Append(Percent((double)rows.Count / Math.Max(1, data.Count)))
            .Append("); estimated share of wrong labels ").Append(Percent(estimates.NoiseRate)).Append("; ")
            .Append(duplicatePairs.ToString("N0", CultureInfo.InvariantCulture)).Append(" duplicate pairs. ")
            .Append("Confident learning (Northcutt, Jiang &amp; Chuang, 2021) on out-of-sample probabilities; the full list is in label_issues.csv.</p>\n");

        html.Append("<h2>Estimated joint of given (rows) and true (columns) labels</h2>\n<table><tr><th></th>");
        foreach (string name in data.ClassNames)
        {
            html.Append("<th>").Append(Encode(name)).Append("</th>");
        }
        html.Append("<th>noise rate</th></tr>\n");
        double largest = Enumerable.Range(0, numClasses).SelectMany(i => Enumerable.Range(0, numClasses).Where(j => j != i).Select(j => estimates.Joint[i, j])).DefaultIfEmpty(0).Max();
        for (int i = 0; i < numClasses; i++)
        {
            html.Append("<tr><th>").Append(Encode(data.ClassNames[i])).Append("</th>");
            for (int j = 0; j < numClasses; j++)
            {
                double value = estimates.Joint[i, j];
                // Off-diagonal cells are shaded by their share of the largest off-diagonal cell.
                int shade = i == j || largest <= 0 ? 0 : (int)Math.Round(200 * value / largest);
                html.Append("<td style=\"background:rgb(255,").Append(255 - shade / 2).Append(',').Append(255 - shade).Append(")\">")
                    .Append(Percent(value)).Append("</td>");
            }
            html.Append("<td>").Append(Percent(estimates.NoiseRates[i])).Append("</td></tr>\n");
        }
        html.Append("</table>\n");

        int shown = Math.Min(pageIssues, rows.Count);
        if (shown == 0)
        {
            html.Append("<p>").Append(rows.Count == 0 ? "No sample is flagged." : "Thumbnails are off (--page-issues 0).").Append("</p>\n</body></html>\n");
            AtomicFile.WriteAllText(path, html.ToString());
            return;
        }
        html.Append("<h2>Top ").Append(shown).Append(" flagged samples</h2>\n<div class=\"grid\">\n");
        foreach (LabelIssuesCsv.Row row in rows.Take(shown))
        {
            string png = Convert.ToBase64String(RunReportBuilder.Thumbnail(data, row.Index));
            html.Append("<div class=\"tile ").Append(row.Reason).Append("\"><img alt=\"sample ").Append(row.Index).Append("\" src=\"data:image/png;base64,")
                .Append(png).Append("\"><br>#").Append(row.Index).Append("<br>").Append(Encode(data.ClassNames[row.GivenLabel]));
            if (row.SuggestedLabel != row.GivenLabel)
            {
                html.Append(" → ").Append(Encode(data.ClassNames[row.SuggestedLabel]));
            }
            html.Append("<br>").Append(row.Quality.ToString("0.000", CultureInfo.InvariantCulture)).Append(' ').Append(row.Reason.Replace('_', ' ')).Append("</div>\n");
        }
        html.Append("</div>\n</body></html>\n");
        AtomicFile.WriteAllText(path, html.ToString());
    }

    private static string Encode(string text) => WebUtility.HtmlEncode(text);
}
