namespace Negentropy.Training;

/// <summary>
/// Learning rate per optimizer step. "cosine": linear warm-up from 0 to the peak over the warm-up
/// steps, then cosine decay to 0 at the last step. "constant": the peak throughout, after warm-up.
/// </summary>
public sealed class LearningRateSchedule
{
    private readonly string kind;
    private readonly double peak;
    private readonly long warmupSteps;
    private readonly long totalSteps;

    public LearningRateSchedule(string kind, double peak, long warmupSteps, long totalSteps)
    {
        if (totalSteps < 1)
        {
            throw new ArgumentOutOfRangeException(nameof(totalSteps), totalSteps, "must be at least 1");
        }
        this.kind = kind;
        this.peak = peak;
        this.warmupSteps = Math.Clamp(warmupSteps, 0, totalSteps);
        this.totalSteps = totalSteps;
    }

    /// <summary>Returns the learning rate for 0-based step <paramref name="step"/>.</summary>
    public double At(long step)
    {
        if (step < warmupSteps)
        {
            return peak * (step + 1) / warmupSteps;
        }
        if (kind == "constant")
        {
            return peak;
        }
        long decaySteps = Math.Max(1, totalSteps - warmupSteps);
        double progress = Math.Clamp((double)(step - warmupSteps) / decaySteps, 0, 1);
        return 0.5 * peak * (1 + Math.Cos(Math.PI * progress));
    }
}
