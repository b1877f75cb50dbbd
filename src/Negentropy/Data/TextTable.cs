namespace Negentropy.Data;

/// <summary>
/// The labelled rows of a text table, in file order. A row whose label is empty after trimming is
/// dropped and counted in <see cref="EmptyLabels"/>. A kept row whose text is empty (every text column
/// blank) stays in the table with the text "" and is counted in <see cref="EmptyTexts"/>.
/// </summary>
/// <param name="Texts">Text per kept row: the non-blank values of the text columns joined with "\n".</param>
/// <param name="Labels">Label per kept row, with surrounding white space removed.</param>
/// <param name="EmptyTexts">Kept rows whose text is "".</param>
/// <param name="EmptyLabels">Dropped rows, whose label was empty.</param>
/// <param name="Rows">Data rows in the file, kept and dropped, not counting the header or blank lines.</param>
/// <param name="Source">The file path, as error messages name it.</param>
public sealed record TextTable(IReadOnlyList<string> Texts, IReadOnlyList<string> Labels, int EmptyTexts, int EmptyLabels, int Rows, string Source)
{
    /// <summary>The 1-based line in <see cref="Source"/> where each kept row starts, or empty when the rows do not come from a file.</summary>
    public IReadOnlyList<long> LineNumbers { get; init; } = Array.Empty<long>();

    public int Count => Labels.Count;

    /// <summary>Returns where row <paramref name="index"/> is, "FILE line N" or "FILE row N" when line numbers are unknown.</summary>
    public string Locate(int index) =>
        index < LineNumbers.Count ? $"{Source} line {LineNumbers[index]}" : $"{Source} row {index + 1}";
}
