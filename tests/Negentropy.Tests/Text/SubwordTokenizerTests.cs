using Negentropy.Text;
using Xunit;

namespace Negentropy.Tests.Text;

public sealed class SubwordTokenizerTests
{
    /// <summary>
    /// Words whose merges were counted by hand. The pairs e s and s t occur 9 times each, and the tie
    /// goes to e s in ordinal order. After es and est, l o and o w lead with 7, and so on.
    /// </summary>
    private static readonly string[] Corpus =
        Enumerable.Repeat("low", 5)
            .Concat(Enumerable.Repeat("lower", 2))
            .Concat(Enumerable.Repeat("newest", 6))
            .Concat(Enumerable.Repeat("widest", 3))
            .ToArray();

    private static readonly (string Left, string Right)[] ExpectedMerges =
    {
        ("e", "s"), ("es", "t"), ("l", "o"), ("lo", "w"), ("e", "w"), ("ew", "est"),
        ("n", "ewest"), ("d", "est"), ("i", "dest"), ("w", "idest"), ("e", "r"), ("low", "er"),
    };

    [Fact]
    public void Learn_FindsHandCountedMerges()
    {
        var wordCounts = new Dictionary<string, long> { ["low"] = 5, ["lower"] = 2, ["newest"] = 6, ["widest"] = 3 };

        (List<string> tokens, List<(string Left, string Right)> merges) = BpeMergeLearner.Learn(wordCounts, 10_000);

        Assert.Equal(ExpectedMerges, merges);
        Assert.Equal(256 + ExpectedMerges.Length, tokens.Count);
        Assert.Equal("newest", tokens[262]);
    }

    [Fact]
    public void Learn_StopsAtMaxTokens()
    {
        var wordCounts = new Dictionary<string, long> { ["low"] = 5, ["lower"] = 2, ["newest"] = 6, ["widest"] = 3 };

        (List<string> tokens, List<(string Left, string Right)> merges) = BpeMergeLearner.Learn(wordCounts, 259);

        Assert.Equal(ExpectedMerges.Take(3), merges);
        Assert.Equal(259, tokens.Count);
    }

    [Fact]
    public void Learn_MergesRepeatedSymbolWithoutOverlap()
    {
        var wordCounts = new Dictionary<string, long> { ["aaaa"] = 3, ["aaa"] = 2 };

        (_, List<(string Left, string Right)> merges) = BpeMergeLearner.Learn(wordCounts, 10_000);

        // a a occurs 3×3 + 2×2 = 13 times; after it, "aaaa" is aa aa (3) and "aaa" is aa a (2).
        Assert.Equal(new[] { ("a", "a"), ("aa", "aa"), ("aa", "a") }, merges);
    }

    [Fact]
    public void Train_EncodesWithLearnedMerges()
    {
        SubwordTokenizer tokenizer = SubwordTokenizer.Train(Corpus);

        Assert.Equal(ExpectedMerges.Length, tokenizer.MergeCount);
        Assert.Equal(256 + ExpectedMerges.Length + 1, tokenizer.VocabularySize);
        Assert.Equal(new[] { "newest" }, tokenizer.Tokenize("newest"));
        Assert.Equal(new[] { "low", "est" }, tokenizer.Tokenize("lowest"));
        Assert.Equal(new[] { "low", "Ġ", "widest" }, tokenizer.Tokenize("LOW widest"));
        // Vocabulary id of "newest" is 262, of "widest" 265, and of 'Ġ' (the space byte) 32; each is shifted by one.
        Assert.Equal(new[] { 263 }, tokenizer.Encode("newest", 10));
        Assert.Equal(new[] { 260, 33, 266 }, tokenizer.Encode("low widest", 10));
    }

    [Fact]
    public void Train_UnseenCharactersFallBackToBytes()
    {
        SubwordTokenizer tokenizer = SubwordTokenizer.Train(Corpus);

        // é is UTF-8 C3 A9, and both bytes are printable Latin-1, so they map to themselves.
        Assert.Equal(new[] { "Ã", "©" }, tokenizer.Tokenize("é"));
        Assert.Equal(new[] { 0xC3 + 1, 0xA9 + 1 }, tokenizer.Encode("é", 10));
        // 退 and 款 are 3 UTF-8 bytes each and 🙂 is 4, and no learned merge applies to them.
        Assert.Equal(10, tokenizer.Encode("退款🙂", 100).Length);
    }

    [Fact]
    public void Decode_RoundTripsNormalizedText()
    {
        SubwordTokenizer tokenizer = SubwordTokenizer.Train(Corpus.Append("我要退款 naïve café 🙂"));
        string text = "我要退款, the newest naïve café 🙂\tTAB";

        int[] ids = tokenizer.Encode(text, 1000);

        Assert.Equal("我要退款, the newest naïve café 🙂\ttab", tokenizer.Decode(ids));
        Assert.Equal(tokenizer.Decode(ids), tokenizer.Decode(ids.Append(tokenizer.PaddingId)));
        Assert.All(ids, id => Assert.InRange(id, 1, tokenizer.VocabularySize - 1));
    }

    [Fact]
    public void Train_CapsVocabularySize()
    {
        SubwordTokenizer tokenizer = SubwordTokenizer.Train(Corpus, vocabularySize: 260);

        Assert.Equal(260, tokenizer.VocabularySize);
        Assert.Equal(3, tokenizer.MergeCount);
        Assert.Throws<ArgumentOutOfRangeException>(() => SubwordTokenizer.Train(Corpus, vocabularySize: 256));
    }

    [Fact]
    public void Train_IsDeterministic()
    {
        string[] texts = { "the refund was late", "please refund the order", "refunds are slow", "我要退款 退款了吗" };

        SubwordTokenizer first = SubwordTokenizer.Train(texts, vocabularySize: 400);
        SubwordTokenizer second = SubwordTokenizer.Train(texts.Reverse(), vocabularySize: 400);

        Assert.Equal(first.Tokenize("please refund 退款"), second.Tokenize("please refund 退款"));
        Assert.Equal(first.VocabularySize, second.VocabularySize);
    }

    [Fact]
    public void Encode_TruncatesToMaxLength()
    {
        SubwordTokenizer tokenizer = SubwordTokenizer.Train(Corpus);

        Assert.Equal(tokenizer.Encode("low lower newest", 100).Take(2), tokenizer.Encode("low lower newest", 2));
        Assert.Throws<ArgumentOutOfRangeException>(() => tokenizer.Encode("low", 0));
    }

    [Fact]
    public void FromFiles_ReadsGpt2StyleFiles()
    {
        using var folder = new TemporaryFolder();
        string vocabPath = folder.Combine("vocab.json");
        string mergesPath = folder.Combine("merges.txt");
        WriteVocabulary(vocabPath, "lo", "low");
        File.WriteAllText(mergesPath, "#version: 0.2\nl o\nlo w\n");

        SubwordTokenizer tokenizer = SubwordTokenizer.FromFiles(vocabPath, mergesPath);

        Assert.False(tokenizer.Lowercase);
        Assert.Equal(new[] { "low", "l", "y", "Ġ", "L", "o", "w" }, tokenizer.Tokenize("lowly Low"));
        Assert.Equal(new[] { 258 }, tokenizer.Encode("low", 5));
        Assert.Equal(259, tokenizer.VocabularySize);
    }

    [Fact]
    public void FromFiles_RejectsVocabularyWithoutAllBytes()
    {
        using var folder = new TemporaryFolder();
        string vocabPath = folder.Combine("vocab.json");
        string mergesPath = folder.Combine("merges.txt");
        File.WriteAllText(vocabPath, "{\"a\": 0, \"b\": 1}");
        File.WriteAllText(mergesPath, "a b\n");

        var exception = Assert.Throws<UserInputException>(() => SubwordTokenizer.FromFiles(vocabPath, mergesPath));

        Assert.Contains("not a byte-level BPE vocabulary", exception.Message);
        Assert.Contains(vocabPath, exception.Message);
    }

    [Fact]
    public void FromFiles_RejectsInvalidMerges()
    {
        using var folder = new TemporaryFolder();
        string vocabPath = folder.Combine("vocab.json");
        string mergesPath = folder.Combine("merges.txt");
        WriteVocabulary(vocabPath);

        File.WriteAllText(mergesPath, "#version: 0.2\nl o\nlow\n");
        var badLine = Assert.Throws<UserInputException>(() => SubwordTokenizer.FromFiles(vocabPath, mergesPath));
        Assert.Contains("line 3", badLine.Message);

        File.WriteAllText(mergesPath, "l o\n");
        var missingToken = Assert.Throws<UserInputException>(() => SubwordTokenizer.FromFiles(vocabPath, mergesPath));
        Assert.Contains(mergesPath, missingToken.Message);

        var missingFile = Assert.Throws<UserInputException>(() => SubwordTokenizer.FromFiles(vocabPath, folder.Combine("none.txt")));
        Assert.Contains("not found", missingFile.Message);
    }

    /// <summary>Writes a vocab.json with the 256 byte characters at ids 0–255 and then <paramref name="extra"/>.</summary>
    private static void WriteVocabulary(string path, params string[] extra)
    {
        var vocabulary = new Dictionary<string, int>();
        for (int value = 0; value < 256; value++)
        {
            vocabulary[ByteLevelAlphabet.Characters[value].ToString()] = value;
        }
        foreach (string token in extra)
        {
            vocabulary[token] = vocabulary.Count;
        }
        File.WriteAllText(path, System.Text.Json.JsonSerializer.Serialize(vocabulary));
    }
}
