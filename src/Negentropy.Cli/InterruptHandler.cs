using System.Runtime.InteropServices;

namespace Negentropy.Cli;

/// <summary>
/// Turns the first Ctrl-C or SIGTERM into a cancellation, so that training writes its last checkpoint
/// and stops. A second Ctrl-C ends the process at once.
/// </summary>
public sealed class InterruptHandler : IDisposable
{
    private readonly CancellationTokenSource cancellation;
    private readonly TextWriter error;
    private readonly string stopping;
    private readonly PosixSignalRegistration? terminate;

    private InterruptHandler(CancellationTokenSource cancellation, TextWriter error, string stopping)
    {
        this.cancellation = cancellation;
        this.error = error;
        this.stopping = stopping;
        Console.CancelKeyPress += OnCancelKeyPress;
        if (!OperatingSystem.IsWindows())
        {
            terminate = PosixSignalRegistration.Create(PosixSignal.SIGTERM, context =>
            {
                context.Cancel = true;
                RequestStop("SIGTERM");
            });
        }
    }

    /// <summary>"Ctrl-C" or "SIGTERM" once a stop was requested, else null.</summary>
    public string? Signal { get; private set; }

    /// <param name="stopping">What the command does after the signal, printed after "SIGNAL: ".</param>
    public static InterruptHandler Install(CancellationTokenSource cancellation, TextWriter error, string stopping = DefaultStopping) => new(cancellation, error, stopping);

    /// <summary>What a training command does after Ctrl-C or SIGTERM.</summary>
    public const string DefaultStopping = "stopping after the current step and writing the last checkpoint";

    public void Dispose()
    {
        Console.CancelKeyPress -= OnCancelKeyPress;
        terminate?.Dispose();
    }

    private void OnCancelKeyPress(object? sender, ConsoleCancelEventArgs args)
    {
        if (cancellation.IsCancellationRequested)
        {
            return;
        }
        args.Cancel = true;
        RequestStop("Ctrl-C");
    }

    private void RequestStop(string source)
    {
        if (Signal is not null)
        {
            return;
        }
        Signal = source;
        string abort = source == "Ctrl-C" ? " (Ctrl-C again aborts at once)" : "";
        error.WriteLine($"{source}: {stopping}{abort}");
        cancellation.Cancel();
    }
}
