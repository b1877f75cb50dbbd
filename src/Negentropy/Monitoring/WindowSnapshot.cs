namespace Negentropy.Monitoring;

/// <summary>The predictions in one sliding window at one moment, aggregated for drift scoring.</summary>
/// <param name="Window">"count" for the last N predictions or "time" for those of the last T seconds.</param>
/// <param name="PredictionCount">Predictions in the window.</param>
/// <param name="ClassCounts">Predictions of each class, in class order.</param>
/// <param name="EntropiesBits">Predictive entropies in bits, oldest first: all of them, or an evenly spaced sample of <see cref="PredictionWindow.MaxEntropySample"/> when the window is larger.</param>
/// <param name="Abstentions">Predictions where the model abstained.</param>
public sealed record WindowSnapshot(
    string Window,
    int PredictionCount,
    IReadOnlyList<int> ClassCounts,
    IReadOnlyList<double> EntropiesBits,
    int Abstentions)
{
    public const string CountWindow = "count";
    public const string TimeWindow = "time";
}
