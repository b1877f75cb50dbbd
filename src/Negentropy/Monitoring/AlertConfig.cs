namespace Negentropy.Monitoring;

/// <summary>Alert rules, the windows they read, and where alerts go, from an alert configuration file.</summary>
/// <remarks>
/// The file is one JSON object. Every field is optional except where noted, and unknown fields are errors:
/// <code>
/// {
///   "evaluate_every_seconds": 1,       // > 0, how often the server evaluates the rules (default 1)
///   "windows": {
///     "count": 500,                    // N, the count window contains the last N predictions (default 500)
///     "seconds": 600,                  // T, the time window contains the predictions of the last T seconds (default 600)
///     "min_count": 100                 // rules skip a window with fewer predictions; at most count (default 100)
///   },
///   "cooldown_seconds": 300,           // >= 0, a rule that fired stays silent this long (default 300)
///   "rules": [                         // default: class_psi above 0.2 and entropy_psi above 0.2; [] disables alerts
///     {
///       "name": "spam-surge",          // required, unique
///       "metric": "class_share_z",     // required: class_psi, class_js, entropy_psi, entropy_ks, entropy_ks_p,
///                                      //   mean_entropy, abstention_rate, class_share or class_share_z
///       "class": "spam",               // required for class_share and class_share_z, not allowed otherwise
///       "above": 4,                    // exactly one of "above" and "below", a finite number
///       "window": "count"              // "count" or "time" (default "count")
///     }
///   ],
///   "webhook": {                       // optional
///     "url": "http://127.0.0.1:9000/alerts", // required, absolute http or https
///     "max_attempts": 4,               // 1 to 100 (default 4)
///     "initial_backoff_ms": 500,       // 0 to 60000, doubles after each failed attempt up to 5 minutes (default 500)
///     "timeout_ms": 5000               // 1 to 600000, per attempt (default 5000)
///   }
/// }
/// </code>
/// Comments are not allowed in the file itself. Durations are at most <see cref="MaxSeconds"/> seconds.
/// </remarks>
public sealed record AlertConfig
{
    public const double DefaultEvaluateEverySeconds = 1;
    public const double DefaultCooldownSeconds = 300;
    public const double DefaultPsiThreshold = 0.2;
    public const double MaxSeconds = 365 * 24 * 3600;

    /// <summary>The file the configuration came from, or "built-in default alert configuration".</summary>
    public required string Source { get; init; }

    public required TimeSpan EvaluateEvery { get; init; }

    public required AlertWindowOptions Windows { get; init; }

    public required TimeSpan Cooldown { get; init; }

    public required IReadOnlyList<AlertRule> Rules { get; init; }

    /// <summary>The webhook to POST alerts to, or null when the file has none.</summary>
    public WebhookOptions? Webhook { get; init; }

    /// <summary>Rules used when no file is given or the file has no "rules" field.</summary>
    public static IReadOnlyList<AlertRule> DefaultRules { get; } =
    [
        new AlertRule("class-shift", DriftScores.ClassPsiMetric, null, DefaultPsiThreshold, AlertComparison.Above, WindowSnapshot.CountWindow),
        new AlertRule("entropy-shift", DriftScores.EntropyPsiMetric, null, DefaultPsiThreshold, AlertComparison.Above, WindowSnapshot.CountWindow),
    ];

    /// <summary>The configuration without a file: default windows, cooldown and rules, and no webhook.</summary>
    public static AlertConfig Default { get; } = new()
    {
        Source = "built-in default alert configuration",
        EvaluateEvery = TimeSpan.FromSeconds(DefaultEvaluateEverySeconds),
        Windows = AlertWindowOptions.Default,
        Cooldown = TimeSpan.FromSeconds(DefaultCooldownSeconds),
        Rules = DefaultRules,
    };

    /// <summary>Reads and validates an alert configuration file.</summary>
    /// <param name="classNames">The model's classes, to check each rule's "class"; null to check them later with <see cref="CheckClasses"/>.</param>
    /// <exception cref="UserInputException">The file is missing, is not JSON, or has invalid fields; the message lists every problem with its JSON path.</exception>
    public static AlertConfig Load(string path, IReadOnlyList<string>? classNames = null)
    {
        string text;
        try
        {
            text = File.ReadAllText(path);
        }
        catch (Exception exception) when (exception is IOException or UnauthorizedAccessException)
        {
            throw new UserInputException($"{path}: cannot read the alert configuration: {exception.Message}; check the path given for alert rules", exception);
        }
        return AlertConfigReader.Parse(text, path, classNames);
    }

    /// <summary>Checks that every per-class rule names one of the model's classes.</summary>
    /// <exception cref="UserInputException">A rule names a class the model does not have.</exception>
    public void CheckClasses(IReadOnlyList<string> classNames)
    {
        var problems = new List<string>();
        for (int i = 0; i < Rules.Count; i++)
        {
            string? problem = AlertConfigReader.CheckClass(Rules[i].ClassName, classNames);
            if (problem is not null)
            {
                problems.Add($"$.rules[{i}].class: {problem}");
            }
        }
        if (problems.Count > 0)
        {
            throw new UserInputException($"{Source}: invalid alert configuration for this model: {string.Join("; ", problems)}");
        }
    }
}
