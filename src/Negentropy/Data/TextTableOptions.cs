namespace Negentropy.Data;

/// <summary>Settings of <see cref="TextTableReader.Read"/>: which columns to read and how to decode the file.</summary>
public sealed record TextTableOptions
{
    /// <summary>Columns (CSV, TSV) or keys (JSONL) whose values form the text, one or more. The non-blank values of a row are joined with "\n".</summary>
    public required IReadOnlyList<string> TextColumns { get; init; }

    /// <summary>Column or key that contains the label.</summary>
    public required string LabelColumn { get; init; }

    /// <summary>
    /// Encoding name from <see cref="SupportedEncodings"/>, or null for strict UTF-8. A UTF-8 or UTF-16
    /// byte-order mark is honored when this is null.
    /// </summary>
    public string? Encoding { get; init; }

    /// <summary>"csv", "tsv" or "jsonl" ("ndjson" is a synonym), or null to choose by the file extension.</summary>
    public string? Format { get; init; }

    /// <summary>Encoding names that <see cref="Encoding"/> accepts, ignoring case and '-' or '_'.</summary>
    public static IReadOnlyList<string> SupportedEncodings => TextFileDecoder.SupportedEncodings;
}
