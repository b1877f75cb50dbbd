using System.Formats.Tar;
using System.IO.Compression;

namespace Negentropy.Data;

/// <summary>Extracts gzip-compressed tar archives such as npm package .tgz files.</summary>
public static class TarGzArchive
{
    /// <summary>
    /// Extracts <paramref name="archive"/> into <paramref name="destination"/>, which must not exist yet.
    /// The entries go to a temporary sibling folder that is renamed to <paramref name="destination"/> at
    /// the end, so an interrupted extraction never looks complete. Only files and folders are extracted.
    /// Entry names that are absolute or lead outside the destination, and links and device entries,
    /// make the whole archive fail with a <see cref="UserInputException"/>.
    /// </summary>
    public static void Extract(string archive, string destination, CancellationToken cancellationToken)
    {
        string target = Path.GetFullPath(destination);
        string temporary = target + $".partial-{Environment.ProcessId}";
        if (Directory.Exists(temporary))
        {
            Directory.Delete(temporary, recursive: true);
        }
        Directory.CreateDirectory(temporary);
        try
        {
            ExtractEntries(archive, temporary, cancellationToken);
            Directory.Move(temporary, target);
        }
        catch
        {
            if (Directory.Exists(temporary))
            {
                Directory.Delete(temporary, recursive: true);
            }
            throw;
        }
    }

    private static void ExtractEntries(string archive, string folder, CancellationToken cancellationToken)
    {
        string root = Path.GetFullPath(folder) + Path.DirectorySeparatorChar;
        try
        {
            using FileStream file = File.OpenRead(archive);
            using var gzip = new GZipStream(file, CompressionMode.Decompress);
            using var reader = new TarReader(gzip);
            while (reader.GetNextEntry() is TarEntry entry)
            {
                cancellationToken.ThrowIfCancellationRequested();
                if (entry.EntryType == TarEntryType.GlobalExtendedAttributes)
                {
                    // A pax global header carries metadata for the entries after it and has no content to extract.
                    continue;
                }
                string path = SafePath(archive, root, entry.Name);
                switch (entry.EntryType)
                {
                    case TarEntryType.Directory:
                        Directory.CreateDirectory(path);
                        break;
                    case TarEntryType.RegularFile or TarEntryType.V7RegularFile or TarEntryType.ContiguousFile:
                        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
                        entry.ExtractToFile(path, overwrite: true);
                        break;
                    default:
                        throw new UserInputException($"{archive}: entry '{entry.Name}' is a {entry.EntryType} entry; only files and folders are extracted, so use a package archive made by 'npm pack'");
                }
            }
        }
        catch (Exception exception) when (exception is InvalidDataException or EndOfStreamException or FormatException)
        {
            throw new UserInputException($"{archive}: not a valid .tgz archive ({exception.Message}); download it again with npm pack", exception);
        }
    }

    /// <summary>Returns the full path of an entry, or throws when the name would leave <paramref name="root"/>.</summary>
    internal static string SafePath(string archive, string root, string entryName)
    {
        string name = entryName.Replace('\\', '/');
        bool unsafeName = name.Length == 0 || name.StartsWith('/') || Path.IsPathRooted(name) || name.Contains('\0')
            || name.Split('/').Contains("..");
        string path = Path.GetFullPath(Path.Combine(root, name));
        if (unsafeName || !path.StartsWith(root, StringComparison.Ordinal))
        {
            throw new UserInputException($"{archive}: entry '{entryName}' points outside the extraction folder; the archive is unsafe and was not extracted");
        }
        return path;
    }
}
