namespace Negentropy.Data;

/// <summary>Collects rows for a <see cref="TextTable"/>, joining text columns and counting empty texts and labels.</summary>
internal sealed class TextTableBuilder
{
    private readonly List<string> texts = new();
    private readonly List<string> labels = new();
    private readonly List<long> lines = new();
    private int emptyTexts;
    private int emptyLabels;
    private int rows;

    /// <param name="textParts">Values of the text columns, in the order of <see cref="TextTableOptions.TextColumns"/>.</param>
    public void Add(IReadOnlyList<string> textParts, string label, long line)
    {
        rows++;
        string trimmedLabel = label.Trim();
        if (trimmedLabel.Length == 0)
        {
            emptyLabels++;
            return;
        }

        string text = Join(textParts);
        if (text.Length == 0)
        {
            emptyTexts++;
        }
        texts.Add(text);
        labels.Add(trimmedLabel);
        lines.Add(line);
    }

    public TextTable Build(string source) =>
        new(texts.ToArray(), labels.ToArray(), emptyTexts, emptyLabels, rows, source) { LineNumbers = lines.ToArray() };

    // One column is kept as it is unless blank. Several are joined with "\n", leaving out blank
    // values so that a missing title does not start the text with a line break.
    private static string Join(IReadOnlyList<string> parts)
    {
        if (parts.Count == 1)
        {
            return string.IsNullOrWhiteSpace(parts[0]) ? "" : parts[0];
        }
        return string.Join("\n", parts.Where(part => !string.IsNullOrWhiteSpace(part)));
    }
}
