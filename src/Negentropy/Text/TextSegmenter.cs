using System.Globalization;
using System.Text;

namespace Negentropy.Text;

/// <summary>
/// Splits normalized text into words, punctuation and symbols, and single CJK characters.
/// </summary>
/// <remarks>
/// A word is a run of letters, digits and combining marks, so it ends at whitespace, punctuation,
/// symbols and CJK characters. An apostrophe (U+0027 or U+2019) between two word characters stays in
/// the word as U+0027, so "don't" is one word. Each punctuation or symbol character, emoji
/// included, is a segment of its own. Format characters such as soft hyphens and zero-width joiners
/// are skipped without ending a word. Whitespace, control and private-use characters end a word and
/// are dropped. Han, Hiragana, Katakana and Hangul characters are segments of one character each.
/// NOTE: Thai, Lao, Khmer and Myanmar are written without spaces, and a whole phrase in them becomes
/// one word.
/// </remarks>
internal static class TextSegmenter
{
    /// <summary>Returns the NFKC form of <paramref name="text"/>, lowercased when asked.</summary>
    public static string Normalize(string text, bool lowercase)
    {
        string normalized = UnicodeNormalizer.ToNfkc(text);
        return lowercase ? normalized.ToLowerInvariant() : normalized;
    }

    /// <summary>Yields the segments of already normalized text in order, lazily.</summary>
    public static IEnumerable<TextSegment> Segment(string normalized)
    {
        var word = new StringBuilder();
        bool previousIsCjk = false;
        int index = 0;
        while (index < normalized.Length)
        {
            Rune rune = ReadRune(normalized, index);
            int next = index + rune.Utf16SequenceLength;
            UnicodeCategory category = Rune.GetUnicodeCategory(rune);
            bool isCjk = IsCjk(rune.Value) && IsLetterOrNumber(category);

            if (isCjk)
            {
                if (word.Length > 0)
                {
                    yield return new TextSegment(word.ToString(), false, false);
                    word.Clear();
                }
                yield return new TextSegment(rune.ToString(), true, previousIsCjk);
            }
            else if (IsLetterOrNumber(category) || (IsMark(category) && word.Length > 0))
            {
                word.Append(rune.ToString());
            }
            else if (IsApostrophe(rune.Value) && word.Length > 0 && next < normalized.Length && IsWordRune(ReadRune(normalized, next)))
            {
                word.Append('\'');
            }
            else if (category == UnicodeCategory.Format || IsMark(category))
            {
                // Skipped: a format character inside a word must not split it, and a mark with no
                // word before it has nothing to attach to.
                index = next;
                continue;
            }
            else
            {
                if (word.Length > 0)
                {
                    yield return new TextSegment(word.ToString(), false, false);
                    word.Clear();
                }
                if (IsPunctuationOrSymbol(category))
                {
                    yield return new TextSegment(rune.ToString(), false, false);
                }
            }

            previousIsCjk = isCjk;
            index = next;
        }

        if (word.Length > 0)
        {
            yield return new TextSegment(word.ToString(), false, false);
        }
    }

    /// <summary>True for code points in the Han, Hiragana, Katakana and Hangul blocks.</summary>
    internal static bool IsCjk(int code) => code switch
    {
        >= 0x1100 and <= 0x11FF => true,   // Hangul Jamo
        >= 0x2E80 and <= 0x2FDF => true,   // CJK Radicals Supplement, Kangxi Radicals
        >= 0x3005 and <= 0x3007 => true,   // 々 〆 〇
        >= 0x3021 and <= 0x3029 => true,   // Hangzhou numerals
        >= 0x3038 and <= 0x303B => true,   // Hangzhou numerals, 〻
        >= 0x3041 and <= 0x309F => true,   // Hiragana
        >= 0x30A0 and <= 0x30FF => code != 0x30FB, // Katakana except the middle dot, which is punctuation
        >= 0x3130 and <= 0x318F => true,   // Hangul Compatibility Jamo
        >= 0x31F0 and <= 0x31FF => true,   // Katakana Phonetic Extensions
        >= 0x3400 and <= 0x4DBF => true,   // CJK Extension A
        >= 0x4E00 and <= 0x9FFF => true,   // CJK Unified Ideographs
        >= 0xA960 and <= 0xA97F => true,   // Hangul Jamo Extended-A
        >= 0xAC00 and <= 0xD7FF => true,   // Hangul Syllables, Hangul Jamo Extended-B
        >= 0xF900 and <= 0xFAFF => true,   // CJK Compatibility Ideographs
        >= 0x1AFF0 and <= 0x1B16F => true, // Kana Extended-B, Kana Supplement, Kana Extended-A, Small Kana
        >= 0x20000 and <= 0x3134F => true, // CJK Extensions B to G, Compatibility Ideographs Supplement
        _ => false,
    };

    private static Rune ReadRune(string text, int index) =>
        Rune.DecodeFromUtf16(text.AsSpan(index), out Rune rune, out _) == System.Buffers.OperationStatus.Done
            ? rune
            : Rune.ReplacementChar;

    private static bool IsWordRune(Rune rune) =>
        IsLetterOrNumber(Rune.GetUnicodeCategory(rune)) && !IsCjk(rune.Value);

    private static bool IsApostrophe(int code) => code is '\'' or '\u2019';

    private static bool IsLetterOrNumber(UnicodeCategory category) => category
        is UnicodeCategory.UppercaseLetter or UnicodeCategory.LowercaseLetter or UnicodeCategory.TitlecaseLetter
        or UnicodeCategory.ModifierLetter or UnicodeCategory.OtherLetter
        or UnicodeCategory.DecimalDigitNumber or UnicodeCategory.LetterNumber or UnicodeCategory.OtherNumber;

    private static bool IsMark(UnicodeCategory category) => category
        is UnicodeCategory.NonSpacingMark or UnicodeCategory.SpacingCombiningMark or UnicodeCategory.EnclosingMark;

    private static bool IsPunctuationOrSymbol(UnicodeCategory category) => category
        is UnicodeCategory.ConnectorPunctuation or UnicodeCategory.DashPunctuation or UnicodeCategory.OpenPunctuation
        or UnicodeCategory.ClosePunctuation or UnicodeCategory.InitialQuotePunctuation
        or UnicodeCategory.FinalQuotePunctuation or UnicodeCategory.OtherPunctuation
        or UnicodeCategory.MathSymbol or UnicodeCategory.CurrencySymbol or UnicodeCategory.ModifierSymbol
        or UnicodeCategory.OtherSymbol;
}
