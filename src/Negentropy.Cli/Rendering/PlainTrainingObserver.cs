using System.Globalization;
using Negentropy.Training;

namespace Negentropy.Cli.Rendering;

/// <summary>
/// Prints training events as plain lines, for logs and CI: every start-up decision, a progress line
/// at most once per interval, and one line per epoch.
/// </summary>
public sealed class PlainTrainingObserver : ITrainingObserver
{
    public const double DefaultIntervalSeconds = 10;

    private readonly TextWriter output;
    private readonly TimeSpan interval;
    private readonly TimeProvider time;
    private long lastLine;

    public PlainTrainingObserver(TextWriter output, double intervalSeconds = DefaultIntervalSeconds, TimeProvider? time = null)
    {
        this.output = output;
        this.interval = TimeSpan.FromSeconds(intervalSeconds);
        this.time = time ?? TimeProvider.System;
        lastLine = this.time.GetTimestamp();
    }

    public void OnDecision(string name, string value) => output.WriteLine($"[setup] {name}: {value}");

    public void OnEpochStart(int epoch, int epochs, int steps) => lastLine = time.GetTimestamp();

    public void OnStep(StepProgress progress)
    {
        if (progress.Step == progress.Steps || time.GetElapsedTime(lastLine) < interval)
        {
            return;
        }
        lastLine = time.GetTimestamp();
        output.WriteLine(ProgressText.StepLine(progress));
    }

    public void OnEpochEnd(EpochMetrics metrics, bool improved) =>
        output.WriteLine(ProgressText.EpochSummary(metrics, improved));

    public void OnMessage(string message) => output.WriteLine(message);
}
