namespace Negentropy.Monitoring;

/// <summary>Summary statistics of the predictions logged in one UTC hour.</summary>
/// <param name="HourUtc">Start of the hour.</param>
/// <param name="Count">Predictions in the hour.</param>
/// <param name="MeanEntropyBits">Mean predictive entropy, in bits.</param>
/// <param name="AbstentionRate">Share of the predictions marked as abstentions.</param>
/// <param name="MeanLatencyMs">Mean latency, in milliseconds.</param>
/// <param name="P99LatencyMs">99th percentile of the latency by the nearest-rank rule, in milliseconds.</param>
/// <param name="LabelCounts">Predictions per predicted label; labels absent in the hour have no entry.</param>
/// <param name="ModelVersions">Model versions that served the hour, sorted ordinally.</param>
public sealed record HourlyTrend(
    DateTimeOffset HourUtc,
    long Count,
    double MeanEntropyBits,
    double AbstentionRate,
    double MeanLatencyMs,
    double P99LatencyMs,
    IReadOnlyDictionary<string, long> LabelCounts,
    IReadOnlyList<string> ModelVersions)
{
    /// <summary>Returns the share of the hour's predictions with <paramref name="label"/>, 0 when none.</summary>
    public double Share(string label) => LabelCounts.TryGetValue(label, out long count) ? (double)count / Count : 0;

    /// <summary>
    /// Groups <paramref name="predictions"/> by UTC hour, skipping hours without predictions. The input must be sorted by
    /// time, as <see cref="PredictionLogReader.ReadPredictions"/> returns it, so only one hour's latencies are held in memory.
    /// </summary>
    /// <exception cref="ArgumentException">A prediction is older than the one before it.</exception>
    public static IEnumerable<HourlyTrend> Compute(IEnumerable<PredictionRecord> predictions)
    {
        Accumulator? current = null;
        DateTimeOffset previous = DateTimeOffset.MinValue;
        foreach (PredictionRecord record in predictions)
        {
            if (record.TimestampUtc < previous)
            {
                throw new ArgumentException($"predictions are not sorted by time: {record.TimestampUtc:O} follows {previous:O}", nameof(predictions));
            }
            previous = record.TimestampUtc;

            DateTimeOffset hour = HourOf(record.TimestampUtc);
            if (current is not null && current.HourUtc != hour)
            {
                yield return current.ToTrend();
                current = null;
            }
            current ??= new Accumulator(hour);
            current.Add(record);
        }
        if (current is not null)
        {
            yield return current.ToTrend();
        }
    }

    /// <summary>Returns the start of the UTC hour that contains <paramref name="timestamp"/>.</summary>
    public static DateTimeOffset HourOf(DateTimeOffset timestamp)
    {
        DateTimeOffset utc = timestamp.ToUniversalTime();
        return new DateTimeOffset(utc.Year, utc.Month, utc.Day, utc.Hour, 0, 0, TimeSpan.Zero);
    }

    private sealed class Accumulator(DateTimeOffset hourUtc)
    {
        private readonly List<double> latencies = new();
        private readonly Dictionary<string, long> labelCounts = new(StringComparer.Ordinal);
        private readonly SortedSet<string> modelVersions = new(StringComparer.Ordinal);
        private double entropySum;
        private long abstentions;
        private double latencySum;

        public DateTimeOffset HourUtc { get; } = hourUtc;

        public void Add(PredictionRecord record)
        {
            entropySum += record.EntropyBits;
            abstentions += record.Abstain ? 1 : 0;
            latencySum += record.LatencyMs;
            latencies.Add(record.LatencyMs);
            labelCounts[record.Label] = labelCounts.GetValueOrDefault(record.Label) + 1;
            modelVersions.Add(record.ModelVersion);
        }

        public HourlyTrend ToTrend()
        {
            int count = latencies.Count;
            latencies.Sort();
            // Nearest rank: the smallest latency that at least 99 % of the hour's predictions do not exceed.
            // ceil(0.99 count) in integers, because 0.99 has no exact binary form.
            int rank = (int)(((99L * count) + 99) / 100);
            return new HourlyTrend(HourUtc, count, entropySum / count, (double)abstentions / count, latencySum / count,
                latencies[rank - 1], labelCounts, modelVersions.ToArray());
        }
    }
}
