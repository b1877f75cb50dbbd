namespace Negentropy.Text;

/// <summary>One unit of text that <see cref="TextSegmenter"/> found.</summary>
/// <param name="Text">A word, one punctuation or symbol character, or one CJK character.</param>
/// <param name="IsCjk">True for a Han, Hiragana, Katakana or Hangul character.</param>
/// <param name="ContinuesCjkRun">True for a CJK character that directly follows another one.</param>
internal readonly record struct TextSegment(string Text, bool IsCjk, bool ContinuesCjkRun);
