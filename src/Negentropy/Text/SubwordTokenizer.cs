using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Microsoft.ML.Tokenizers;

namespace Negentropy.Text;

/// <summary>
/// A byte-level BPE tokenizer, as in GPT-2, that encodes with Microsoft.ML.Tokenizers' BpeTokenizer.
/// The vocabulary and merges are learned from training texts by <see cref="Train"/> or read from
/// GPT-2-style vocab.json and merges.txt files by <see cref="FromFiles"/>.
/// </summary>
/// <remarks>
/// Text is NFKC-normalized and optionally lowercased, split by GPT-2's pre-tokenizer pattern, and each
/// piece's UTF-8 bytes are merged into tokens. The vocabulary contains all 256 byte characters, so
/// every text encodes without an unknown token. Encoder ids are the vocabulary ids plus one, so that
/// id 0 stays free for padding: the vocab.json token with id k is encoder id k + 1.
/// </remarks>
public sealed class SubwordTokenizer : ITextEncoder
{
    public const string KindName = "bpe";

    /// <summary>Encoder id minus vocab.json id.</summary>
    public const int IdOffset = 1;

    private const string PreTokenizerName = "gpt2";
    private const string MergesHeader = "#version: 0.2";

    /// <summary>GPT-2's pre-tokenizer: contractions, letter runs, digit runs and other runs, each with one leading space.</summary>
    private static readonly Regex PreTokenizerPattern = new(
        @"'s|'t|'re|'ve|'m|'ll|'d| ?\p{L}+| ?\p{N}+| ?[^\s\p{L}\p{N}]+|\s+(?!\S)|\s+",
        RegexOptions.Compiled | RegexOptions.CultureInvariant);

    private readonly Dictionary<string, int> _vocabulary;
    private readonly List<(string Left, string Right)> _merges;
    private readonly BpeTokenizer _tokenizer;

    /// <exception cref="ArgumentException">The vocabulary lacks a byte character, has a negative or repeated id, or a merge names a missing token.</exception>
    private SubwordTokenizer(Dictionary<string, int> vocabulary, List<(string Left, string Right)> merges, bool lowercase)
    {
        foreach (char byteCharacter in ByteLevelAlphabet.Characters)
        {
            if (!vocabulary.ContainsKey(byteCharacter.ToString()))
            {
                throw new ArgumentException($"the vocabulary lacks the byte-level character U+{(int)byteCharacter:X4}, so it is not a byte-level BPE vocabulary");
            }
        }
        var seenIds = new HashSet<int>();
        foreach ((string token, int id) in vocabulary)
        {
            if (id < 0 || id >= int.MaxValue - IdOffset || !seenIds.Add(id))
            {
                throw new ArgumentException($"token '{token}' has id {id}, which is negative, too large or already used");
            }
        }

        _vocabulary = vocabulary;
        _merges = merges;
        Lowercase = lowercase;
        VocabularySize = vocabulary.Values.Max() + IdOffset + 1;
        try
        {
            _tokenizer = BpeTokenizer.Create(new BpeOptions(vocabulary)
            {
                Merges = merges.Select(merge => merge.Left + " " + merge.Right),
                ByteLevel = true,
                PreTokenizer = new RegexPreTokenizer(PreTokenizerPattern, specialTokens: null),
            });
        }
        catch (InvalidOperationException exception)
        {
            // BpeTokenizer raises this for a merge whose tokens are not in the vocabulary.
            throw new ArgumentException(exception.Message, exception);
        }
    }

    public string Kind => KindName;

    /// <summary>The largest vocab.json id + 2: the offset for padding, and one for the count.</summary>
    public int VocabularySize { get; }

    public int PaddingId => 0;

    /// <summary>True when text is lowercased after NFKC normalization.</summary>
    public bool Lowercase { get; }

    /// <summary>The number of merges, which is the number of tokens beyond the byte characters in a trained vocabulary.</summary>
    public int MergeCount => _merges.Count;

    /// <summary>
    /// Learns a byte-level BPE vocabulary from <paramref name="texts"/> so that
    /// <see cref="VocabularySize"/>, padding included, is at most <paramref name="vocabularySize"/>.
    /// Merging stops earlier when no pair of tokens occurs twice.
    /// </summary>
    /// <param name="vocabularySize">At least 257: 256 byte characters and padding.</param>
    public static SubwordTokenizer Train(IEnumerable<string> texts, int vocabularySize = 8000, bool lowercase = true)
    {
        ArgumentNullException.ThrowIfNull(texts);
        ArgumentOutOfRangeException.ThrowIfLessThan(vocabularySize, 256 + IdOffset);

        var wordCounts = new Dictionary<string, long>(StringComparer.Ordinal);
        foreach (string text in texts)
        {
            foreach (Match piece in PreTokenizerPattern.Matches(TextSegmenter.Normalize(text, lowercase)))
            {
                string word = ByteLevelAlphabet.Encode(piece.Value);
                wordCounts[word] = wordCounts.GetValueOrDefault(word) + 1;
            }
        }

        (List<string> tokens, List<(string Left, string Right)> merges) = BpeMergeLearner.Learn(wordCounts, vocabularySize - IdOffset);
        var vocabulary = new Dictionary<string, int>(tokens.Count, StringComparer.Ordinal);
        for (int id = 0; id < tokens.Count; id++)
        {
            vocabulary[tokens[id]] = id;
        }
        return new SubwordTokenizer(vocabulary, merges, lowercase);
    }

    /// <summary>
    /// Loads a byte-level BPE model from a vocab.json (an object from token to id) and a merges.txt
    /// (one "left right" pair per line, in priority order, after an optional "#version" line), as
    /// GPT-2 and RoBERTa ship them. Lowercasing is off by default because such vocabularies are cased.
    /// </summary>
    /// <exception cref="UserInputException">A file is missing or invalid, or the vocabulary is not byte-level.</exception>
    public static SubwordTokenizer FromFiles(string vocabPath, string mergesPath, bool lowercase = false)
    {
        Dictionary<string, int> vocabulary = ReadVocabulary(vocabPath);
        List<(string Left, string Right)> merges = ReadMerges(mergesPath);
        try
        {
            return new SubwordTokenizer(vocabulary, merges, lowercase);
        }
        catch (ArgumentException exception)
        {
            throw new UserInputException($"{vocabPath}, {mergesPath}: {exception.Message}; pass a byte-level BPE vocab.json and merges.txt such as GPT-2's", exception);
        }
    }

    /// <summary>Returns the byte-level tokens of <paramref name="text"/>, such as "Ġlow" for " low".</summary>
    public IReadOnlyList<string> Tokenize(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        return _tokenizer.EncodeToTokens(TextSegmenter.Normalize(text, Lowercase), out _).Select(token => token.Value).ToList();
    }

    public int[] Encode(string text, int maxLength)
    {
        ArgumentNullException.ThrowIfNull(text);
        ArgumentOutOfRangeException.ThrowIfLessThan(maxLength, 1);
        IReadOnlyList<int> ids = _tokenizer.EncodeToIds(TextSegmenter.Normalize(text, Lowercase));
        int count = Math.Min(ids.Count, maxLength);
        int[] result = new int[count];
        for (int i = 0; i < count; i++)
        {
            result[i] = ids[i] + IdOffset;
        }
        return result;
    }

    /// <summary>Returns the text of encoder ids, skipping padding: the normalized text for ids from <see cref="Encode"/>.</summary>
    public string Decode(IEnumerable<int> ids) =>
        _tokenizer.Decode(ids.Where(id => id != PaddingId).Select(id => id - IdOffset)) ?? "";

    /// <summary>
    /// Writes <paramref name="path"/> (JSON settings) and, beside it, NAME.vocab.json and NAME.merges.txt
    /// in GPT-2's format, where NAME is the file name of <paramref name="path"/> without its extension.
    /// </summary>
    public void Save(string path)
    {
        string folder = Path.GetDirectoryName(Path.GetFullPath(path))!;
        string name = Path.GetFileNameWithoutExtension(path);
        string vocabFile = name + ".vocab.json";
        string mergesFile = name + ".merges.txt";

        var vocabJson = new JsonObject();
        foreach ((string token, int id) in _vocabulary.OrderBy(pair => pair.Value))
        {
            vocabJson[token] = id;
        }
        EncoderFile.Write(Path.Combine(folder, vocabFile), vocabJson);
        string merges = string.Concat(_merges.Select(merge => merge.Left + " " + merge.Right + "\n"));
        Reporting.AtomicFile.WriteAllText(Path.Combine(folder, mergesFile), MergesHeader + "\n" + merges);

        // The settings file goes last, so it never names side files that are not written yet.
        JsonObject json = EncoderFile.Create(KindName);
        json["lowercase"] = Lowercase;
        json["pre_tokenizer"] = PreTokenizerName;
        json["id_offset"] = IdOffset;
        json["vocab"] = vocabFile;
        json["merges"] = mergesFile;
        EncoderFile.Write(path, json);
    }

    internal static SubwordTokenizer FromJson(JsonObject json, string path)
    {
        string preTokenizer = EncoderFile.GetString(json, "pre_tokenizer", path);
        if (preTokenizer != PreTokenizerName)
        {
            throw new UserInputException($"{path}: pre-tokenizer \"{preTokenizer}\" is not supported; this build uses \"{PreTokenizerName}\"");
        }
        int idOffset = EncoderFile.GetInt(json, "id_offset", path);
        if (idOffset != IdOffset)
        {
            throw new UserInputException($"{path}: \"id_offset\" is {idOffset}, but this build shifts BPE ids by {IdOffset}");
        }

        string folder = Path.GetDirectoryName(Path.GetFullPath(path))!;
        string vocabPath = Path.Combine(folder, EncoderFile.GetString(json, "vocab", path));
        string mergesPath = Path.Combine(folder, EncoderFile.GetString(json, "merges", path));
        return FromFiles(vocabPath, mergesPath, EncoderFile.GetBool(json, "lowercase", path));
    }

    private static Dictionary<string, int> ReadVocabulary(string path)
    {
        if (!File.Exists(path))
        {
            throw new UserInputException($"{path}: BPE vocabulary file not found");
        }
        Dictionary<string, int>? vocabulary;
        try
        {
            vocabulary = JsonSerializer.Deserialize<Dictionary<string, int>>(File.ReadAllText(path));
        }
        catch (JsonException exception)
        {
            throw new UserInputException($"{path}: invalid BPE vocabulary at line {exception.LineNumber + 1}; expected a JSON object from token to integer id: {exception.Message}", exception);
        }
        if (vocabulary is null || vocabulary.Count == 0)
        {
            throw new UserInputException($"{path}: BPE vocabulary is empty; expected a JSON object from token to integer id");
        }
        return new Dictionary<string, int>(vocabulary, StringComparer.Ordinal);
    }

    private static List<(string Left, string Right)> ReadMerges(string path)
    {
        if (!File.Exists(path))
        {
            throw new UserInputException($"{path}: BPE merges file not found");
        }
        var merges = new List<(string Left, string Right)>();
        int lineNumber = 0;
        foreach (string line in File.ReadLines(path))
        {
            lineNumber++;
            if (line.Length == 0 || (lineNumber == 1 && line.StartsWith("#version", StringComparison.Ordinal)))
            {
                continue;
            }
            string[] parts = line.Split(' ');
            if (parts.Length != 2 || parts[0].Length == 0 || parts[1].Length == 0)
            {
                throw new UserInputException($"{path}: line {lineNumber} is not a merge; expected two tokens separated by one space, as in \"Ġ t\"");
            }
            merges.Add((parts[0], parts[1]));
        }
        return merges;
    }
}
