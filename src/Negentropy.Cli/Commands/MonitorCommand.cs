using System.CommandLine;
using Negentropy.Monitoring;

namespace Negentropy.Cli.Commands;

/// <summary><c>negentropy monitor report</c>: builds trend tables, plots and a page from a server's prediction log.</summary>
public sealed class MonitorCommand
{
    private readonly Option<string?> database = new("--db") { Description = "The SQLite prediction log that 'negentropy serve' writes (required)" };
    private readonly Option<string?> output = new("--out") { Description = $"Folder for the report (default: '{MonitorReport.DefaultFolderName}' beside the --db file)" };

    public MonitorCommand(Option<bool> verbose)
    {
        var report = new Command("report",
            "Write hourly trends (trends.csv), alerts.csv, summary.json, plots and a self-contained report.html from a prediction log; the log is opened read-only")
        {
            database, output,
        };
        report.SetAction(parseResult => CommandRunner.Run(_ => RunReport(parseResult), parseResult.GetValue(verbose), Console.Error));

        Command = new Command("monitor", "Inspect what a served model predicted")
        {
            report,
        };
    }

    public Command Command { get; }

    private int RunReport(ParseResult parseResult)
    {
        string databasePath = parseResult.GetValue(database)
            ?? throw new UserInputException("--db is missing: pass the SQLite prediction log that 'negentropy serve' writes");
        if (databasePath.Length == 0)
        {
            throw new UserInputException("--db is empty; pass the SQLite prediction log that 'negentropy serve' writes");
        }
        string outputFolder = parseResult.GetValue(output) ?? MonitorReport.DefaultOutputDirectory(databasePath);
        if (outputFolder.Length == 0)
        {
            throw new UserInputException("--out is empty; pass a folder for the report, or omit --out to use the default");
        }

        MonitorSummary summary = MonitorReport.Build(databasePath, outputFolder);
        Console.Out.WriteLine($"wrote the monitor report to {Path.GetFullPath(Path.Combine(outputFolder, MonitorHtml.FileName))}");
        Console.Out.WriteLine(summary.Describe());
        return ExitCodes.Success;
    }
}
