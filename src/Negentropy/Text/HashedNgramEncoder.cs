using System.Text;
using System.Text.Json.Nodes;

namespace Negentropy.Text;

/// <summary>
/// fastText-style features hashed into a fixed number of buckets: word unigrams, word bigrams and
/// character n-grams. It has no vocabulary to fit, and unseen words still share n-grams with seen ones.
/// </summary>
/// <remarks>
/// Text is NFKC-normalized, optionally lowercased and split as <see cref="TextSegmenter"/> describes,
/// so punctuation and each CJK character count as words. Word bigrams of adjacent CJK characters are
/// the character bigrams that Chinese needs. Each word gives, in this order, "w:" + word, then
/// "b:" + previous word + " " + word when bigrams are on, then "c:" + each n-gram of "&lt;" + word + "&gt;".
/// The n-grams are minN to maxN code points long, ordered by start and then length, and exclude the
/// 1-grams "&lt;" and "&gt;" as in fastText. The prefixes keep the three kinds apart. A feature's id is
/// 1 + FNV-1a-32(UTF-8 bytes of the feature) mod buckets. It is the same on every machine and in every
/// process, and id 0 stays free for padding.
/// </remarks>
public sealed class HashedNgramEncoder : ITextEncoder
{
    public const string KindName = "hashed-ngrams";
    public const int DefaultBuckets = 1 << 21;
    private const string HashName = "fnv1a-32-utf8";
    private const uint FnvOffsetBasis = 2166136261;
    private const uint FnvPrime = 16777619;

    /// <summary>Creates an encoder; <paramref name="maxN"/> = 0 turns character n-grams off.</summary>
    /// <param name="buckets">Number of hash buckets, so ids are in [1, buckets].</param>
    /// <param name="minN">Shortest character n-gram, in code points, counting the "&lt;" and "&gt;" boundaries.</param>
    /// <param name="maxN">Longest character n-gram, in code points; 0 for none.</param>
    /// <param name="wordBigrams">Whether to add a feature for each pair of adjacent words.</param>
    /// <param name="lowercase">Whether to lowercase text after NFKC normalization.</param>
    public HashedNgramEncoder(int buckets = DefaultBuckets, int minN = 3, int maxN = 5, bool wordBigrams = true, bool lowercase = true)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(buckets, 1);
        ArgumentOutOfRangeException.ThrowIfEqual(buckets, int.MaxValue);
        ArgumentOutOfRangeException.ThrowIfNegative(maxN);
        if (maxN > 0)
        {
            ArgumentOutOfRangeException.ThrowIfLessThan(minN, 1);
            ArgumentOutOfRangeException.ThrowIfGreaterThan(minN, maxN);
        }

        Buckets = buckets;
        MinN = maxN > 0 ? minN : 0;
        MaxN = maxN;
        WordBigrams = wordBigrams;
        Lowercase = lowercase;
    }

    public string Kind => KindName;

    /// <summary>Buckets + 1, because id 0 is padding.</summary>
    public int VocabularySize => Buckets + 1;

    public int PaddingId => 0;

    public int Buckets { get; }

    public int MinN { get; }

    public int MaxN { get; }

    public bool WordBigrams { get; }

    public bool Lowercase { get; }

    /// <summary>Returns the features of <paramref name="text"/> as strings, in the order <see cref="Encode"/> hashes them.</summary>
    public IReadOnlyList<string> Features(string text) => EnumerateFeatures(text).Select(feature => feature.ToString()).ToList();

    /// <summary>Returns the id of one feature string, such as "w:refund" or "c:&lt;re".</summary>
    public int GetId(string feature) => IdOf(Fnv1a(Encoding.UTF8.GetBytes(feature)));

    public int[] Encode(string text, int maxLength)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(maxLength, 1);
        var ids = new List<int>();
        byte[] buffer = new byte[64];
        foreach (Feature feature in EnumerateFeatures(text))
        {
            ids.Add(IdOf(feature.Hash(ref buffer)));
            if (ids.Count == maxLength)
            {
                break;
            }
        }
        return ids.ToArray();
    }

    /// <summary>Writes a JSON file with the bucket count, n-gram range, flags and hash name.</summary>
    public void Save(string path)
    {
        JsonObject json = EncoderFile.Create(KindName);
        json["hash"] = HashName;
        json["buckets"] = Buckets;
        json["min_n"] = MinN;
        json["max_n"] = MaxN;
        json["word_bigrams"] = WordBigrams;
        json["lowercase"] = Lowercase;
        EncoderFile.Write(path, json);
    }

    internal static HashedNgramEncoder FromJson(JsonObject json, string path)
    {
        string hash = EncoderFile.GetString(json, "hash", path);
        if (hash != HashName)
        {
            throw new UserInputException($"{path}: hash \"{hash}\" is not supported; this build hashes with {HashName}");
        }
        try
        {
            return new HashedNgramEncoder(
                EncoderFile.GetInt(json, "buckets", path),
                EncoderFile.GetInt(json, "min_n", path),
                EncoderFile.GetInt(json, "max_n", path),
                EncoderFile.GetBool(json, "word_bigrams", path),
                EncoderFile.GetBool(json, "lowercase", path));
        }
        catch (ArgumentOutOfRangeException exception)
        {
            throw new UserInputException($"{path}: invalid \"{exception.ParamName}\" value {exception.ActualValue}: {exception.Message}", exception);
        }
    }

    /// <summary>Returns the 32-bit FNV-1a hash of <paramref name="bytes"/>.</summary>
    internal static uint Fnv1a(ReadOnlySpan<byte> bytes) => Fnv1a(FnvOffsetBasis, bytes);

    private static uint Fnv1a(uint hash, ReadOnlySpan<byte> bytes)
    {
        foreach (byte value in bytes)
        {
            hash = (hash ^ value) * FnvPrime;
        }
        return hash;
    }

    private int IdOf(uint hash) => 1 + (int)(hash % (uint)Buckets);

    private IEnumerable<Feature> EnumerateFeatures(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        string? previous = null;
        var runeStarts = new List<int>();
        foreach (TextSegment segment in TextSegmenter.Segment(TextSegmenter.Normalize(text, Lowercase)))
        {
            string word = segment.Text;
            yield return new Feature("w:", null, word, 0, word.Length);
            if (WordBigrams && previous is not null)
            {
                yield return new Feature("b:", previous, word, 0, word.Length);
            }
            previous = word;

            if (MaxN == 0)
            {
                continue;
            }
            string bounded = "<" + word + ">";
            runeStarts.Clear();
            for (int i = 0; i < bounded.Length; i += char.IsSurrogatePair(bounded, i) ? 2 : 1)
            {
                runeStarts.Add(i);
            }
            int runeCount = runeStarts.Count;
            runeStarts.Add(bounded.Length);

            for (int start = 0; start < runeCount; start++)
            {
                for (int n = MinN; n <= MaxN && start + n <= runeCount; n++)
                {
                    bool isBoundaryAlone = n == 1 && (start == 0 || start == runeCount - 1);
                    if (!isBoundaryAlone)
                    {
                        yield return new Feature("c:", null, bounded, runeStarts[start], runeStarts[start + n] - runeStarts[start]);
                    }
                }
            }
        }
    }

    /// <summary>
    /// One feature: <see cref="Prefix"/>, then <see cref="Previous"/> and a space for a bigram, then
    /// the characters [Start, Start + Length) of <see cref="Text"/>.
    /// </summary>
    private readonly record struct Feature(string Prefix, string? Previous, string Text, int Start, int Length)
    {
        public override string ToString() =>
            Previous is null
                ? Prefix + Text.Substring(Start, Length)
                : Prefix + Previous + " " + Text.Substring(Start, Length);

        /// <summary>Hashes the feature's UTF-8 bytes without building its string; <paramref name="buffer"/> grows as needed.</summary>
        public uint Hash(ref byte[] buffer)
        {
            uint hash = Fnv1a(FnvOffsetBasis, Utf8(Prefix, ref buffer));
            if (Previous is not null)
            {
                hash = Fnv1a(hash, Utf8(Previous, ref buffer));
                hash = Fnv1a(hash, " "u8);
            }
            return Fnv1a(hash, Utf8(Text.AsSpan(Start, Length), ref buffer));
        }

        private static ReadOnlySpan<byte> Utf8(ReadOnlySpan<char> chars, ref byte[] buffer)
        {
            int maxBytes = Encoding.UTF8.GetMaxByteCount(chars.Length);
            if (buffer.Length < maxBytes)
            {
                buffer = new byte[maxBytes];
            }
            int written = Encoding.UTF8.GetBytes(chars, buffer);
            return buffer.AsSpan(0, written);
        }
    }
}
