using Negentropy.Text;
using Xunit;

namespace Negentropy.Tests.Text;

public sealed class UnicodeNormalizerTests
{
    [Theory]
    [InlineData("ＡＢＣ１２３", "ABC123")]          // full-width letters and digits
    [InlineData("ﬁ①½", "fi11⁄2")]                 // ligature, circled digit, vulgar fraction
    [InlineData("e\u0301", "\u00E9")]             // e + combining acute composes to é
    [InlineData("\u1E9B\u0323", "\u1E69")]        // UAX #15 example: long s with dots becomes ṩ
    [InlineData("a\u0323\u0302", "\u1EAD")]       // marks in canonical order compose to ậ
    [InlineData("a\u0302\u0323", "\u1EAD")]       // marks out of order are reordered first
    [InlineData("\u1100\u1161\u11A8", "\uAC01")]  // Hangul jamo compose to 각
    [InlineData("ｶﾞｰ", "ガー")]                    // half-width katakana with voiced mark
    [InlineData("\U0001D400x", "Ax")]             // mathematical bold A outside the BMP
    [InlineData("\u00A0", " ")]                   // no-break space
    [InlineData("我要退款", "我要退款")]             // Han characters are already NFKC
    public void ToNfkc_MatchesUnicodeReference(string input, string expected)
    {
        Assert.Equal(expected, UnicodeNormalizer.ToNfkc(input));
    }

    [Fact]
    public void ToNfkc_ReturnsAsciiUnchanged()
    {
        string text = "refund please!";

        Assert.Same(text, UnicodeNormalizer.ToNfkc(text));
    }

    [Fact]
    public void ToNfkc_KeepsLoneSurrogate()
    {
        Assert.Equal("a\uD800b", UnicodeNormalizer.ToNfkc("a\uD800ｂ"));
    }

    [Fact]
    public void ToNfkc_LeadingMarkDoesNotCompose()
    {
        Assert.Equal("\u0301e", UnicodeNormalizer.ToNfkc("\u0301e"));
    }
}
