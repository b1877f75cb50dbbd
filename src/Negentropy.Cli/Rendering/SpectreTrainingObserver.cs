using Negentropy.Training;
using Spectre.Console;

namespace Negentropy.Cli.Rendering;

/// <summary>
/// Renders training on a terminal: one Spectre.Console progress bar per epoch with loss, accuracy,
/// images/s and ETA. Decisions and messages are written above the live bars.
/// </summary>
public sealed class SpectreTrainingObserver : ITrainingObserver
{
    private readonly ProgressContext context;
    private readonly IAnsiConsole console;
    private ProgressTask? current;

    public SpectreTrainingObserver(ProgressContext context, IAnsiConsole console)
    {
        this.context = context;
        this.console = console;
    }

    /// <summary>Runs <paramref name="body"/> inside a live progress display on <paramref name="console"/>.</summary>
    public static T Render<T>(IAnsiConsole console, Func<ITrainingObserver, T> body)
    {
        T result = default!;
        console.Progress()
            .AutoClear(false)
            .HideCompleted(false)
            .Columns(
                new TaskDescriptionColumn { Alignment = Justify.Left },
                new ProgressBarColumn(),
                new PercentageColumn(),
                new RemainingTimeColumn(),
                new SpinnerColumn())
            .Start(context => result = body(new SpectreTrainingObserver(context, console)));
        return result;
    }

    public void OnDecision(string name, string value) =>
        console.MarkupLine($"[grey]{Markup.Escape(name)}:[/] {Markup.Escape(value)}");

    public void OnEpochStart(int epoch, int epochs, int steps)
    {
        current = context.AddTask(Markup.Escape($"epoch {epoch}/{epochs}"), maxValue: steps);
    }

    public void OnStep(StepProgress progress)
    {
        if (current is null)
        {
            return;
        }
        current.Value = progress.Step;
        current.Description = Markup.Escape(FormattableString.Invariant(
            $"epoch {progress.Epoch}/{progress.Epochs} loss {progress.Loss:F4} acc {progress.Accuracy:F4} {progress.SamplesPerSecond:F0} img/s"));
    }

    public void OnEpochEnd(EpochMetrics metrics, bool improved)
    {
        if (current is not null)
        {
            current.Value = current.MaxValue;
            current.Description = Markup.Escape(FormattableString.Invariant(
                $"epoch {metrics.Epoch} loss {metrics.TrainLoss:F4} val_loss {metrics.ValidationLoss:F4} val_acc {metrics.ValidationAccuracy:F4} {metrics.Seconds:F0} s")) + (improved ? " [green]best[/]" : "");
            current.StopTask();
        }
    }

    public void OnMessage(string message) => console.MarkupLine(Markup.Escape(message));
}
