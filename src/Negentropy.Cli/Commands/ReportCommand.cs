using System.CommandLine;
using Negentropy.Reporting;

namespace Negentropy.Cli.Commands;

/// <summary><c>negentropy report DIR</c>: rebuilds a run's plots and report.html from its folder.</summary>
public sealed class ReportCommand
{
    private readonly Argument<string> runFolder = new("DIR") { Description = "The --out folder of a training run, finished or not" };

    public ReportCommand(Option<bool> verbose)
    {
        Command = new Command("report", "Rebuild the plots and report.html of a run from its folder (an interrupted run is reported from its last checkpoint)")
        {
            runFolder,
        };
        Command.SetAction(parseResult => CommandRunner.Run(_ =>
        {
            TorchRuntime.EnsureLoaded();
            string page = RunReportBuilder.Build(parseResult.GetValue(runFolder)!);
            Console.Out.WriteLine($"wrote {Path.GetFullPath(page)} and the plots in {Path.GetFullPath(Path.Combine(Path.GetDirectoryName(page)!, RunPlots.FolderName))}");
            return ExitCodes.Success;
        }, parseResult.GetValue(verbose), Console.Error));
    }

    public Command Command { get; }
}
