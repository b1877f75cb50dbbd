namespace Negentropy.Data;

/// <summary>Finds the requested text and label columns among the names a file has, with errors that list those names.</summary>
internal static class TextTableColumns
{
    private const int MaxNamesListed = 30;

    /// <summary>Checks the column settings before any file is read.</summary>
    public static void Validate(TextTableOptions options)
    {
        if (options.TextColumns.Count == 0)
        {
            throw new UserInputException("text column missing; name at least one column that contains the text");
        }
        foreach (string name in options.TextColumns.Append(options.LabelColumn))
        {
            if (string.IsNullOrWhiteSpace(name))
            {
                throw new UserInputException("a column name is empty; pass the column names as they appear in the header or JSON keys");
            }
        }
        string? repeated = options.TextColumns.GroupBy(name => name, StringComparer.Ordinal).FirstOrDefault(group => group.Count() > 1)?.Key;
        if (repeated is not null)
        {
            throw new UserInputException($"text column '{repeated}' is given twice; name each text column once");
        }
        if (options.TextColumns.Contains(options.LabelColumn, StringComparer.Ordinal))
        {
            throw new UserInputException($"column '{options.LabelColumn}' is both a text column and the label column; the label must not be part of the text");
        }
    }

    /// <summary>Returns the index of the header column named exactly <paramref name="name"/>.</summary>
    /// <param name="role">"text" or "label", for the message.</param>
    /// <param name="location">Where the header is, such as "data.csv line 1".</param>
    public static int IndexInHeader(IReadOnlyList<string> header, string name, string role, string location)
    {
        int index = -1;
        for (int i = 0; i < header.Count; i++)
        {
            if (string.Equals(header[i], name, StringComparison.Ordinal))
            {
                if (index >= 0)
                {
                    throw new UserInputException($"{location}: {role} column '{name}' appears twice in the header (columns {index + 1} and {i + 1}); rename one of them");
                }
                index = i;
            }
        }
        return index >= 0 ? index : throw new UserInputException(NotFound(header, name, role, location, "column", "the columns are"));
    }

    /// <summary>Returns the message for a key that a JSON object lacks.</summary>
    public static string MissingKey(IReadOnlyList<string> keys, string name, string role, string location) =>
        NotFound(keys, name, role, location, "key", "the keys on this line are");

    private static string NotFound(IReadOnlyList<string> found, string name, string role, string location, string noun, string listIntro)
    {
        string listed = found.Count == 0
            ? "there are none"
            : $"{listIntro}: {string.Join(", ", found.Take(MaxNamesListed).Select(Quote))}{(found.Count > MaxNamesListed ? $" and {found.Count - MaxNamesListed} more" : "")}";
        string? nearMatch = found.FirstOrDefault(candidate => string.Equals(candidate.Trim(), name.Trim(), StringComparison.OrdinalIgnoreCase));
        string hint = nearMatch is null ? "" : $"; names must match exactly, did you mean '{nearMatch}'?";
        return $"{location}: {role} {noun} '{name}' not found; {listed}{hint}";
    }

    private static string Quote(string name) => $"'{name}'";
}
