namespace Negentropy.Cli;

/// <summary>Process exit codes of the negentropy command.</summary>
public static class ExitCodes
{
    public const int Success = 0;

    /// <summary>An unexpected failure: a bug or an environment problem.</summary>
    public const int Failure = 1;

    /// <summary>Invalid input: a path, a file's content or an option value.</summary>
    public const int InvalidInput = 2;

    /// <summary>Stopped by Ctrl-C (SIGINT) after writing a checkpoint: 128 + 2, as shells report it.</summary>
    public const int Interrupted = 130;

    /// <summary>Stopped by SIGTERM after writing a checkpoint: 128 + 15.</summary>
    public const int Terminated = 143;
}
