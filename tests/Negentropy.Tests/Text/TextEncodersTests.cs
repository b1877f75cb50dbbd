using Negentropy.Text;
using Xunit;

namespace Negentropy.Tests.Text;

public sealed class TextEncodersTests
{
    private static readonly string[] Texts =
    {
        "Refund please! I want my money back.",
        "我要退款，请尽快处理。",
        "退款 refund please!",
        "Win $1,000,000 now!!! 🙂 Click here",
        "ＦＵＬＬ-width ｶﾀｶﾅ and 환불 요청",
        "",
    };

    public static TheoryData<string> Kinds => new() { WordTokenizer.KindName, HashedNgramEncoder.KindName, SubwordTokenizer.KindName };

    [Theory]
    [MemberData(nameof(Kinds))]
    public void SaveLoad_GivesIdenticalIds(string kind)
    {
        using var folder = new TemporaryFolder();
        string path = folder.Combine("encoder", "text-encoder.json");
        ITextEncoder original = Create(kind);

        original.Save(path);
        ITextEncoder loaded = TextEncoders.Load(path);

        Assert.Equal(original.GetType(), loaded.GetType());
        Assert.Equal(kind, loaded.Kind);
        Assert.Equal(original.VocabularySize, loaded.VocabularySize);
        Assert.Equal(0, loaded.PaddingId);
        foreach (string text in Texts.Append("unseen words 未见过的字 ✈"))
        {
            Assert.Equal(original.Encode(text, 512), loaded.Encode(text, 512));
        }
    }

    [Fact]
    public void SaveLoad_KeepsSettings()
    {
        using var folder = new TemporaryFolder();
        var hashed = new HashedNgramEncoder(buckets: 1234, minN: 2, maxN: 4, wordBigrams: false, lowercase: false);
        WordTokenizer word = WordTokenizer.Fit(Texts, minCount: 1, lowercase: false);

        hashed.Save(folder.Combine("hashed.json"));
        word.Save(folder.Combine("word.json"));
        var loadedHashed = (HashedNgramEncoder)TextEncoders.Load(folder.Combine("hashed.json"));
        var loadedWord = (WordTokenizer)TextEncoders.Load(folder.Combine("word.json"));

        Assert.Equal((1234, 2, 4, false, false), (loadedHashed.Buckets, loadedHashed.MinN, loadedHashed.MaxN, loadedHashed.WordBigrams, loadedHashed.Lowercase));
        Assert.False(loadedWord.Lowercase);
        Assert.Equal(word.Tokens, loadedWord.Tokens);
    }

    [Fact]
    public void SaveBpe_WritesGpt2StyleSideFiles()
    {
        using var folder = new TemporaryFolder();
        SubwordTokenizer tokenizer = SubwordTokenizer.Train(Texts, vocabularySize: 300);

        tokenizer.Save(folder.Combine("bpe.json"));
        SubwordTokenizer fromFiles = SubwordTokenizer.FromFiles(folder.Combine("bpe.vocab.json"), folder.Combine("bpe.merges.txt"), lowercase: true);

        Assert.StartsWith("#version: 0.2\n", File.ReadAllText(folder.Combine("bpe.merges.txt")));
        Assert.Equal(tokenizer.Encode(Texts[1], 100), fromFiles.Encode(Texts[1], 100));
    }

    [Fact]
    public void Load_RejectsMissingFile()
    {
        using var folder = new TemporaryFolder();
        string path = folder.Combine("none.json");

        var exception = Assert.Throws<UserInputException>(() => TextEncoders.Load(path));

        Assert.Contains(path, exception.Message);
        Assert.Contains("not found", exception.Message);
    }

    [Theory]
    [InlineData("{\"format_version\": 1, \"kind\": \"sentencepiece\"}", "unknown text encoder kind 'sentencepiece'")]
    [InlineData("{\"format_version\": 2, \"kind\": \"word\"}", "format version 2 is not supported")]
    [InlineData("{\"kind\": \"word\"}", "\"format_version\" is missing")]
    [InlineData("[1, 2]", "expected a JSON object")]
    [InlineData("{\"format_version\": 1,", "invalid JSON at line")]
    [InlineData("{\"format_version\": 1, \"kind\": \"word\", \"lowercase\": true, \"first_token_id\": 2, \"tokens\": [\"a\", \"a\"]}", "appears twice")]
    [InlineData("{\"format_version\": 1, \"kind\": \"hashed-ngrams\", \"hash\": \"fnv1a-32-utf8\", \"buckets\": 0, \"min_n\": 3, \"max_n\": 5, \"word_bigrams\": true, \"lowercase\": true}", "invalid \"buckets\"")]
    [InlineData("{\"format_version\": 1, \"kind\": \"hashed-ngrams\", \"hash\": \"murmur3\"}", "hash \"murmur3\" is not supported")]
    [InlineData("{\"format_version\": 1, \"kind\": \"bpe\", \"lowercase\": true, \"pre_tokenizer\": \"gpt2\", \"id_offset\": 1, \"vocab\": \"v.json\", \"merges\": \"m.txt\"}", "vocabulary file not found")]
    public void Load_RejectsInvalidFile(string content, string expectedMessage)
    {
        using var folder = new TemporaryFolder();
        string path = folder.Combine("encoder.json");
        File.WriteAllText(path, content);

        var exception = Assert.Throws<UserInputException>(() => TextEncoders.Load(path));

        Assert.Contains(expectedMessage, exception.Message);
        Assert.Contains(folder.Path, exception.Message);
    }

    private static ITextEncoder Create(string kind) => kind switch
    {
        WordTokenizer.KindName => WordTokenizer.Fit(Texts, minCount: 1),
        HashedNgramEncoder.KindName => new HashedNgramEncoder(buckets: 10_007),
        SubwordTokenizer.KindName => SubwordTokenizer.Train(Texts, vocabularySize: 320),
        _ => throw new ArgumentOutOfRangeException(nameof(kind), kind, null),
    };
}
