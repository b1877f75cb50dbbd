using System.Text;

namespace Negentropy.Data;

/// <summary>
/// Extracts the readable text of a raw mail message: the Subject and the body without headers.
/// </summary>
/// <remarks>
/// The body is collected from the message's text parts:
/// <list type="bullet">
/// <item>text/plain and other text/* parts are decoded (base64 or quoted-printable, then the charset);</item>
/// <item>text/html parts are decoded the same way and reduced to text by <see cref="HtmlText"/>;</item>
/// <item>multipart/alternative contributes one alternative, the first text/plain one with text, else the first with text;</item>
/// <item>other multipart types contribute all their text parts in order, message/rfc822 parts their Subject and body;</item>
/// <item>images, applications and other non-text parts are skipped.</item>
/// </list>
/// A multipart body whose boundary is missing or never occurs is read as text/plain. Line breaks become
/// LF, control characters become spaces, trailing spaces are removed, and runs of blank lines are reduced to one.
/// </remarks>
public static class MailText
{
    /// <summary>Nesting depth beyond which multipart and message/rfc822 parts are skipped, so deep nesting cannot exhaust the stack.</summary>
    public const int MaxDepth = 16;

    /// <summary>
    /// Returns the Subject, a blank line, then the body text. Without a Subject (or with an empty one) the
    /// text is the body alone, and with an empty body it is the Subject alone.
    /// </summary>
    public static string ToText(ReadOnlyMemory<byte> message)
    {
        (string subject, string body) = Read(message);
        if (subject.Length == 0)
        {
            return body;
        }
        return body.Length == 0 ? subject : subject + "\n\n" + body;
    }

    /// <summary>Returns the decoded Subject (empty when missing) and the body text, both normalized.</summary>
    public static (string Subject, string Body) Read(ReadOnlyMemory<byte> message)
    {
        MimeEntity entity = MimeEntity.Parse(message);
        var parts = new List<string>();
        CollectText(entity, parts, depth: 0);
        return (Subject(entity), Normalize(string.Join("\n\n", parts)));
    }

    /// <summary>
    /// Returns the decoded Subject of <paramref name="entity"/> on one line, with whitespace runs
    /// collapsed to single spaces, or an empty string when the field is missing.
    /// </summary>
    public static string Subject(MimeEntity entity)
    {
        string? subject = entity.Header("Subject");
        if (subject is null)
        {
            return "";
        }
        // Raw 8-bit bytes in a header are most likely in the charset of the message's own text.
        string decoded = MailCharset.DecodeHeader(subject, entity.ContentTypeParameter("charset"));
        return string.Join(' ', Normalize(decoded).Split([' ', '\n'], StringSplitOptions.RemoveEmptyEntries));
    }

    /// <summary>
    /// Normalizes text for a CSV text column. CRLF and CR become LF, other control characters and
    /// no-break spaces become spaces, and byte-order marks are dropped. Then trailing spaces are removed
    /// from each line, runs of blank lines shrink to one blank line, and the text is trimmed.
    /// </summary>
    public static string Normalize(string text)
    {
        var cleaned = new StringBuilder(text.Length);
        for (int i = 0; i < text.Length; i++)
        {
            char c = text[i];
            if (c == '\r')
            {
                if (i + 1 < text.Length && text[i + 1] == '\n')
                {
                    continue;
                }
                c = '\n';
            }
            if (c == '\uFEFF')
            {
                continue;
            }
            cleaned.Append(c != '\n' && (char.IsControl(c) || c == '\u00A0') ? ' ' : c);
        }

        var output = new StringBuilder(cleaned.Length);
        int blankLines = 0;
        foreach (string rawLine in cleaned.ToString().Split('\n'))
        {
            string line = rawLine.TrimEnd(' ');
            if (line.Length == 0)
            {
                blankLines++;
                continue;
            }
            if (output.Length == 0)
            {
                line = line.TrimStart(' ');
            }
            else
            {
                output.Append(blankLines > 0 ? "\n\n" : "\n");
            }
            output.Append(line);
            blankLines = 0;
        }
        return output.ToString();
    }

    private static void CollectText(MimeEntity entity, List<string> parts, int depth)
    {
        if (depth > MaxDepth)
        {
            return;
        }
        string mediaType = entity.MediaType;
        if (mediaType.StartsWith("multipart/", StringComparison.Ordinal))
        {
            IReadOnlyList<MimeEntity> children = entity.SplitMultipart();
            if (children.Count == 0)
            {
                parts.Add(DecodeBody(entity));
            }
            else if (mediaType == "multipart/alternative")
            {
                CollectAlternative(children, parts, depth);
            }
            else
            {
                foreach (MimeEntity child in children)
                {
                    CollectText(child, parts, depth + 1);
                }
            }
        }
        else if (mediaType == "message/rfc822")
        {
            byte[] inner = TransferDecoding.Decode(entity.Body.Span, entity.TransferEncoding);
            MimeEntity message = MimeEntity.Parse(inner);
            string subject = Subject(message);
            if (subject.Length > 0)
            {
                parts.Add(subject);
            }
            CollectText(message, parts, depth + 1);
        }
        else if (mediaType == "text/html")
        {
            parts.Add(HtmlText.ToText(DecodeBody(entity)));
        }
        else if (mediaType.StartsWith("text/", StringComparison.Ordinal))
        {
            parts.Add(DecodeBody(entity));
        }
    }

    private static void CollectAlternative(IReadOnlyList<MimeEntity> alternatives, List<string> parts, int depth)
    {
        List<string>? firstWithText = null;
        foreach (MimeEntity alternative in alternatives)
        {
            var text = new List<string>();
            CollectText(alternative, text, depth + 1);
            if (text.All(string.IsNullOrWhiteSpace))
            {
                continue;
            }
            if (alternative.MediaType == "text/plain")
            {
                parts.AddRange(text);
                return;
            }
            firstWithText ??= text;
        }
        if (firstWithText is not null)
        {
            parts.AddRange(firstWithText);
        }
    }

    private static string DecodeBody(MimeEntity entity)
    {
        byte[] bytes = TransferDecoding.Decode(entity.Body.Span, entity.TransferEncoding);
        return MailCharset.Decode(bytes, entity.ContentTypeParameter("charset"));
    }
}
