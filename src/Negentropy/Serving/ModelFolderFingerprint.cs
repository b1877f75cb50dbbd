using System.Security.Cryptography;
using Negentropy.Reporting;

namespace Negentropy.Serving;

/// <summary>
/// What identifies the contents of a model folder without loading it: the folder's resolved target (a
/// symbolic link swapped to a new folder changes it), the SHA-256 of model.json, and the size and write
/// time of every other file a served model reads.
/// </summary>
public sealed record ModelFolderFingerprint(string Value)
{
    private static readonly string[] WatchedFiles =
    {
        ModelManifest.DefaultWeightsFile, Training.TextTrainingRun.EncoderFileName, Monitoring.MonitoringReference.FileName,
    };

    /// <summary>Reads the fingerprint of <paramref name="folder"/>, or null when model.json cannot be read right now.</summary>
    public static ModelFolderFingerprint? Read(string folder)
    {
        try
        {
            var directory = new DirectoryInfo(folder);
            string target = directory.ResolveLinkTarget(returnFinalTarget: true)?.FullName ?? directory.FullName;
            var parts = new List<string> { target, Convert.ToHexString(SHA256.HashData(File.ReadAllBytes(Path.Combine(target, ModelManifest.FileName)))) };
            foreach (string name in WatchedFiles)
            {
                var file = new FileInfo(Path.Combine(target, name));
                parts.Add(file.Exists ? FormattableString.Invariant($"{name}:{file.Length}:{file.LastWriteTimeUtc.Ticks}") : $"{name}:absent");
            }
            return new ModelFolderFingerprint(string.Join('|', parts));
        }
        catch (Exception exception) when (exception is IOException or UnauthorizedAccessException)
        {
            return null;
        }
    }
}
