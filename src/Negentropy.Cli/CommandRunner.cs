namespace Negentropy.Cli;

/// <summary>
/// Runs a command body and turns its exceptions into one-line errors on stderr with an exit code.
/// The stack trace is printed only with --verbose.
/// </summary>
public static class CommandRunner
{
    public const string ResumeHint = "the last checkpoint was written, continue with --resume on the same --out folder";

    /// <param name="interruptHint">What the user can do after Ctrl-C or SIGTERM, printed after "stopped by SIGNAL; ".</param>
    /// <param name="stopping">What the command does when the signal arrives, printed after "SIGNAL: ".</param>
    public static int Run(Func<CancellationToken, int> body, bool verbose, TextWriter error, string interruptHint = ResumeHint,
        string stopping = InterruptHandler.DefaultStopping)
    {
        using var cancellation = new CancellationTokenSource();
        using InterruptHandler interrupts = InterruptHandler.Install(cancellation, error, stopping);
        try
        {
            return body(cancellation.Token);
        }
        catch (UserInputException exception)
        {
            WriteError(error, exception.Message, exception, verbose);
            return ExitCodes.InvalidInput;
        }
        catch (OperationCanceledException exception) when (cancellation.IsCancellationRequested)
        {
            error.WriteLine($"stopped by {interrupts.Signal}; {interruptHint}");
            if (verbose)
            {
                error.WriteLine(exception.ToString());
            }
            return interrupts.Signal == "SIGTERM" ? ExitCodes.Terminated : ExitCodes.Interrupted;
        }
        catch (Exception exception)
        {
            WriteError(error, $"{exception.GetType().Name}: {exception.Message} (run with --verbose for the stack trace)", exception, verbose);
            return ExitCodes.Failure;
        }
    }

    private static void WriteError(TextWriter error, string message, Exception exception, bool verbose)
    {
        // One line: messages from libtorch can span several.
        string firstLine = message.Split('\n', 2)[0].TrimEnd('\r');
        error.WriteLine($"error: {firstLine}");
        if (verbose)
        {
            error.WriteLine(exception.ToString());
        }
    }
}
