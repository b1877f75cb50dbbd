using System.Globalization;
using Negentropy.Models;

namespace Negentropy.Serving;

/// <summary>Settings of <c>negentropy serve</c>. Each default is a named constant.</summary>
public sealed record ServeOptions
{
    public const string DefaultUrls = "http://127.0.0.1:8080";
    public const int DefaultMaxBatchSize = 32;
    public const double DefaultMaxBatchDelayMs = 2;
    public const int DefaultMaxInputs = 256;
    public const long DefaultMaxBodyBytes = 16L * 1024 * 1024;
    public const double DefaultReloadSeconds = 2;
    public const int DefaultLogRetentionDays = 30;
    public const string DefaultLogFileName = "predictions.db";

    /// <summary>The trained model's folder: the --out of a training run.</summary>
    public required string ModelDirectory { get; init; }

    /// <summary>Where Kestrel listens, separated by ';' (default http://127.0.0.1:8080, loopback only).</summary>
    public string Urls { get; init; } = DefaultUrls;

    /// <summary>The most inputs run through the network at once (default 32).</summary>
    public int MaxBatchSize { get; init; } = DefaultMaxBatchSize;

    /// <summary>How long the first input of a batch waits for others to join it (default 2 ms; 0 takes only what is queued).</summary>
    public TimeSpan MaxBatchDelay { get; init; } = TimeSpan.FromMilliseconds(DefaultMaxBatchDelayMs);

    /// <summary>The most inputs one request may carry (default 256).</summary>
    public int MaxInputs { get; init; } = DefaultMaxInputs;

    /// <summary>The largest request body in bytes (default 16 MiB); a larger one gets 413.</summary>
    public long MaxBodyBytes { get; init; } = DefaultMaxBodyBytes;

    /// <summary>An entropy threshold in bits that replaces the one chosen at training time; null keeps that one.</summary>
    public double? AbstainThreshold { get; init; }

    /// <summary>How often the model folder is checked for a new model (default 2 s; zero turns reloading off).</summary>
    public TimeSpan ReloadInterval { get; init; } = TimeSpan.FromSeconds(DefaultReloadSeconds);

    /// <summary>Alert rules as JSON; null uses the built-in rules.</summary>
    public string? AlertConfigPath { get; init; }

    /// <summary>The SQLite prediction log; null puts predictions.db in the model folder.</summary>
    public string? PredictionLogPath { get; init; }

    /// <summary>False turns the prediction log off.</summary>
    public bool PredictionLogEnabled { get; init; } = true;

    /// <summary>Days of predictions the log keeps (default 30; 0 keeps everything).</summary>
    public int LogRetentionDays { get; init; } = DefaultLogRetentionDays;

    /// <summary>libtorch intra-op threads; null uses one per processor.</summary>
    public int? Threads { get; init; }

    /// <summary>The number format the served model predicts in, for the first model and every reloaded one (default fp32).</summary>
    public InferencePrecision Precision { get; init; } = InferencePrecision.Float32;

    /// <summary>The prediction log's path after defaults.</summary>
    public string EffectivePredictionLogPath => PredictionLogPath ?? Path.Combine(ModelDirectory, DefaultLogFileName);

    /// <summary>Throws one <see cref="UserInputException"/> that lists every invalid setting.</summary>
    public void ThrowIfInvalid()
    {
        var problems = new List<string>();
        string Invariant(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);
        if (MaxBatchSize < 1)
        {
            problems.Add(Invariant($"--max-batch-size {MaxBatchSize} must be at least 1"));
        }
        if (MaxBatchDelay < TimeSpan.Zero || MaxBatchDelay > TimeSpan.FromSeconds(10))
        {
            problems.Add(Invariant($"--max-batch-delay-ms {MaxBatchDelay.TotalMilliseconds} must be between 0 and 10000"));
        }
        if (MaxInputs < 1)
        {
            problems.Add(Invariant($"--max-inputs {MaxInputs} must be at least 1"));
        }
        if (MaxBodyBytes < 1024)
        {
            problems.Add(Invariant($"--max-body-bytes {MaxBodyBytes} must be at least 1024"));
        }
        if (AbstainThreshold is double threshold && !(threshold >= 0 && double.IsFinite(threshold)))
        {
            problems.Add(Invariant($"--abstain-threshold {threshold} must be a finite number of bits, 0 or more"));
        }
        if (ReloadInterval < TimeSpan.Zero)
        {
            problems.Add(Invariant($"--reload-seconds {ReloadInterval.TotalSeconds} must be 0 (off) or more"));
        }
        if (LogRetentionDays < 0)
        {
            problems.Add(Invariant($"--log-retention-days {LogRetentionDays} must be 0 (keep everything) or more"));
        }
        if (Threads is int threads && threads < 1)
        {
            problems.Add(Invariant($"--threads {threads} must be at least 1"));
        }
        foreach (string url in Urls.Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            if (!Uri.TryCreate(url, UriKind.Absolute, out Uri? uri) || (uri.Scheme != Uri.UriSchemeHttp && uri.Scheme != Uri.UriSchemeHttps))
            {
                problems.Add($"--urls {url} is not an absolute http:// or https:// address, such as {DefaultUrls}");
            }
        }
        if (File.Exists(ModelDirectory))
        {
            problems.Add($"--model {ModelDirectory} is a file; pass the --out folder of a finished training run");
        }
        else if (!Directory.Exists(ModelDirectory))
        {
            problems.Add($"--model {ModelDirectory}: folder not found; pass the --out folder of a finished training run");
        }
        if (AlertConfigPath is string alerts && Directory.Exists(alerts))
        {
            problems.Add($"--alerts {alerts} is a folder; pass an alert rules JSON file");
        }
        else if (AlertConfigPath is string missing && !File.Exists(missing))
        {
            problems.Add($"--alerts {missing}: file not found");
        }
        if (problems.Count > 0)
        {
            throw new UserInputException(string.Join("; ", problems));
        }
    }
}
