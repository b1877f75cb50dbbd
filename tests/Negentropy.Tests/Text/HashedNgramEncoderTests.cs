using System.Text;
using Negentropy.Text;
using Xunit;

namespace Negentropy.Tests.Text;

public sealed class HashedNgramEncoderTests
{
    [Theory]
    [InlineData("", 0x811C9DC5u)]
    [InlineData("a", 0xE40C292Cu)]
    [InlineData("foobar", 0xBF9CF968u)]
    public void Fnv1a_MatchesReferenceVectors(string text, uint expected)
    {
        Assert.Equal(expected, HashedNgramEncoder.Fnv1a(Encoding.UTF8.GetBytes(text)));
    }

    [Fact]
    public void Features_ShortWordHasBoundedNgrams()
    {
        var encoder = new HashedNgramEncoder();

        Assert.Equal(new[] { "w:hi", "c:<hi", "c:<hi>", "c:hi>" }, encoder.Features("Hi"));
    }

    [Fact]
    public void Features_FollowFastTextNgramOrder()
    {
        var encoder = new HashedNgramEncoder(wordBigrams: false);

        Assert.Equal(
            new[]
            {
                "w:refund",
                "c:<re", "c:<ref", "c:<refu", "c:ref", "c:refu", "c:refun", "c:efu", "c:efun", "c:efund",
                "c:fun", "c:fund", "c:fund>", "c:und", "c:und>", "c:nd>",
            },
            encoder.Features("refund"));
    }

    [Fact]
    public void Features_CjkBigramIsWordBigram()
    {
        var encoder = new HashedNgramEncoder(buckets: 1000);

        Assert.Equal(new[] { "w:退", "c:<退>", "w:款", "b:退 款", "c:<款>" }, encoder.Features("退款"));
    }

    [Fact]
    public void Features_NgramsCountCodePoints()
    {
        var encoder = new HashedNgramEncoder(minN: 3, maxN: 3, wordBigrams: false);

        // Gothic letter ahsa (U+10330) is two UTF-16 chars but one code point, and NFKC keeps it.
        Assert.Equal(new[] { "w:a\U00010330", "c:<a\U00010330", "c:a\U00010330>" }, encoder.Features("a\U00010330"));
    }

    [Fact]
    public void Features_BigramsAndNgramsCanBeOff()
    {
        var encoder = new HashedNgramEncoder(maxN: 0, wordBigrams: false);

        Assert.Equal(new[] { "w:a", "w:b", "w:!" }, encoder.Features("a b!"));
    }

    [Fact]
    public void Features_MinNOneSkipsBoundaryCharacters()
    {
        var encoder = new HashedNgramEncoder(minN: 1, maxN: 1, wordBigrams: false);

        Assert.Equal(new[] { "w:ab", "c:a", "c:b" }, encoder.Features("ab"));
    }

    [Fact]
    public void Encode_GivesFixedIds()
    {
        // Expected ids are 1 + FNV-1a-32(UTF-8 of the feature) mod buckets, computed independently
        // in Python. string.GetHashCode would give other ids in every process.
        Assert.Equal(new[] { 1654648, 1910432, 249716, 380928 }, new HashedNgramEncoder().Encode("Hi", 100));
        Assert.Equal(new[] { 960, 516, 265, 169, 827 }, new HashedNgramEncoder(buckets: 1000).Encode("退款", 100));
    }

    [Fact]
    public void Encode_MatchesFeatureIds()
    {
        var encoder = new HashedNgramEncoder(buckets: 50_000, minN: 2, maxN: 6);
        string text = "Ｒefund, please: 我要退款 🙂 naïve \U0001D400BC don't";

        int[] expected = encoder.Features(text).Select(encoder.GetId).ToArray();

        Assert.Equal(expected, encoder.Encode(text, 10_000));
        Assert.Equal(expected.Take(7), encoder.Encode(text, 7));
    }

    [Fact]
    public void Encode_IdsStayInBucketRange()
    {
        var encoder = new HashedNgramEncoder(buckets: 7);
        string text = string.Join(' ', Enumerable.Range(0, 200).Select(i => $"word{i}"));

        int[] ids = encoder.Encode(text, 100_000);

        Assert.Equal(8, encoder.VocabularySize);
        Assert.All(ids, id => Assert.InRange(id, 1, 7));
        Assert.Equal(7, ids.Distinct().Count());
    }

    [Fact]
    public void Constructor_RejectsInvalidArguments()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => new HashedNgramEncoder(buckets: 0));
        Assert.Throws<ArgumentOutOfRangeException>(() => new HashedNgramEncoder(buckets: int.MaxValue));
        Assert.Throws<ArgumentOutOfRangeException>(() => new HashedNgramEncoder(minN: 0, maxN: 3));
        Assert.Throws<ArgumentOutOfRangeException>(() => new HashedNgramEncoder(minN: 4, maxN: 3));
        Assert.Throws<ArgumentOutOfRangeException>(() => new HashedNgramEncoder(maxN: -1));
        Assert.Throws<ArgumentOutOfRangeException>(() => new HashedNgramEncoder().Encode("a", 0));
    }
}
