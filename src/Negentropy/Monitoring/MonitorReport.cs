using System.Text.Json;
using Negentropy.Reporting;

namespace Negentropy.Monitoring;

/// <summary>
/// Builds a report of a prediction log: trends.csv and alerts.csv (<see cref="MonitorCsv"/>), summary.json
/// (<see cref="MonitorSummary"/>), the plots (<see cref="MonitorPlots"/>) and report.html (<see cref="MonitorHtml"/>).
/// Every file is written atomically.
/// </summary>
public static class MonitorReport
{
    /// <summary>Name of the default output folder, created beside the prediction log.</summary>
    public const string DefaultFolderName = "monitor-report";

    /// <summary>Returns the folder "monitor-report" beside <paramref name="dbPath"/>.</summary>
    public static string DefaultOutputDirectory(string dbPath) =>
        Path.Combine(Path.GetDirectoryName(Path.GetFullPath(dbPath))!, DefaultFolderName);

    /// <summary>
    /// Reads the prediction log at <paramref name="dbPath"/> read-only and writes the report files into
    /// <paramref name="outputDirectory"/>, creating it when needed. For an empty log, the report states that no predictions were logged.
    /// </summary>
    /// <returns>The totals that summary.json contains.</returns>
    /// <exception cref="UserInputException">
    /// The log is missing, is not SQLite or is not a Negentropy prediction log, or the output path is a file.
    /// </exception>
    public static MonitorSummary Build(string dbPath, string outputDirectory)
    {
        using PredictionLogReader reader = PredictionLogReader.Open(dbPath);
        if (File.Exists(outputDirectory))
        {
            throw new UserInputException($"{outputDirectory} is a file; pass a folder for the monitor report");
        }

        var totals = new Totals();
        List<HourlyTrend> trends = HourlyTrend.Compute(totals.Observe(reader.ReadPredictions())).ToList();
        List<Alert> alerts = reader.ReadAlerts().ToList();
        IReadOnlyList<string> labels = totals.OrderedLabels();
        MonitorSummary summary = totals.ToSummary(reader.Path, trends.Count, alerts.Count, labels);

        try
        {
            Directory.CreateDirectory(outputDirectory);
        }
        catch (Exception exception) when (exception is IOException or UnauthorizedAccessException)
        {
            throw new UserInputException($"{outputDirectory}: the report folder cannot be created ({exception.Message}); pass another --out folder", exception);
        }
        MonitorCsv.WriteTrends(Path.Combine(outputDirectory, MonitorCsv.TrendsFileName), trends, labels);
        MonitorCsv.WriteAlerts(Path.Combine(outputDirectory, MonitorCsv.AlertsFileName), alerts);
        AtomicFile.WriteAllText(Path.Combine(outputDirectory, MonitorSummary.FileName), JsonSerializer.Serialize(summary, JsonFormats.Indented) + "\n");
        IReadOnlyList<string> plots = MonitorPlots.Write(outputDirectory, trends, labels);
        MonitorHtml.Write(outputDirectory, summary, trends, labels, alerts, plots);
        return summary;
    }

    /// <summary>Running totals over the whole log, taken while the hourly trends stream past.</summary>
    private sealed class Totals
    {
        private readonly Dictionary<string, long> labelCounts = new(StringComparer.Ordinal);
        private readonly Dictionary<string, int> labelFirstIndex = new(StringComparer.Ordinal);
        private readonly SortedDictionary<string, long> versionCounts = new(StringComparer.Ordinal);
        private long count;
        private long abstentions;
        private double entropySum;
        private DateTimeOffset? first;
        private DateTimeOffset? last;

        public IEnumerable<PredictionRecord> Observe(IEnumerable<PredictionRecord> predictions)
        {
            foreach (PredictionRecord record in predictions)
            {
                count++;
                abstentions += record.Abstain ? 1 : 0;
                entropySum += record.EntropyBits;
                first ??= record.TimestampUtc;
                last = record.TimestampUtc;
                labelCounts[record.Label] = labelCounts.GetValueOrDefault(record.Label) + 1;
                labelFirstIndex[record.Label] = Math.Min(labelFirstIndex.GetValueOrDefault(record.Label, int.MaxValue), record.ClassIndex);
                versionCounts[record.ModelVersion] = versionCounts.GetValueOrDefault(record.ModelVersion) + 1;
                yield return record;
            }
        }

        /// <summary>Returns the labels seen, by their lowest class index and then by name.</summary>
        public IReadOnlyList<string> OrderedLabels() =>
            labelCounts.Keys.OrderBy(label => labelFirstIndex[label]).ThenBy(label => label, StringComparer.Ordinal).ToArray();

        public MonitorSummary ToSummary(string database, int hours, int alerts, IReadOnlyList<string> labels) => new()
        {
            Database = database,
            Predictions = count,
            FirstUtc = first,
            LastUtc = last,
            Hours = hours,
            MeanEntropyBits = count == 0 ? null : entropySum / count,
            AbstentionRate = count == 0 ? null : (double)abstentions / count,
            Labels = labels.ToDictionary(label => label, label => labelCounts[label]),
            ModelVersions = new Dictionary<string, long>(versionCounts),
            Alerts = alerts,
        };
    }
}
