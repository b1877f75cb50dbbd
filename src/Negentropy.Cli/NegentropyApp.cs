using System.CommandLine;
using System.CommandLine.Parsing;
using Negentropy.Cli.Commands;

namespace Negentropy.Cli;

/// <summary>The negentropy command line: builds the command tree, reports parse errors on one line, and runs a command.</summary>
public static class NegentropyApp
{
    public static RootCommand CreateRootCommand()
    {
        var verbose = new Option<bool>("--verbose") { Description = "Print stack traces with errors", Recursive = true };
        var root = new RootCommand("Negentropy: train and evaluate classifiers, and measure how much label uncertainty they remove")
        {
            verbose,
            new TrainCommand(verbose).Command,
            new DemoCommand(verbose).Command,
            new EvalCommand(verbose).Command,
            new ReportCommand(verbose).Command,
            new CleanCommand(verbose).Command,
            new DataCommand(verbose).Command,
            new ServeCommand(verbose).Command,
            new BenchCommand(verbose).Command,
            new MonitorCommand(verbose).Command,
        };
        return root;
    }

    /// <summary>Runs the command line <paramref name="args"/> and returns the process exit code.</summary>
    public static int Run(string[] args)
    {
        RootCommand root = CreateRootCommand();
        ParseResult parseResult = root.Parse(args);
        if (parseResult.Errors.Count > 0)
        {
            // One line for all problems, with a pointer to the help instead of the whole usage text.
            string command = CommandPath(parseResult.CommandResult);
            string messages = string.Join("; ", parseResult.Errors.Select(error => error.Message.TrimEnd('.')));
            Console.Error.WriteLine($"error: {messages} (run 'negentropy {command}--help' for the options)");
            return ExitCodes.InvalidInput;
        }
        return parseResult.Invoke();
    }

    /// <summary>Returns the subcommand names below the root followed by a space, such as "data spamassassin ", or "" for the root.</summary>
    private static string CommandPath(CommandResult result)
    {
        var names = new List<string>();
        for (CommandResult? current = result; current?.Parent is not null; current = current.Parent as CommandResult)
        {
            names.Insert(0, current.Command.Name);
        }
        return names.Count == 0 ? "" : string.Join(' ', names) + " ";
    }
}
