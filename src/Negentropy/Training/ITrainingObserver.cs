namespace Negentropy.Training;

/// <summary>Receives training events; the CLI renders them as a progress bar or as plain lines.</summary>
public interface ITrainingObserver
{
    /// <summary>A decision made at start-up, such as the thread count or the data sizes.</summary>
    void OnDecision(string name, string value);

    void OnEpochStart(int epoch, int epochs, int steps);

    /// <summary>Progress within an epoch; losses and accuracies are running means over the epoch so far.</summary>
    void OnStep(StepProgress progress);

    void OnEpochEnd(EpochMetrics metrics, bool improved);

    /// <summary>A notable event, such as early stopping or a checkpoint resumed.</summary>
    void OnMessage(string message);
}

/// <summary>Running figures of the current epoch; <paramref name="ElapsedSeconds"/> counts the epoch's training time so far.</summary>
public sealed record StepProgress(int Epoch, int Epochs, int Step, int Steps, double Loss, double Accuracy, double SamplesPerSecond, double LearningRate, double ElapsedSeconds)
{
    /// <summary>Estimated seconds to the end of the epoch's training steps, from the mean time per step so far.</summary>
    public double RemainingSeconds => Step == 0 ? double.NaN : ElapsedSeconds / Step * (Steps - Step);
}

/// <summary>An observer that ignores every event.</summary>
public sealed class NullTrainingObserver : ITrainingObserver
{
    public static NullTrainingObserver Instance { get; } = new();

    public void OnDecision(string name, string value)
    {
    }

    public void OnEpochStart(int epoch, int epochs, int steps)
    {
    }

    public void OnStep(StepProgress progress)
    {
    }

    public void OnEpochEnd(EpochMetrics metrics, bool improved)
    {
    }

    public void OnMessage(string message)
    {
    }
}
