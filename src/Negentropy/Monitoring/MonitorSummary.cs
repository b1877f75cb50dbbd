using System.Globalization;
using System.Text.Json.Serialization;

namespace Negentropy.Monitoring;

/// <summary>
/// summary.json of a monitor report (format version 1): totals over the whole prediction log.
/// Times are UTC with millisecond precision. The means and rates are null when no predictions were logged.
/// </summary>
public sealed record MonitorSummary
{
    public const int CurrentFormatVersion = 1;
    public const string FileName = "summary.json";

    [JsonPropertyName("format_version")] public int FormatVersion { get; init; } = CurrentFormatVersion;

    /// <summary>Full path of the prediction log the report was built from.</summary>
    [JsonPropertyName("database")] public required string Database { get; init; }

    [JsonPropertyName("predictions")] public required long Predictions { get; init; }

    [JsonPropertyName("first_utc")] public required DateTimeOffset? FirstUtc { get; init; }

    [JsonPropertyName("last_utc")] public required DateTimeOffset? LastUtc { get; init; }

    /// <summary>UTC hours that contain at least one prediction.</summary>
    [JsonPropertyName("hours")] public required int Hours { get; init; }

    [JsonPropertyName("mean_entropy_bits")] public required double? MeanEntropyBits { get; init; }

    [JsonPropertyName("abstention_rate")] public required double? AbstentionRate { get; init; }

    /// <summary>Predictions per predicted label, in the order of the trends.csv share columns.</summary>
    [JsonPropertyName("labels")] public required IReadOnlyDictionary<string, long> Labels { get; init; }

    /// <summary>Predictions per model version, sorted ordinally.</summary>
    [JsonPropertyName("model_versions")] public required IReadOnlyDictionary<string, long> ModelVersions { get; init; }

    [JsonPropertyName("alerts")] public required int Alerts { get; init; }

    /// <summary>Returns one line for people: the prediction count, the time span, the labels and the alerts.</summary>
    public string Describe()
    {
        if (Predictions == 0)
        {
            return $"no predictions were logged, {Counted(Alerts, "alert")}";
        }
        string span = string.Create(CultureInfo.InvariantCulture, $"from {FirstUtc:yyyy-MM-dd HH:mm} to {LastUtc:yyyy-MM-dd HH:mm} UTC");
        return $"{Counted(Predictions, "prediction")} {span} over {Counted(Hours, "hour")}, {Counted(Labels.Count, "label")}, "
            + $"{Counted(ModelVersions.Count, "model version")}, {Counted(Alerts, "alert")}";
    }

    private static string Counted(long count, string noun) =>
        count.ToString(CultureInfo.InvariantCulture) + " " + noun + (count == 1 ? "" : "s");
}
