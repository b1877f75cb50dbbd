using System.Text.Json;
using Negentropy.Monitoring;
using Xunit;
using static Negentropy.Tests.Monitoring.PredictionLogFiles;

namespace Negentropy.Tests.Monitoring;

public sealed class MonitorReportTests : IDisposable
{
    private static readonly byte[] PngSignature = { 0x89, (byte)'P', (byte)'N', (byte)'G', 0x0D, 0x0A, 0x1A, 0x0A };

    private readonly TemporaryFolder folder = new();

    public void Dispose() => folder.Dispose();

    private string DatabasePath => folder.Combine("predictions.db");

    private string OutputFolder => folder.Combine("report");

    [Fact]
    public async Task Trends_MatchKnownMix()
    {
        await WriteThreeHourLogAsync(DatabasePath);

        MonitorReport.Build(DatabasePath, OutputFolder);

        string[] lines = File.ReadAllLines(Path.Combine(OutputFolder, "trends.csv"));
        Assert.Equal(4, lines.Length);
        Assert.Equal("hour_utc,count,mean_entropy_bits,abstention_rate,mean_latency_ms,p99_latency_ms,share_cat,share_dog,share_bird,model_versions", lines[0]);
        Assert.Equal("2025-03-01T10:00:00.000Z,4,1,0.25,25,40,0.5,0.5,0,1.0.0", lines[1]);
        Assert.Equal("2025-03-01T11:00:00.000Z,2,1.125,0.5,6,7,0.5,0,0.5,1.0.0;2.0.0", lines[2]);
        Assert.Equal("2025-03-01T12:00:00.000Z,1,0.75,0,12.5,12.5,0,1,0,2.0.0", lines[3]);
    }

    [Fact]
    public async Task Summary_CountsTotals()
    {
        await WriteThreeHourLogAsync(DatabasePath);

        MonitorSummary summary = MonitorReport.Build(DatabasePath, OutputFolder);

        Assert.Equal(7, summary.Predictions);
        Assert.Equal(3, summary.Hours);
        Assert.Equal(2, summary.Alerts);
        Assert.Equal(1.0, summary.MeanEntropyBits);
        Assert.Equal(2.0 / 7, summary.AbstentionRate);
        Assert.Equal(new DateTimeOffset(2025, 3, 1, 10, 5, 0, TimeSpan.Zero), summary.FirstUtc);
        Assert.Equal(new DateTimeOffset(2025, 3, 1, 12, 0, 0, 123, TimeSpan.Zero), summary.LastUtc);
        Assert.Equal(new[] { "cat", "dog", "bird" }, summary.Labels.Keys);
        Assert.Equal(new long[] { 3, 3, 1 }, summary.Labels.Values);
        Assert.Equal(5, summary.ModelVersions["1.0.0"]);
        Assert.Equal(2, summary.ModelVersions["2.0.0"]);

        using JsonDocument json = JsonDocument.Parse(File.ReadAllText(Path.Combine(OutputFolder, "summary.json")));
        Assert.Equal(1, json.RootElement.GetProperty("format_version").GetInt32());
        Assert.Equal(7, json.RootElement.GetProperty("predictions").GetInt64());
        Assert.Equal(3, json.RootElement.GetProperty("labels").GetProperty("dog").GetInt64());
        Assert.Equal(2, json.RootElement.GetProperty("alerts").GetInt32());
    }

    [Fact]
    public async Task Alerts_AreListed()
    {
        await WriteThreeHourLogAsync(DatabasePath);

        MonitorReport.Build(DatabasePath, OutputFolder);

        string[] lines = File.ReadAllLines(Path.Combine(OutputFolder, "alerts.csv"));
        Assert.Equal(3, lines.Length);
        Assert.Equal("ts_utc,rule,metric,class_name,value,threshold,comparison,window,window_count,model_version,message", lines[0]);
        Assert.Equal("2025-03-01T10:30:00.000Z,dog-share,class_psi,dog,0.31,0.2,above,count,500,1.0.0,dog-share: class_psi 0.31 above 0.2 over 500 predictions", lines[1]);
        Assert.Equal("2025-03-01T11:45:00.000Z,mean-entropy,class_psi,,0.31,0.2,above,count,500,1.0.0,\"mean entropy, \"\"high\"\"\"", lines[2]);
    }

    [Fact]
    public async Task PlotsAndPage_AreWritten()
    {
        await WriteThreeHourLogAsync(DatabasePath);

        MonitorReport.Build(DatabasePath, OutputFolder);

        foreach (string name in new[] { "class_shares.png", "mean_entropy.png", "abstention_rate.png", "volume.png" })
        {
            byte[] header = File.ReadAllBytes(Path.Combine(OutputFolder, "plots", name)).Take(8).ToArray();
            Assert.Equal(PngSignature, header);
        }
        string html = File.ReadAllText(Path.Combine(OutputFolder, "report.html"));
        Assert.StartsWith("<!DOCTYPE html>", html);
        foreach (string label in new[] { "cat", "dog", "bird" })
        {
            Assert.Contains($"<td>{label}</td>", html);
        }
        Assert.Contains("dog-share: class_psi 0.31 above 0.2 over 500 predictions", html);
        Assert.Contains("mean entropy, &quot;high&quot;", html);
        Assert.Equal(4, html.Split("data:image/png;base64,").Length - 1);
        Assert.DoesNotContain("<script", html);
    }

    [Fact]
    public async Task EmptyLog_SaysNothingWasLogged()
    {
        await PredictionLog.Open(DatabasePath, new PredictionLogOptions(), TimeProvider.System, new ListLogger()).DisposeAsync();

        MonitorSummary summary = MonitorReport.Build(DatabasePath, OutputFolder);

        Assert.Equal(0, summary.Predictions);
        Assert.Null(summary.FirstUtc);
        Assert.Null(summary.MeanEntropyBits);
        Assert.Equal("no predictions were logged, 0 alerts", summary.Describe());
        Assert.Contains("No predictions were logged", File.ReadAllText(Path.Combine(OutputFolder, "report.html")));
        Assert.Single(File.ReadAllLines(Path.Combine(OutputFolder, "trends.csv")));
        Assert.False(Directory.Exists(Path.Combine(OutputFolder, "plots")), "an empty log has nothing to plot");
    }

    [Fact]
    public void MissingFile_NamesFile()
    {
        var exception = Assert.Throws<UserInputException>(() => MonitorReport.Build(DatabasePath, OutputFolder));

        Assert.Equal($"{DatabasePath}: prediction log not found; pass the SQLite file that 'negentropy serve' writes its predictions to", exception.Message);
        Assert.False(Directory.Exists(OutputFolder), "a rejected log must not create the report folder");
    }

    [Fact]
    public void ForeignSqlite_NamesFile()
    {
        Execute(DatabasePath, "CREATE TABLE orders(id INTEGER PRIMARY KEY);");

        var exception = Assert.Throws<UserInputException>(() => MonitorReport.Build(DatabasePath, OutputFolder));

        Assert.StartsWith($"{DatabasePath}: not a Negentropy prediction log", exception.Message);
    }

    [Fact]
    public async Task OutputPathIsFile_IsRejected()
    {
        await WriteThreeHourLogAsync(DatabasePath);
        File.WriteAllText(OutputFolder, "x");

        var exception = Assert.Throws<UserInputException>(() => MonitorReport.Build(DatabasePath, OutputFolder));

        Assert.Equal($"{OutputFolder} is a file; pass a folder for the monitor report", exception.Message);
    }
}
