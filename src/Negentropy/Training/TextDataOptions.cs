using System.Text.Json.Serialization;

namespace Negentropy.Training;

/// <summary>Settings of a run on a text table (CSV, TSV or JSONL): columns, encoding and tokenization.</summary>
public sealed record TextDataOptions
{
    public const int DefaultMaxLength = 256;
    public const int DefaultHashedMaxLength = 4096;
    public const int DefaultHashBuckets = 1 << 18;
    public const int DefaultMaxVocabulary = 50_000;
    public const int DefaultMinCount = 2;
    public const int DefaultBpeVocabulary = 8_000;
    public const double DefaultTestFraction = 0.2;

    public static IReadOnlyList<string> Tokenizers { get; } = new[] { "word", "bpe", "hashed" };

    public static IReadOnlyList<string> Poolings { get; } = new[] { "cls", "mean" };

    /// <summary>A held-out test table; without it, a seeded stratified 20% of the data is the test set.</summary>
    [JsonPropertyName("test_data")] public string? TestData { get; init; }

    /// <summary>Text columns, joined with a line break when there are several (default "text").</summary>
    [JsonPropertyName("text_columns")] public IReadOnlyList<string> TextColumns { get; init; } = new[] { "text" };

    /// <summary>The label column (default "label").</summary>
    [JsonPropertyName("label_column")] public string LabelColumn { get; init; } = "label";

    /// <summary>The files' encoding: utf-8 (default), utf-16, gb18030 or gbk.</summary>
    [JsonPropertyName("encoding")] public string? Encoding { get; init; }

    /// <summary>"word" (words, and CJK characters and bigrams), "bpe" (subwords learned on the training split) or "hashed" (fastText n-grams); default hashed for fasttext, word otherwise.</summary>
    [JsonPropertyName("tokenizer")] public string? Tokenizer { get; init; }

    /// <summary>
    /// A tokenizer to load instead of fitting one: a tokenizer.json saved by a run, or a byte-level BPE
    /// vocab.json with merges.txt beside it (GPT-2's format). Default none.
    /// </summary>
    [JsonPropertyName("tokenizer_file")] public string? TokenizerFile { get; init; }

    /// <summary>Token ids read per text (default 256, or 4096 hashed n-grams for fasttext, whose words each give several ids).</summary>
    [JsonPropertyName("max_length")] public int? MaxLength { get; init; }

    /// <summary>Largest vocabulary: word tokens kept, BPE vocabulary size, or hash buckets (default 50,000 words, 8,000 BPE tokens, 2^18 buckets).</summary>
    [JsonPropertyName("vocab_size")] public int? VocabularySize { get; init; }

    /// <summary>Word tokenizer: occurrences in the training split a word needs to get its own id (default 2).</summary>
    [JsonPropertyName("min_count")] public int MinCount { get; init; } = DefaultMinCount;

    /// <summary>Transformer pooling: "cls" (default) or "mean".</summary>
    [JsonPropertyName("pooling")] public string Pooling { get; init; } = "cls";

    /// <summary>The tokenizer in effect for <paramref name="model"/>.</summary>
    public string EffectiveTokenizer(string model) => Tokenizer ?? (model == "fasttext" ? "hashed" : "word");

    /// <summary>The most token ids read per text for <paramref name="model"/>.</summary>
    public int EffectiveMaxLength(string model) => MaxLength ?? (EffectiveTokenizer(model) == "hashed" ? DefaultHashedMaxLength : DefaultMaxLength);

    /// <summary>The vocabulary bound for <paramref name="model"/>: words kept, BPE tokens, or hash buckets.</summary>
    public int EffectiveVocabularySize(string model) => VocabularySize ?? EffectiveTokenizer(model) switch
    {
        "hashed" => DefaultHashBuckets,
        "bpe" => DefaultBpeVocabulary,
        _ => DefaultMaxVocabulary,
    };

    /// <summary>Returns every problem with these settings.</summary>
    public IReadOnlyList<string> Validate()
    {
        var problems = new List<string>();
        if (TextColumns.Count == 0 || TextColumns.Any(string.IsNullOrWhiteSpace))
        {
            problems.Add("--text-column is empty; name the column (or comma-separated columns) that hold the text");
        }
        if (string.IsNullOrWhiteSpace(LabelColumn))
        {
            problems.Add("--label-column is empty; name the column that holds the label");
        }
        if (Tokenizer is not null && !Tokenizers.Contains(Tokenizer))
        {
            problems.Add($"--tokenizer '{Tokenizer}' is unknown: expected one of {string.Join(", ", Tokenizers)}");
        }
        if (TokenizerFile is not null && Tokenizer is not null)
        {
            problems.Add("--tokenizer-file and --tokenizer both choose the tokenizer; keep one");
        }
        if (!Poolings.Contains(Pooling))
        {
            problems.Add($"--pooling '{Pooling}' is unknown: expected one of {string.Join(", ", Poolings)}");
        }
        if (MaxLength is < 1 or > 65_536)
        {
            problems.Add($"--max-length {MaxLength} is out of range: expected 1 to 65536 token ids");
        }
        if (VocabularySize is < 16 or > 16_777_216)
        {
            problems.Add($"--vocab-size {VocabularySize} is out of range: expected 16 to 16777216");
        }
        if (MinCount < 1)
        {
            problems.Add($"--min-count {MinCount} is out of range: expected 1 or more");
        }
        return problems;
    }
}
