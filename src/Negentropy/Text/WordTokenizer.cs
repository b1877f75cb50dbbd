using System.Text.Json.Nodes;

namespace Negentropy.Text;

/// <summary>
/// A word-level tokenizer with a fitted vocabulary. Id 0 is padding, id 1 is any token outside the
/// vocabulary, and the vocabulary tokens follow from id 2.
/// </summary>
/// <remarks>
/// Text is NFKC-normalized, optionally lowercased, then split as <see cref="TextSegmenter"/>
/// describes. Words, punctuation and symbols are tokens, so "please!" gives "please" and "!". Each
/// run of adjacent Han, Hiragana, Katakana or Hangul characters gives every character followed by
/// the bigram it starts: "退款了" gives 退, 退款, 款, 款了, 了. Interleaving keeps each bigram next to
/// its characters, so sequence models see local context and truncation never keeps a bigram while
/// dropping the characters before it. Chinese needs no word segmenter this way.
/// </remarks>
public sealed class WordTokenizer : ITextEncoder
{
    public const string KindName = "word";
    public const int UnknownId = 1;
    private const int FirstTokenId = 2;

    private readonly string[] _tokens;
    private readonly Dictionary<string, int> _ids;

    /// <summary>Creates a tokenizer whose vocabulary tokens get ids 2, 3, … in the given order.</summary>
    /// <exception cref="ArgumentException">A token is empty or repeated.</exception>
    public WordTokenizer(IEnumerable<string> tokens, bool lowercase = true)
    {
        _tokens = tokens.ToArray();
        _ids = new Dictionary<string, int>(_tokens.Length, StringComparer.Ordinal);
        for (int i = 0; i < _tokens.Length; i++)
        {
            if (string.IsNullOrEmpty(_tokens[i]))
            {
                throw new ArgumentException($"token at index {i} is empty", nameof(tokens));
            }
            if (!_ids.TryAdd(_tokens[i], FirstTokenId + i))
            {
                throw new ArgumentException($"token '{_tokens[i]}' appears twice", nameof(tokens));
            }
        }
        Lowercase = lowercase;
    }

    public string Kind => KindName;

    public int VocabularySize => FirstTokenId + _tokens.Length;

    public int PaddingId => 0;

    /// <summary>True when text is lowercased after NFKC normalization.</summary>
    public bool Lowercase { get; }

    /// <summary>Vocabulary tokens in id order: the token with id i is at index i − 2.</summary>
    public IReadOnlyList<string> Tokens => _tokens;

    /// <summary>
    /// Builds the vocabulary from <paramref name="texts"/>: tokens seen at least
    /// <paramref name="minCount"/> times, by descending count and then ordinal order, cut so that
    /// <see cref="VocabularySize"/> (padding and unknown included) is at most <paramref name="maxSize"/>.
    /// </summary>
    public static WordTokenizer Fit(IEnumerable<string> texts, int minCount = 2, int maxSize = 50_000, bool lowercase = true)
    {
        ArgumentNullException.ThrowIfNull(texts);
        ArgumentOutOfRangeException.ThrowIfLessThan(minCount, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(maxSize, FirstTokenId);

        var counts = new Dictionary<string, long>(StringComparer.Ordinal);
        foreach (string text in texts)
        {
            foreach (string token in EnumerateTokens(text, lowercase))
            {
                counts[token] = counts.GetValueOrDefault(token) + 1;
            }
        }

        IEnumerable<string> vocabularyTokens = counts
            .Where(pair => pair.Value >= minCount)
            .OrderByDescending(pair => pair.Value)
            .ThenBy(pair => pair.Key, StringComparer.Ordinal)
            .Take(maxSize - FirstTokenId)
            .Select(pair => pair.Key);
        return new WordTokenizer(vocabularyTokens, lowercase);
    }

    /// <summary>Returns the tokens of <paramref name="text"/>, whether or not they are in the vocabulary.</summary>
    public IReadOnlyList<string> Tokenize(string text) => EnumerateTokens(text, Lowercase).ToList();

    /// <summary>Returns the id of <paramref name="token"/>, or <see cref="UnknownId"/> when it is not in the vocabulary.</summary>
    public int GetId(string token) => _ids.GetValueOrDefault(token, UnknownId);

    public int[] Encode(string text, int maxLength)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(maxLength, 1);
        var ids = new List<int>();
        foreach (string token in EnumerateTokens(text, Lowercase))
        {
            ids.Add(GetId(token));
            if (ids.Count == maxLength)
            {
                break;
            }
        }
        return ids.ToArray();
    }

    /// <summary>Writes a JSON file with the lowercase flag and the tokens in id order.</summary>
    public void Save(string path)
    {
        JsonObject json = EncoderFile.Create(KindName);
        json["lowercase"] = Lowercase;
        json["padding_id"] = PaddingId;
        json["unknown_id"] = UnknownId;
        json["first_token_id"] = FirstTokenId;
        json["tokens"] = new JsonArray(_tokens.Select(token => (JsonNode?)JsonValue.Create(token)).ToArray());
        EncoderFile.Write(path, json);
    }

    internal static WordTokenizer FromJson(JsonObject json, string path)
    {
        bool lowercase = EncoderFile.GetBool(json, "lowercase", path);
        int firstTokenId = EncoderFile.GetInt(json, "first_token_id", path);
        if (firstTokenId != FirstTokenId)
        {
            throw new UserInputException($"{path}: \"first_token_id\" is {firstTokenId}, but word tokenizers start their vocabulary at id {FirstTokenId}");
        }

        JsonArray array = EncoderFile.GetArray(json, "tokens", path);
        var tokens = new List<string>(array.Count);
        foreach (JsonNode? node in array)
        {
            if (node is not JsonValue value || !value.TryGetValue(out string? token) || string.IsNullOrEmpty(token))
            {
                throw new UserInputException($"{path}: \"tokens\"[{tokens.Count}] is not a non-empty string");
            }
            tokens.Add(token);
        }

        try
        {
            return new WordTokenizer(tokens, lowercase);
        }
        catch (ArgumentException exception)
        {
            throw new UserInputException($"{path}: invalid \"tokens\": {exception.Message}", exception);
        }
    }

    private static IEnumerable<string> EnumerateTokens(string text, bool lowercase)
    {
        ArgumentNullException.ThrowIfNull(text);
        string? previousCjk = null;
        foreach (TextSegment segment in TextSegmenter.Segment(TextSegmenter.Normalize(text, lowercase)))
        {
            if (!segment.IsCjk)
            {
                previousCjk = null;
                yield return segment.Text;
                continue;
            }

            // Each bigram follows its first character, so the bigram is emitted when its second
            // character arrives, before that character itself.
            if (segment.ContinuesCjkRun && previousCjk is not null)
            {
                yield return previousCjk + segment.Text;
            }
            yield return segment.Text;
            previousCjk = segment.Text;
        }
    }
}
