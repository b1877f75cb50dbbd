using Negentropy.Tests.Monitoring;
using Xunit;

namespace Negentropy.Tests.Cli;

/// <summary><c>negentropy monitor report</c>: the happy path and each bad input, which gives one error line and exit code 2.</summary>
public sealed class MonitorCommandTests : IDisposable
{
    private readonly TemporaryFolder folder = new();

    public void Dispose() => folder.Dispose();

    private string DatabasePath => folder.Combine("predictions.db");

    private static void AssertRejected(CliProcess.Outcome outcome, string expected)
    {
        Assert.Equal(2, outcome.ExitCode);
        string line = Assert.Single(outcome.ErrorLines);
        Assert.StartsWith("error: ", line);
        Assert.Contains(expected, line);
        Assert.DoesNotContain("   at ", outcome.Error);
    }

    [Fact]
    public async Task Report_DefaultsToFolderBesideDb()
    {
        await PredictionLogFiles.WriteThreeHourLogAsync(DatabasePath);

        CliProcess.Outcome outcome = CliProcess.Run("monitor", "report", "--db", DatabasePath);

        Assert.True(outcome.ExitCode == 0, outcome.Error);
        string page = folder.Combine("monitor-report", "report.html");
        Assert.Contains($"wrote the monitor report to {page}", outcome.Output);
        Assert.Contains("7 predictions from 2025-03-01 10:05 to 2025-03-01 12:00 UTC over 3 hours, 3 labels, 2 model versions, 2 alerts", outcome.Output);
        Assert.True(File.Exists(page));
    }

    [Fact]
    public async Task Report_WritesToOut()
    {
        await PredictionLogFiles.WriteThreeHourLogAsync(DatabasePath);
        string output = folder.Combine("elsewhere");

        CliProcess.Outcome outcome = CliProcess.Run("monitor", "report", "--db", DatabasePath, "--out", output);

        Assert.True(outcome.ExitCode == 0, outcome.Error);
        Assert.True(File.Exists(Path.Combine(output, "trends.csv")));
        Assert.False(Directory.Exists(folder.Combine("monitor-report")));
    }

    [Fact]
    public void MissingDb_NamesFile()
    {
        AssertRejected(CliProcess.Run("monitor", "report", "--db", DatabasePath), $"{DatabasePath}: prediction log not found");
    }

    [Fact]
    public void NotSqlite_NamesFile()
    {
        File.WriteAllText(DatabasePath, "hour,count\n10,4\n");

        AssertRejected(CliProcess.Run("monitor", "report", "--db", DatabasePath), $"{DatabasePath}: not an SQLite database");
    }

    [Fact]
    public void ForeignSqlite_NamesFile()
    {
        PredictionLogFiles.Execute(DatabasePath, "CREATE TABLE orders(id INTEGER PRIMARY KEY);");

        AssertRejected(CliProcess.Run("monitor", "report", "--db", DatabasePath), $"{DatabasePath}: not a Negentropy prediction log");
    }

    [Fact]
    public void MissingDbOption_SaysWhatToPass()
    {
        AssertRejected(CliProcess.Run("monitor", "report"), "--db is missing: pass the SQLite prediction log that 'negentropy serve' writes");
    }
}
