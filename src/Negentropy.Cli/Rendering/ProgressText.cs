using System.Globalization;
using Negentropy.Training;

namespace Negentropy.Cli.Rendering;

/// <summary>Text shared by the progress renderers.</summary>
public static class ProgressText
{
    public static string StepLine(StepProgress progress) => string.Create(CultureInfo.InvariantCulture,
        $"epoch {progress.Epoch}/{progress.Epochs} step {progress.Step}/{progress.Steps} loss {progress.Loss:F4} acc {progress.Accuracy:F4} {progress.SamplesPerSecond:F0} img/s lr {progress.LearningRate:g3} eta {Duration(progress.RemainingSeconds)}");

    public static string EpochSummary(EpochMetrics metrics, bool improved) => string.Create(CultureInfo.InvariantCulture,
        $"epoch {metrics.Epoch} done: train_loss {metrics.TrainLoss:F4} train_acc {metrics.TrainAccuracy:F4} val_loss {metrics.ValidationLoss:F4} val_acc {metrics.ValidationAccuracy:F4} val_entropy {metrics.ValidationMeanEntropyBits:F3} bits, {metrics.Seconds:F1} s, {metrics.TrainSamplesPerSecond:F0} img/s{(improved ? " (best so far)" : "")}");

    /// <summary>Formats seconds as m:ss, or "?" when unknown.</summary>
    public static string Duration(double seconds)
    {
        if (double.IsNaN(seconds) || double.IsInfinity(seconds) || seconds < 0)
        {
            return "?";
        }
        var span = TimeSpan.FromSeconds(Math.Round(seconds));
        return string.Create(CultureInfo.InvariantCulture, $"{(int)span.TotalMinutes}:{span.Seconds:D2}");
    }
}
