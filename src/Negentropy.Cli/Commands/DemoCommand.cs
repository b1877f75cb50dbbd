using System.CommandLine;
using System.Diagnostics;
using Negentropy.Data;
using Negentropy.Reporting;
using Negentropy.Training;

namespace Negentropy.Cli.Commands;

/// <summary>
/// <c>negentropy demo</c>: the main job from a fresh machine. It installs Debian's Fashion-MNIST
/// package when the files are missing and the user is root, trains the default CNN on the full
/// training set, and prints the classification report. An unfinished demo run is resumed; a finished
/// one is replaced.
/// </summary>
public sealed class DemoCommand
{
    public const string DefaultOutput = "runs/demo";

    private readonly Option<string> output = new("--out") { Description = "Folder for the run's outputs", DefaultValueFactory = _ => DefaultOutput };
    private readonly Option<int> epochs = NumberOptions.Integer("--epochs", "Maximum number of epochs", TrainingOptions.DefaultEpochs);
    private readonly Option<int?> threads = NumberOptions.OptionalInteger("--threads", "libtorch intra-op threads (default: processor count)");
    private readonly Option<string> progress = new("--progress") { Description = "auto, bar or plain", DefaultValueFactory = _ => "auto" };

    public DemoCommand(Option<bool> verbose)
    {
        Command = new Command("demo", "Install Fashion-MNIST if needed, train the CNN on all 60,000 training images and print the report")
        {
            output, epochs, threads, progress,
        };
        Command.SetAction(parseResult => CommandRunner.Run(token => Execute(parseResult, token), parseResult.GetValue(verbose), Console.Error));
    }

    public Command Command { get; }

    private int Execute(ParseResult parseResult, CancellationToken cancellationToken)
    {
        EnsureFashionMnist();
        string outputDirectory = parseResult.GetValue(output)!;
        string progressMode = TrainCommand.RequireProgressMode(parseResult.GetValue(progress)!);

        var options = new TrainingOptions { Epochs = parseResult.GetValue(epochs), Threads = parseResult.GetValue(threads) };
        options.ThrowIfInvalid();
        string lastCheckpoint = Path.Combine(outputDirectory, TrainingRun.CheckpointFolderName, Trainer.LastCheckpointName);

        TrainingRun.Result result;
        if (File.Exists(lastCheckpoint) && !Checkpoint.ReadState(lastCheckpoint).IsFinished)
        {
            Console.Out.WriteLine($"an unfinished demo run is in {outputDirectory}; resuming it");
            result = TrainCommand.WithObserver(progressMode, 10, observer =>
                TrainingRun.Resume(outputDirectory, options.Epochs, options.Threads, observer, cancellationToken));
        }
        else
        {
            result = TrainCommand.WithObserver(progressMode, 10, observer =>
                TrainingRun.Start(options, outputDirectory, observer, cancellationToken, overwrite: true));
        }

        Console.Out.WriteLine();
        Console.Out.Write(result.Evaluation.ToText());
        Console.Out.Write(RunReport.TemperatureText(result.Temperature));
        Console.Out.Write(RunReport.AbstentionText(result.Manifest.Abstention));
        Console.Out.WriteLine();
        Console.Out.WriteLine($"test accuracy {result.Evaluation.Accuracy:P2} after {result.State.EpochsCompleted} epochs (best epoch {result.State.BestEpoch}); outputs in {Path.GetFullPath(outputDirectory)}");
        return ExitCodes.Success;
    }

    private static void EnsureFashionMnist()
    {
        if (FashionMnist.IsInstalled())
        {
            return;
        }
        if (Environment.UserName != "root" || !File.Exists("/usr/bin/apt-get"))
        {
            throw new UserInputException(
                $"Fashion-MNIST not found in {FashionMnist.DefaultDirectory}: install it with 'sudo apt-get install {FashionMnist.DebianPackage}', then run the demo again");
        }

        Console.Out.WriteLine($"Fashion-MNIST not found; installing Debian's {FashionMnist.DebianPackage} with apt-get");
        if (RunAptGet("install", "-y", "-q", FashionMnist.DebianPackage) != 0)
        {
            // A fresh machine may have no package lists yet.
            RunAptGet("update", "-q");
            if (RunAptGet("install", "-y", "-q", FashionMnist.DebianPackage) != 0)
            {
                throw new InvalidOperationException($"apt-get install {FashionMnist.DebianPackage} failed; its output is above");
            }
        }
        if (!FashionMnist.IsInstalled())
        {
            throw new InvalidOperationException($"{FashionMnist.DebianPackage} is installed but {FashionMnist.DefaultDirectory} lacks the IDX files");
        }
    }

    private static int RunAptGet(params string[] arguments)
    {
        var start = new ProcessStartInfo("/usr/bin/apt-get") { UseShellExecute = false };
        foreach (string argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }
        start.Environment["DEBIAN_FRONTEND"] = "noninteractive";
        using Process process = Process.Start(start) ?? throw new InvalidOperationException("apt-get failed to start");
        process.WaitForExit();
        return process.ExitCode;
    }
}
