using System.Text;
using System.Text.Json;
using Negentropy.Information;

namespace Negentropy.Reporting;

/// <summary>
/// information_plane.jsonl (format version 1): one JSON object per epoch, layer and estimator with
/// the fields of <see cref="InformationPlane.Point"/>; "parameter" is the bin count for "binning"
/// and the noise variance for "kde". The file is rewritten atomically after each epoch.
/// </summary>
public static class InformationPlaneLog
{
    public const string FileName = "information_plane.jsonl";

    public static void Write(string folder, IEnumerable<InformationPlane.Point> points)
    {
        var text = new StringBuilder();
        foreach (InformationPlane.Point point in points)
        {
            text.Append(JsonSerializer.Serialize(point, JsonFormats.Compact)).Append('\n');
        }
        AtomicFile.WriteAllText(Path.Combine(folder, FileName), text.ToString());
    }

    /// <summary>Reads the file in <paramref name="folder"/>, or returns an empty list when there is none.</summary>
    public static IReadOnlyList<InformationPlane.Point> Read(string folder)
    {
        string path = Path.Combine(folder, FileName);
        if (!File.Exists(path))
        {
            return Array.Empty<InformationPlane.Point>();
        }
        return File.ReadLines(path).Where(line => line.Length > 0)
            .Select(line => JsonSerializer.Deserialize<InformationPlane.Point>(line, JsonFormats.Compact)!)
            .ToArray();
    }
}
