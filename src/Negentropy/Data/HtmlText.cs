using System.Net;
using System.Text.RegularExpressions;

namespace Negentropy.Data;

/// <summary>
/// Crude HTML to text conversion with regular expressions, good enough for mail bodies but not an HTML
/// parser. It drops comments, scripts and styles, turns block tags into line breaks and table cells
/// into spaces, removes all other tags and decodes character references.
/// </summary>
public static partial class HtmlText
{
    /// <summary>Returns the text of <paramref name="html"/>, with whitespace runs inside lines collapsed.</summary>
    public static string ToText(string html)
    {
        string text = CommentOrScriptOrStyle().Replace(html, " ");
        // Whitespace in HTML source is not significant, so source line breaks become spaces.
        text = Whitespace().Replace(text, " ");
        text = BlockTag().Replace(text, "\n");
        text = CellTag().Replace(text, " ");
        text = AnyTag().Replace(text, "");
        text = WebUtility.HtmlDecode(text).Replace('\u00A0', ' ');
        text = HorizontalWhitespace().Replace(text, " ");
        return SpacesAroundLineBreaks().Replace(text, "\n");
    }

    [GeneratedRegex(@"<!--.*?-->|<script\b.*?</script\s*>|<style\b.*?</style\s*>", RegexOptions.IgnoreCase | RegexOptions.Singleline)]
    private static partial Regex CommentOrScriptOrStyle();

    [GeneratedRegex(@"</?(?:br|p|div|tr|li|ul|ol|dl|dt|dd|h[1-6]|table|blockquote|pre|hr|center|title|form)\b[^>]*>", RegexOptions.IgnoreCase)]
    private static partial Regex BlockTag();

    [GeneratedRegex(@"</?(?:td|th)\b[^>]*>", RegexOptions.IgnoreCase)]
    private static partial Regex CellTag();

    // Only '<' followed by a letter, '/', '!' or '?' starts a tag, so "a < b" in text survives.
    [GeneratedRegex(@"<[A-Za-z/!?][^>]*>")]
    private static partial Regex AnyTag();

    [GeneratedRegex(@"[ \t\r\n\f]+")]
    private static partial Regex Whitespace();

    [GeneratedRegex(@"[ \t\r\f]+")]
    private static partial Regex HorizontalWhitespace();

    [GeneratedRegex(@" *\n *")]
    private static partial Regex SpacesAroundLineBreaks();
}
