using System.Text.Json;

namespace Negentropy.Monitoring;

/// <summary>Validates the JSON of an alert configuration, collecting every problem with its JSON path.</summary>
internal sealed class AlertConfigReader
{
    private const int MaxValueLength = 40;
    private const int MaxWebhookAttempts = 100;

    private readonly List<string> problems = [];
    private readonly IReadOnlyList<string>? classNames;

    private AlertConfigReader(IReadOnlyList<string>? classNames)
    {
        this.classNames = classNames;
    }

    /// <summary>Parses the text of a configuration file; <paramref name="source"/> names the file in errors.</summary>
    public static AlertConfig Parse(string text, string source, IReadOnlyList<string>? classNames)
    {
        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(text);
        }
        catch (JsonException exception)
        {
            throw new UserInputException($"{source}: the alert configuration is not valid JSON at line {exception.LineNumber + 1}: {exception.Message}", exception);
        }
        using (document)
        {
            var reader = new AlertConfigReader(classNames);
            AlertConfig? config = reader.ReadRoot(document.RootElement, source);
            if (reader.problems.Count > 0 || config is null)
            {
                throw new UserInputException($"{source}: invalid alert configuration: {string.Join("; ", reader.problems)}");
            }
            return config;
        }
    }

    /// <summary>Returns a problem when a rule's class is not among the model's classes, else null.</summary>
    public static string? CheckClass(string? className, IReadOnlyList<string> classNames) =>
        className is null || classNames.Contains(className, StringComparer.Ordinal)
            ? null
            : $"'{className}' is not a class of the model; expected one of {string.Join(", ", classNames)}";

    private AlertConfig? ReadRoot(JsonElement root, string source)
    {
        if (root.ValueKind != JsonValueKind.Object)
        {
            Add("$", $"expected a JSON object, got {Describe(root)}");
            return null;
        }
        CheckFields(root, "$", "evaluate_every_seconds", "windows", "cooldown_seconds", "rules", "webhook");

        double evaluateEvery = ReadNumber(root, "$", "evaluate_every_seconds", AlertConfig.DefaultEvaluateEverySeconds, 0, exclusiveMinimum: true, AlertConfig.MaxSeconds);
        double cooldown = ReadNumber(root, "$", "cooldown_seconds", AlertConfig.DefaultCooldownSeconds, 0, exclusiveMinimum: false, AlertConfig.MaxSeconds);
        AlertWindowOptions windows = root.TryGetProperty("windows", out JsonElement windowsElement)
            ? ReadWindows(windowsElement, "$.windows")
            : AlertWindowOptions.Default;
        IReadOnlyList<AlertRule> rules = root.TryGetProperty("rules", out JsonElement rulesElement)
            ? ReadRules(rulesElement, "$.rules")
            : AlertConfig.DefaultRules;
        WebhookOptions? webhook = root.TryGetProperty("webhook", out JsonElement webhookElement)
            ? ReadWebhook(webhookElement, "$.webhook")
            : null;

        return new AlertConfig
        {
            Source = source,
            EvaluateEvery = TimeSpan.FromSeconds(evaluateEvery),
            Windows = windows,
            Cooldown = TimeSpan.FromSeconds(cooldown),
            Rules = rules,
            Webhook = webhook,
        };
    }

    private AlertWindowOptions ReadWindows(JsonElement element, string path)
    {
        if (!RequireObject(element, path))
        {
            return AlertWindowOptions.Default;
        }
        CheckFields(element, path, "count", "seconds", "min_count");
        int count = ReadInteger(element, path, "count", AlertWindowOptions.DefaultCount, 1, PredictionWindow.MaxEntries);
        double seconds = ReadNumber(element, path, "seconds", AlertWindowOptions.DefaultSeconds, 0, exclusiveMinimum: true, AlertConfig.MaxSeconds);
        int minCount = ReadInteger(element, path, "min_count", AlertWindowOptions.DefaultMinCount, 1, PredictionWindow.MaxEntries);
        if (minCount > count)
        {
            Add($"{path}.min_count", $"{minCount} is larger than {path}.count ({count}), so rules on the count window would never be evaluated; lower min_count or raise count");
        }
        return new AlertWindowOptions(count, TimeSpan.FromSeconds(seconds), minCount);
    }

    private IReadOnlyList<AlertRule> ReadRules(JsonElement element, string path)
    {
        if (element.ValueKind != JsonValueKind.Array)
        {
            Add(path, $"expected an array of rules, got {Describe(element)}");
            return [];
        }
        var rules = new List<AlertRule>();
        var names = new HashSet<string>(StringComparer.Ordinal);
        int index = 0;
        foreach (JsonElement item in element.EnumerateArray())
        {
            string rulePath = $"{path}[{index++}]";
            AlertRule? rule = ReadRule(item, rulePath);
            if (rule is null)
            {
                continue;
            }
            if (!names.Add(rule.Name))
            {
                Add($"{rulePath}.name", $"'{rule.Name}' is used by an earlier rule; rule names must be unique");
            }
            rules.Add(rule);
        }
        return rules;
    }

    private AlertRule? ReadRule(JsonElement element, string path)
    {
        if (!RequireObject(element, path))
        {
            return null;
        }
        CheckFields(element, path, "name", "metric", "class", "above", "below", "window");
        int problemsBefore = problems.Count;

        string? name = ReadString(element, path, "name", required: true);
        if (name is not null && name.Trim().Length == 0)
        {
            Add($"{path}.name", "is blank; give the rule a name");
        }
        string? metric = ReadString(element, path, "metric", required: true);
        if (metric is not null && !DriftScores.MetricNames.Contains(metric))
        {
            Add($"{path}.metric", $"unknown metric '{metric}'; expected one of {string.Join(", ", DriftScores.MetricNames)}");
        }

        bool hasClass = element.TryGetProperty("class", out _);
        string? className = ReadString(element, path, "class", required: false);
        if (metric is not null && DriftScores.MetricNames.Contains(metric))
        {
            if (DriftScores.IsPerClass(metric) && !hasClass)
            {
                Add($"{path}.class", $"is missing; metric {metric} is per class, so name one of the model's classes");
            }
            else if (!DriftScores.IsPerClass(metric) && hasClass)
            {
                Add($"{path}.class", $"applies only to {DriftScores.ClassShareMetric} and {DriftScores.ClassShareZMetric}; remove it from this {metric} rule");
            }
        }
        if (className is not null && classNames is not null && CheckClass(className, classNames) is string classProblem)
        {
            Add($"{path}.class", classProblem);
        }

        bool hasAbove = element.TryGetProperty("above", out _);
        bool hasBelow = element.TryGetProperty("below", out _);
        if (hasAbove == hasBelow)
        {
            Add(path, hasAbove
                ? "has both \"above\" and \"below\"; keep exactly one"
                : "has neither \"above\" nor \"below\"; add exactly one threshold");
        }
        AlertComparison comparison = hasBelow && !hasAbove ? AlertComparison.Below : AlertComparison.Above;
        string thresholdField = comparison == AlertComparison.Above ? "above" : "below";
        double threshold = ReadNumber(element, path, thresholdField, double.NaN, double.NegativeInfinity, exclusiveMinimum: false, double.MaxValue);

        string window = ReadString(element, path, "window", required: false) ?? WindowSnapshot.CountWindow;
        if (window is not (WindowSnapshot.CountWindow or WindowSnapshot.TimeWindow))
        {
            Add($"{path}.window", $"'{window}' is not a window; expected \"{WindowSnapshot.CountWindow}\" or \"{WindowSnapshot.TimeWindow}\"");
        }

        return problems.Count > problemsBefore ? null : new AlertRule(name!, metric!, className, threshold, comparison, window);
    }

    private WebhookOptions? ReadWebhook(JsonElement element, string path)
    {
        if (!RequireObject(element, path))
        {
            return null;
        }
        CheckFields(element, path, "url", "max_attempts", "initial_backoff_ms", "timeout_ms");
        string? text = ReadString(element, path, "url", required: true);
        Uri? url = null;
        if (text is not null && (!Uri.TryCreate(text, UriKind.Absolute, out url) || url.Scheme is not ("http" or "https")))
        {
            Add($"{path}.url", $"'{Truncate(text)}' is not an absolute http or https URL; write it like http://host:port/path");
            url = null;
        }
        int maxAttempts = ReadInteger(element, path, "max_attempts", WebhookOptions.DefaultMaxAttempts, 1, MaxWebhookAttempts);
        int backoffMs = ReadInteger(element, path, "initial_backoff_ms", WebhookOptions.DefaultInitialBackoffMs, 0, WebhookOptions.MaxInitialBackoffMs);
        int timeoutMs = ReadInteger(element, path, "timeout_ms", WebhookOptions.DefaultTimeoutMs, 1, WebhookOptions.MaxTimeoutMs);
        return url is null ? null : new WebhookOptions(url, maxAttempts, TimeSpan.FromMilliseconds(backoffMs), TimeSpan.FromMilliseconds(timeoutMs));
    }

    // Reports fields the format does not define, and fields given twice, which JsonDocument would otherwise accept.
    private void CheckFields(JsonElement element, string path, params string[] known)
    {
        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (JsonProperty property in element.EnumerateObject())
        {
            if (!known.Contains(property.Name, StringComparer.Ordinal))
            {
                Add($"{path}.{property.Name}", $"unknown field; expected one of {string.Join(", ", known)}");
            }
            else if (!seen.Add(property.Name))
            {
                Add($"{path}.{property.Name}", "appears more than once; keep one");
            }
        }
    }

    private double ReadNumber(JsonElement parent, string path, string name, double defaultValue, double minimum, bool exclusiveMinimum, double maximum)
    {
        if (!parent.TryGetProperty(name, out JsonElement element))
        {
            return defaultValue;
        }
        string fieldPath = $"{path}.{name}";
        if (element.ValueKind != JsonValueKind.Number || !element.TryGetDouble(out double value) || !double.IsFinite(value))
        {
            Add(fieldPath, $"expected a finite number, got {Describe(element)}");
            return defaultValue;
        }
        bool tooSmall = exclusiveMinimum ? value <= minimum : value < minimum;
        if (tooSmall || value > maximum)
        {
            string lower = exclusiveMinimum ? $"above {minimum}" : $"at least {minimum}";
            Add(fieldPath, $"{value} is out of range; expected a number {lower} and at most {maximum}");
            return defaultValue;
        }
        return value;
    }

    private int ReadInteger(JsonElement parent, string path, string name, int defaultValue, int minimum, int maximum)
    {
        if (!parent.TryGetProperty(name, out JsonElement element))
        {
            return defaultValue;
        }
        string fieldPath = $"{path}.{name}";
        if (element.ValueKind != JsonValueKind.Number || !element.TryGetInt64(out long value))
        {
            Add(fieldPath, $"expected a whole number from {minimum} to {maximum}, got {Describe(element)}");
            return defaultValue;
        }
        if (value < minimum || value > maximum)
        {
            Add(fieldPath, $"{value} is out of range; expected a whole number from {minimum} to {maximum}");
            return defaultValue;
        }
        return (int)value;
    }

    private string? ReadString(JsonElement parent, string path, string name, bool required)
    {
        if (!parent.TryGetProperty(name, out JsonElement element))
        {
            if (required)
            {
                Add($"{path}.{name}", "is missing; it is required");
            }
            return null;
        }
        if (element.ValueKind != JsonValueKind.String)
        {
            Add($"{path}.{name}", $"expected a string, got {Describe(element)}");
            return null;
        }
        return element.GetString();
    }

    private bool RequireObject(JsonElement element, string path)
    {
        if (element.ValueKind == JsonValueKind.Object)
        {
            return true;
        }
        Add(path, $"expected a JSON object, got {Describe(element)}");
        return false;
    }

    private void Add(string path, string problem) => problems.Add($"{path}: {problem}");

    private static string Describe(JsonElement element) => element.ValueKind switch
    {
        JsonValueKind.Object => "an object",
        JsonValueKind.Array => "an array",
        JsonValueKind.Null => "null",
        _ => Truncate(element.GetRawText()),
    };

    private static string Truncate(string text) => text.Length <= MaxValueLength ? text : text[..MaxValueLength] + "…";
}
