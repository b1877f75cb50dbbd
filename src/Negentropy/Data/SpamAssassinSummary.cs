using System.Text.Json.Serialization;

namespace Negentropy.Data;

/// <summary>The content of data.json next to the SpamAssassin train.csv and test.csv.</summary>
/// <param name="Package">The npm package name.</param>
/// <param name="Version">The package version read from its package.json.</param>
/// <param name="Seed">Seed of the split and of the row order.</param>
/// <param name="TestFraction">Share of each group that went to test.csv.</param>
/// <param name="LabelColumn">What the <c>label</c> column contains: <c>ham-spam</c> or <c>group</c>.</param>
/// <param name="Messages">Messages read from the package.</param>
/// <param name="Text">How the <c>text</c> column was made.</param>
public sealed record SpamAssassinSummary(
    [property: JsonPropertyName("package")] string Package,
    [property: JsonPropertyName("version")] string Version,
    [property: JsonPropertyName("seed")] int Seed,
    [property: JsonPropertyName("test_fraction")] double TestFraction,
    [property: JsonPropertyName("label_values")] string LabelColumn,
    [property: JsonPropertyName("messages")] int Messages,
    [property: JsonPropertyName("train")] SpamAssassinSummary.SplitCounts Train,
    [property: JsonPropertyName("test")] SpamAssassinSummary.SplitCounts Test,
    [property: JsonPropertyName("text")] string Text)
{
    /// <summary>Counts of one output file.</summary>
    /// <param name="File">The CSV file name.</param>
    /// <param name="Rows">Data rows, without the header.</param>
    /// <param name="Labels">Rows per value of the <c>label</c> column.</param>
    /// <param name="HamSpam">Rows per ham or spam.</param>
    /// <param name="Groups">Rows per corpus group.</param>
    /// <param name="EmptyTexts">Rows whose text is empty: no Subject and no text part.</param>
    public sealed record SplitCounts(
        [property: JsonPropertyName("file")] string File,
        [property: JsonPropertyName("rows")] int Rows,
        [property: JsonPropertyName("labels")] SortedDictionary<string, int> Labels,
        [property: JsonPropertyName("ham_spam")] SortedDictionary<string, int> HamSpam,
        [property: JsonPropertyName("groups")] SortedDictionary<string, int> Groups,
        [property: JsonPropertyName("empty_texts")] int EmptyTexts);
}
