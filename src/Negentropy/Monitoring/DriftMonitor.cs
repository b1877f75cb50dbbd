using System.Globalization;

namespace Negentropy.Monitoring;

/// <summary>
/// Compares live predictions with the monitoring reference over a count window and a time window, and
/// fires alerts when configured rules start to hold.
/// </summary>
/// <remarks>
/// <see cref="Record(DateTimeOffset, int, double, bool)"/> may be called from many request threads at once;
/// it takes only the window's short lock. <see cref="Evaluate(DateTimeOffset, string)"/> and
/// <see cref="ResetReference"/> serialize with each other.
/// <para>
/// Alerts are edge-triggered per episode. An episode of a rule starts at an evaluation where its condition
/// is true after one where it was not (or at the first evaluation), and ends at the next evaluation where the
/// condition is false. Each episode fires at most one alert: at its start, or, when the rule fired less
/// than <see cref="AlertConfig.Cooldown"/> before, at the first evaluation of the episode after the cooldown
/// ends. A rule whose window contains fewer than <see cref="AlertWindowOptions.MinCount"/> predictions is not
/// evaluated, and its episode state stays as it was.
/// </para>
/// </remarks>
public sealed class DriftMonitor
{
    private readonly object evaluationGate = new();
    private readonly TimeProvider timeProvider;
    private readonly RuleState[] ruleStates;
    private volatile ModelState model;
    private long droppedRecords;

    /// <exception cref="UserInputException">A rule names a class the reference does not have.</exception>
    public DriftMonitor(MonitoringReference reference, AlertConfig config, TimeProvider timeProvider)
    {
        Config = config;
        this.timeProvider = timeProvider;
        ruleStates = config.Rules.Select(_ => new RuleState()).ToArray();
        model = CreateModelState(reference);
    }

    public AlertConfig Config { get; }

    public MonitoringReference Reference => model.Reference;

    /// <summary>Predictions that <see cref="Record(DateTimeOffset, int, double, bool)"/> rejected since the monitor was created.</summary>
    public long DroppedRecords => Interlocked.Read(ref droppedRecords);

    /// <summary>Adds one prediction to both windows.</summary>
    /// <returns>
    /// False, and the prediction is dropped and counted in <see cref="DroppedRecords"/>, when the class index is
    /// not a class of the current reference (a prediction of a model that <see cref="ResetReference"/> just
    /// replaced) or the entropy is not a non-negative number.
    /// </returns>
    public bool Record(DateTimeOffset time, int classIndex, double entropyBits, bool abstain)
    {
        PredictionWindow window = model.Window;
        if ((uint)classIndex >= (uint)window.NumClasses || !(entropyBits >= 0))
        {
            Interlocked.Increment(ref droppedRecords);
            return false;
        }
        window.Record(time, classIndex, entropyBits, abstain);
        return true;
    }

    /// <summary>Adds one prediction at the current time of the monitor's <see cref="TimeProvider"/>.</summary>
    public bool Record(int classIndex, double entropyBits, bool abstain) =>
        Record(timeProvider.GetUtcNow(), classIndex, entropyBits, abstain);

    /// <summary>Scores both windows at <paramref name="now"/> and returns them with the alerts that fired.</summary>
    /// <param name="modelVersion">The serving model's version, copied into each alert.</param>
    public DriftEvaluation Evaluate(DateTimeOffset now, string modelVersion)
    {
        lock (evaluationGate)
        {
            ModelState current = model;
            (WindowSnapshot countWindow, WindowSnapshot timeWindow) = current.Window.Snapshot(now);
            DriftScores? countScores = countWindow.PredictionCount > 0 ? DriftScores.Compute(current.Reference, countWindow) : null;
            DriftScores? timeScores = timeWindow.PredictionCount > 0 ? DriftScores.Compute(current.Reference, timeWindow) : null;

            var fired = new List<Alert>();
            for (int i = 0; i < Config.Rules.Count; i++)
            {
                AlertRule rule = Config.Rules[i];
                DriftScores? scores = rule.Window == WindowSnapshot.TimeWindow ? timeScores : countScores;
                if (scores is null || scores.PredictionCount < Config.Windows.MinCount)
                {
                    continue;
                }
                double value = scores.Metric(rule.Metric, current.RuleClassIndexes[i]);
                if (UpdateRuleState(ruleStates[i], rule.IsViolatedBy(value), now))
                {
                    fired.Add(CreateAlert(rule, value, scores, now, modelVersion));
                }
            }
            return new DriftEvaluation(now, countScores, timeScores, fired);
        }
    }

    /// <summary>Evaluates at the current time of the monitor's <see cref="TimeProvider"/>.</summary>
    public DriftEvaluation Evaluate(string modelVersion) => Evaluate(timeProvider.GetUtcNow(), modelVersion);

    /// <summary>
    /// Switches to the reference of a newly loaded model: clears both windows and ends every rule's episode.
    /// Cooldowns carry over, so a reload does not repeat an alert that fired just before it.
    /// </summary>
    /// <exception cref="UserInputException">A rule names a class the new reference does not have; the monitor keeps the old reference.</exception>
    public void ResetReference(MonitoringReference reference)
    {
        lock (evaluationGate)
        {
            model = CreateModelState(reference);
            foreach (RuleState state in ruleStates)
            {
                state.Notified = false;
            }
        }
    }

    // Returns true when the rule fires now.
    private bool UpdateRuleState(RuleState state, bool violated, DateTimeOffset now)
    {
        if (!violated)
        {
            state.Notified = false;
            return false;
        }
        if (state.Notified || (state.LastFired is DateTimeOffset last && now - last < Config.Cooldown))
        {
            return false;
        }
        state.Notified = true;
        state.LastFired = now;
        return true;
    }

    private Alert CreateAlert(AlertRule rule, double value, DriftScores scores, DateTimeOffset now, string modelVersion)
    {
        string metric = rule.ClassName is null ? rule.Metric : $"{rule.Metric}[{rule.ClassName}]";
        string window = rule.Window == WindowSnapshot.TimeWindow
            ? $"the time window ({scores.PredictionCount} predictions in the last {Config.Windows.Duration.TotalSeconds.ToString(CultureInfo.InvariantCulture)} s)"
            : $"the count window (last {scores.PredictionCount} predictions)";
        string message = string.Create(
            CultureInfo.InvariantCulture,
            $"{rule.Name}: {metric} = {value:G4} is {rule.ComparisonName} {rule.Threshold:G4} over {window}, model version {modelVersion}");
        return new Alert(
            now.ToUniversalTime(),
            rule.Name,
            rule.Metric,
            rule.ClassName,
            value,
            rule.Threshold,
            rule.ComparisonName,
            rule.Window,
            scores.PredictionCount,
            modelVersion,
            message);
    }

    private ModelState CreateModelState(MonitoringReference reference)
    {
        Config.CheckClasses(reference.ClassNames);
        int?[] classIndexes = Config.Rules
            .Select(rule => rule.ClassName is null ? (int?)null : reference.ClassNames.ToList().IndexOf(rule.ClassName))
            .ToArray();
        var window = new PredictionWindow(reference.ClassNames.Count, Config.Windows.Count, Config.Windows.Duration);
        return new ModelState(reference, window, classIndexes);
    }

    private sealed record ModelState(MonitoringReference Reference, PredictionWindow Window, int?[] RuleClassIndexes);

    private sealed class RuleState
    {
        /// <summary>True while the rule's current episode has fired its alert.</summary>
        public bool Notified { get; set; }

        public DateTimeOffset? LastFired { get; set; }
    }
}
