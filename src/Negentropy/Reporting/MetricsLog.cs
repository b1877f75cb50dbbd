using System.Text;
using System.Text.Json;
using Negentropy.Training;

namespace Negentropy.Reporting;

/// <summary>
/// metrics.jsonl (format version 1): one JSON object per finished epoch, in epoch order, with the
/// fields of <see cref="EpochMetrics"/>. The whole file is rewritten atomically after each epoch.
/// </summary>
public static class MetricsLog
{
    public const string FileName = "metrics.jsonl";

    public static void Write(string folder, IEnumerable<EpochMetrics> history)
    {
        var text = new StringBuilder();
        foreach (EpochMetrics metrics in history)
        {
            text.Append(JsonSerializer.Serialize(metrics, JsonFormats.Compact)).Append('\n');
        }
        AtomicFile.WriteAllText(Path.Combine(folder, FileName), text.ToString());
    }
}
