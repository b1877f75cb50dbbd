using Negentropy.Text;
using Xunit;

namespace Negentropy.Tests.Text;

public sealed class WordTokenizerTests
{
    private static readonly WordTokenizer Empty = new(Array.Empty<string>());

    [Fact]
    public void Tokenize_FullWidthBecomesAsciiLowercase()
    {
        Assert.Equal(new[] { "abc123" }, Empty.Tokenize("ＡＢＣ１２３"));
    }

    [Fact]
    public void Tokenize_LowercaseOnAndOff()
    {
        var cased = new WordTokenizer(Array.Empty<string>(), lowercase: false);

        Assert.Equal(new[] { "refund", "now", "äö" }, Empty.Tokenize("Refund NOW ÄÖ"));
        Assert.Equal(new[] { "Refund", "NOW", "ÄÖ" }, cased.Tokenize("Refund NOW ÄÖ"));
    }

    [Fact]
    public void Tokenize_ChineseGivesCharactersAndBigrams()
    {
        IReadOnlyList<string> tokens = Empty.Tokenize("我要退款");

        Assert.Equal(new[] { "我", "我要", "要", "要退", "退", "退款", "款" }, tokens);
        Assert.Equal(
            new[] { "我", "要", "退", "款", "我要", "要退", "退款" }.OrderBy(t => t, StringComparer.Ordinal),
            tokens.OrderBy(t => t, StringComparer.Ordinal));
    }

    [Fact]
    public void Tokenize_MixedChineseAndEnglish()
    {
        Assert.Equal(new[] { "退", "退款", "款", "refund", "please", "!" }, Empty.Tokenize("退款 refund please!"));
    }

    [Fact]
    public void Tokenize_ScriptChangeSplitsWithoutSpace()
    {
        Assert.Equal(new[] { "退", "退款", "款", "refund2", "次", "!" }, Empty.Tokenize("退款refund2次!"));
    }

    [Fact]
    public void Tokenize_PunctuationEndsCjkRun()
    {
        // The full-width comma becomes ',' under NFKC; no bigram crosses it.
        Assert.Equal(new[] { "你", "你好", "好", ",", "世", "世界", "界", "。" }, Empty.Tokenize("你好，世界。"));
    }

    [Fact]
    public void Tokenize_KanaAndHangulAreCjk()
    {
        Assert.Equal(new[] { "カ", "カナ", "ナ" }, Empty.Tokenize("カナ"));
        Assert.Equal(new[] { "환", "환불", "불" }, Empty.Tokenize("환불"));
    }

    [Fact]
    public void Tokenize_ApostropheInsideWordStays()
    {
        Assert.Equal(new[] { "don't", "stop", "—", "it's", "'", "fine", "'", "." }, Empty.Tokenize("Don't stop—it's 'fine'."));
        Assert.Equal(new[] { "don't" }, Empty.Tokenize("don\u2019t"));
    }

    [Fact]
    public void Tokenize_SymbolsAreTokensAndFormatCharactersVanish()
    {
        Assert.Equal(new[] { "win", "$", "100", "🙂" }, Empty.Tokenize("win $100 🙂"));
        Assert.Equal(new[] { "cooperate" }, Empty.Tokenize("co\u00ADoper\u200Bate"));
        Assert.Equal(new[] { "café" }, Empty.Tokenize("cafe\u0301"));
    }

    [Fact]
    public void Fit_KeepsTokensAtMinCount()
    {
        WordTokenizer tokenizer = WordTokenizer.Fit(new[] { "a b c", "a b", "a" }, minCount: 2);

        Assert.Equal(new[] { "a", "b" }, tokenizer.Tokens);
        Assert.Equal(4, tokenizer.VocabularySize);
        Assert.Equal(new[] { 2, 3, WordTokenizer.UnknownId }, tokenizer.Encode("a b c", 10));
    }

    [Fact]
    public void Fit_OrdersByCountThenOrdinal()
    {
        WordTokenizer tokenizer = WordTokenizer.Fit(new[] { "z y x", "x", "b B" }, minCount: 1);

        Assert.Equal(new[] { "b", "x", "y", "z" }, tokenizer.Tokens);
    }

    [Fact]
    public void Fit_CapsVocabularyAtMaxSize()
    {
        WordTokenizer tokenizer = WordTokenizer.Fit(new[] { "a a a b b c" }, minCount: 1, maxSize: 4);

        Assert.Equal(new[] { "a", "b" }, tokenizer.Tokens);
        Assert.Equal(4, tokenizer.VocabularySize);
        Assert.Equal(WordTokenizer.UnknownId, tokenizer.GetId("c"));
    }

    [Fact]
    public void Fit_MaxSizeTwoKeepsOnlyReservedIds()
    {
        WordTokenizer tokenizer = WordTokenizer.Fit(new[] { "a a" }, minCount: 1, maxSize: 2);

        Assert.Empty(tokenizer.Tokens);
        Assert.Equal(new[] { WordTokenizer.UnknownId, WordTokenizer.UnknownId }, tokenizer.Encode("a a", 5));
    }

    [Fact]
    public void Fit_CountsCjkBigrams()
    {
        WordTokenizer tokenizer = WordTokenizer.Fit(new[] { "我要退款", "退款了吗" }, minCount: 2);

        Assert.Equal(new[] { "款", "退", "退款" }, tokenizer.Tokens);
    }

    [Fact]
    public void Fit_UsesLowercaseSetting()
    {
        WordTokenizer tokenizer = WordTokenizer.Fit(new[] { "Refund refund" }, minCount: 1, lowercase: false);

        Assert.False(tokenizer.Lowercase);
        Assert.Equal(new[] { "Refund", "refund" }, tokenizer.Tokens);
    }

    [Fact]
    public void Fit_RejectsInvalidArguments()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => WordTokenizer.Fit(new[] { "a" }, minCount: 0));
        Assert.Throws<ArgumentOutOfRangeException>(() => WordTokenizer.Fit(new[] { "a" }, maxSize: 1));
    }

    [Fact]
    public void Encode_TruncatesToMaxLength()
    {
        WordTokenizer tokenizer = WordTokenizer.Fit(new[] { "one two three four" }, minCount: 1);

        Assert.Equal(new[] { tokenizer.GetId("one"), tokenizer.GetId("two") }, tokenizer.Encode("one two three four", 2));
        Assert.Empty(tokenizer.Encode("", 2));
        Assert.Throws<ArgumentOutOfRangeException>(() => tokenizer.Encode("one", 0));
    }

    [Fact]
    public void Encode_NeverReturnsPadding()
    {
        WordTokenizer tokenizer = WordTokenizer.Fit(new[] { "a b" }, minCount: 1);

        int[] ids = tokenizer.Encode("a b c 退款 !", 100);

        Assert.All(ids, id => Assert.InRange(id, 1, tokenizer.VocabularySize - 1));
        Assert.Equal(0, tokenizer.PaddingId);
    }

    [Fact]
    public void Constructor_RejectsDuplicateToken()
    {
        Assert.Throws<ArgumentException>(() => new WordTokenizer(new[] { "a", "a" }));
    }
}
