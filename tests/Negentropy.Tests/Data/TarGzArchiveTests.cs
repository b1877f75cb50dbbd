using System.Formats.Tar;
using System.IO.Compression;
using System.Text;
using Negentropy.Data;
using Xunit;

namespace Negentropy.Tests.Data;

public sealed class TarGzArchiveTests : IDisposable
{
    private readonly TemporaryFolder folder = new();

    public void Dispose() => folder.Dispose();

    /// <summary>Writes a .tgz with the given entries; a null content makes a symbolic link to /etc/passwd.</summary>
    private string Archive(params (string Name, string? Content)[] entries)
    {
        string path = folder.Combine("test.tgz");
        using (FileStream file = File.Create(path))
        using (var gzip = new GZipStream(file, CompressionLevel.Fastest))
        using (var writer = new TarWriter(gzip, TarEntryFormat.Pax))
        {
            foreach ((string name, string? content) in entries)
            {
                if (content is null)
                {
                    writer.WriteEntry(new PaxTarEntry(TarEntryType.SymbolicLink, name) { LinkName = "/etc/passwd" });
                    continue;
                }
                var entry = new PaxTarEntry(TarEntryType.RegularFile, name) { DataStream = new MemoryStream(Encoding.UTF8.GetBytes(content)) };
                writer.WriteEntry(entry);
            }
        }
        return path;
    }

    [Fact]
    public void Extract_WritesFilesAndFolders()
    {
        string archive = Archive(("package/package.json", "{}"), ("package/data/a/1.json", "one"));
        string destination = folder.Combine("extracted");

        TarGzArchive.Extract(archive, destination, CancellationToken.None);

        Assert.Equal("{}", File.ReadAllText(Path.Combine(destination, "package", "package.json")));
        Assert.Equal("one", File.ReadAllText(Path.Combine(destination, "package", "data", "a", "1.json")));
        Assert.Equal([destination], Directory.GetDirectories(folder.Path).Where(path => path.Contains("extracted", StringComparison.Ordinal)));
    }

    [Theory]
    [InlineData("package/../../evil.txt")]
    [InlineData("../evil.txt")]
    [InlineData("/tmp/negentropy-evil.txt")]
    public void Extract_RejectsPathsOutsideDestination(string name)
    {
        string archive = Archive(("package/package.json", "{}"), (name, "evil"));
        string destination = folder.Combine("nested", "extracted");

        UserInputException error = Assert.Throws<UserInputException>(() => TarGzArchive.Extract(archive, destination, CancellationToken.None));

        Assert.Contains($"entry '{name}' points outside the extraction folder", error.Message);
        Assert.False(Directory.Exists(destination), "a rejected archive must leave no destination folder");
        Assert.False(File.Exists(folder.Combine("evil.txt")));
        Assert.False(File.Exists(folder.Combine("nested", "evil.txt")));
        Assert.False(File.Exists("/tmp/negentropy-evil.txt"));
        Assert.Empty(Directory.GetDirectories(folder.Combine("nested")));
    }

    [Fact]
    public void Extract_RejectsSymbolicLinks()
    {
        string archive = Archive(("package/link", null));

        UserInputException error = Assert.Throws<UserInputException>(() => TarGzArchive.Extract(archive, folder.Combine("extracted"), CancellationToken.None));

        Assert.Contains("entry 'package/link' is a SymbolicLink entry", error.Message);
    }

    [Fact]
    public void Extract_RejectsFileThatIsNotGzip()
    {
        string archive = folder.Combine("broken.tgz");
        File.WriteAllText(archive, "this is not a gzip stream");

        UserInputException error = Assert.Throws<UserInputException>(() => TarGzArchive.Extract(archive, folder.Combine("extracted"), CancellationToken.None));

        Assert.StartsWith($"{archive}: not a valid .tgz archive", error.Message);
    }
}
