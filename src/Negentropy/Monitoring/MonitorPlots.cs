using System.Globalization;
using Negentropy.Reporting;
using ScottPlot;

namespace Negentropy.Monitoring;

/// <summary>
/// PNG plots of a monitor report (ScottPlot), one point per UTC hour with predictions, written atomically into
/// OUT/plots: class_shares.png (one line per predicted label), mean_entropy.png, abstention_rate.png and volume.png.
/// </summary>
public static class MonitorPlots
{
    public const string FolderName = "plots";
    public const string ClassSharesFileName = "class_shares.png";
    public const string MeanEntropyFileName = "mean_entropy.png";
    public const string AbstentionRateFileName = "abstention_rate.png";
    public const string VolumeFileName = "volume.png";

    /// <summary>Every plot file name, in display order.</summary>
    public static IReadOnlyList<string> FileNames { get; } = new[] { ClassSharesFileName, MeanEntropyFileName, AbstentionRateFileName, VolumeFileName };

    private const int Width = 720;
    private const int Height = 440;

    /// <summary>
    /// Writes the four plots into OUT/plots and returns their file names, or deletes plots of an earlier report and
    /// returns an empty list when <paramref name="trends"/> is empty.
    /// </summary>
    public static IReadOnlyList<string> Write(string outputDirectory, IReadOnlyList<HourlyTrend> trends, IReadOnlyList<string> labels)
    {
        string folder = Path.Combine(outputDirectory, FolderName);
        if (trends.Count == 0)
        {
            foreach (string name in FileNames.Where(name => File.Exists(Path.Combine(folder, name))))
            {
                File.Delete(Path.Combine(folder, name));
            }
            return Array.Empty<string>();
        }

        // Hour starts as OLE Automation dates, the x unit of ScottPlot's date-time axis.
        double[] hours = trends.Select(t => t.HourUtc.UtcDateTime.ToOADate()).ToArray();
        Save(folder, ClassSharesFileName, Lines("Share of predicted classes per hour", "share of predictions", hours,
            labels.Select(label => (label, trends.Select(t => t.Share(label)).ToArray())).ToArray()));
        Save(folder, MeanEntropyFileName, Lines("Mean predictive entropy per hour", "bits", hours,
            ("mean entropy", trends.Select(t => t.MeanEntropyBits).ToArray())));
        Save(folder, AbstentionRateFileName, Lines("Abstention rate per hour", "share of predictions", hours,
            ("abstention rate", trends.Select(t => t.AbstentionRate).ToArray())));
        Save(folder, VolumeFileName, Volume(hours, trends));
        return FileNames;
    }

    private static void Save(string folder, string name, Plot plot) =>
        AtomicFile.Write(Path.Combine(folder, name), stream => stream.Write(plot.GetImageBytes(Width, Height, ImageFormat.Png)));

    private static Plot Lines(string title, string yLabel, double[] hours, params (string Label, double[] Values)[] series)
    {
        var plot = new Plot();
        foreach ((string label, double[] values) in series)
        {
            var line = plot.Add.Scatter(hours, values);
            if (series.Length > 1)
            {
                line.LegendText = label;
            }
            line.LineWidth = 2;
            line.MarkerSize = 6;
        }
        plot.Title(title);
        plot.YLabel(yLabel);
        FormatHourAxis(plot, hours);
        if (series.Length > 1)
        {
            // Beside the axes, so the legend never hides the last hours.
            plot.ShowLegend(Edge.Right);
        }
        return plot;
    }

    private static Plot Volume(double[] hours, IReadOnlyList<HourlyTrend> trends)
    {
        var plot = new Plot();
        var bars = plot.Add.Bars(hours, trends.Select(t => (double)t.Count).ToArray());
        foreach (Bar bar in bars.Bars)
        {
            // 80 % of an hour, in days.
            bar.Size = 0.8 / 24;
        }
        // Bars start at zero, without the default margin below them.
        plot.Axes.Margins(bottom: 0);
        plot.Title("Predictions per hour");
        plot.YLabel("predictions");
        FormatHourAxis(plot, hours);
        return plot;
    }

    private static void FormatHourAxis(Plot plot, double[] hours)
    {
        var axis = plot.Axes.DateTimeTicksBottom();
        if (axis.TickGenerator is ScottPlot.TickGenerators.DateTimeAutomatic ticks)
        {
            // ISO dates, because ScottPlot's default month/day/year order is ambiguous outside the US.
            ticks.LabelFormatter = time => time.ToString("yyyy-MM-dd\nHH:mm", CultureInfo.InvariantCulture);
        }
        // Room for the half of the last tick label that extends past the data area.
        plot.Axes.Right.MinimumSize = 40;
        plot.XLabel("hour (UTC)");
        double oneHour = 1.0 / 24;
        plot.Axes.SetLimitsX(hours[0] - oneHour, hours[^1] + oneHour);
    }
}
