using System.Text;

namespace Negentropy.Data;

/// <summary>
/// A mail message or MIME part (RFC 5322, RFC 2045): its header fields and its raw body bytes.
/// Header values are unfolded and kept as Latin-1 strings, one char per byte, so that 8-bit bytes
/// survive until the charset that decodes them is known.
/// </summary>
public sealed class MimeEntity
{
    private readonly List<KeyValuePair<string, string>> headers;

    private MimeEntity(List<KeyValuePair<string, string>> headers, ReadOnlyMemory<byte> body)
    {
        this.headers = headers;
        Body = body;
    }

    /// <summary>The bytes after the blank line that ends the header section, still transfer-encoded.</summary>
    public ReadOnlyMemory<byte> Body { get; }

    /// <summary>Header fields in file order, with unfolded Latin-1 values.</summary>
    public IReadOnlyList<KeyValuePair<string, string>> Headers => headers;

    /// <summary>
    /// The lower-case <c>type/subtype</c> of the Content-Type field, or <c>text/plain</c> when the field
    /// is missing or has no slash, as RFC 2045 section 5.2 prescribes.
    /// </summary>
    public string MediaType
    {
        get
        {
            string? contentType = Header("Content-Type");
            if (contentType is null)
            {
                return "text/plain";
            }
            string mediaType = contentType.Split(';', 2)[0].Trim().Trim('"').ToLowerInvariant();
            return mediaType.Contains('/') ? mediaType : "text/plain";
        }
    }

    /// <summary>The lower-case Content-Transfer-Encoding, or <c>7bit</c> when the field is missing.</summary>
    public string TransferEncoding =>
        Header("Content-Transfer-Encoding")?.Trim().Trim('"').ToLowerInvariant() is { Length: > 0 } encoding ? encoding : "7bit";

    /// <summary>Parses a message or part: header lines up to the first empty line, then the body.</summary>
    /// <remarks>
    /// Lines may end in CRLF or LF. A line that starts with a space or tab continues the previous field.
    /// An mbox "From " separator on the first line is skipped. Any other line that is not a field ends
    /// the header section and starts the body, which keeps messages with broken headers readable.
    /// </remarks>
    public static MimeEntity Parse(ReadOnlyMemory<byte> message)
    {
        ReadOnlySpan<byte> bytes = message.Span;
        var fields = new List<KeyValuePair<string, string>>();
        StringBuilder? current = null;
        string? currentName = null;
        int position = 0;
        int bodyStart = bytes.Length;
        bool firstLine = true;
        while (position < bytes.Length)
        {
            int newline = bytes[position..].IndexOf((byte)'\n');
            int lineEnd = newline < 0 ? bytes.Length : position + newline;
            int next = newline < 0 ? bytes.Length : lineEnd + 1;
            ReadOnlySpan<byte> line = bytes[position..lineEnd];
            if (line.Length > 0 && line[^1] == '\r')
            {
                line = line[..^1];
            }

            if (line.Length == 0)
            {
                bodyStart = next;
                break;
            }
            if ((line[0] == ' ' || line[0] == '\t') && current is not null)
            {
                // Unfolding removes only the line break and keeps the leading whitespace (RFC 5322 section 2.2.3).
                current.Append(Encoding.Latin1.GetString(line));
            }
            else if (FieldNameLength(line) is int nameLength and > 0)
            {
                Flush(fields, currentName, current);
                currentName = Encoding.Latin1.GetString(line[..nameLength]);
                current = new StringBuilder(Encoding.Latin1.GetString(line[(nameLength + 1)..]));
            }
            else if (!(firstLine && line.StartsWith("From "u8)))
            {
                bodyStart = position;
                break;
            }
            firstLine = false;
            position = next;
        }

        Flush(fields, currentName, current);
        return new MimeEntity(fields, message[Math.Min(bodyStart, bytes.Length)..]);
    }

    /// <summary>Returns the value of the first field named <paramref name="name"/>, ignoring case, or null.</summary>
    public string? Header(string name)
    {
        foreach (KeyValuePair<string, string> field in headers)
        {
            if (string.Equals(field.Key, name, StringComparison.OrdinalIgnoreCase))
            {
                return field.Value;
            }
        }
        return null;
    }

    /// <summary>Returns a Content-Type parameter such as <c>charset</c> or <c>boundary</c>, unquoted, or null.</summary>
    public string? ContentTypeParameter(string name)
    {
        string? contentType = Header("Content-Type");
        if (contentType is null)
        {
            return null;
        }
        foreach (string parameter in SplitParameters(contentType).Skip(1))
        {
            int equals = parameter.IndexOf('=');
            if (equals > 0 && string.Equals(parameter[..equals].Trim(), name, StringComparison.OrdinalIgnoreCase))
            {
                string value = parameter[(equals + 1)..].Trim();
                return value.Length >= 2 && value[0] == '"' && value[^1] == '"' ? value[1..^1].Replace("\\\"", "\"") : value.Trim('"');
            }
        }
        return null;
    }

    /// <summary>
    /// Splits a multipart body at its boundary lines (RFC 2046 section 5.1.1) and parses each part.
    /// Returns no parts when the boundary parameter is missing or never occurs. The preamble and the
    /// epilogue are dropped, and a part that is not closed runs to the end of the body.
    /// </summary>
    public IReadOnlyList<MimeEntity> SplitMultipart()
    {
        string? boundary = ContentTypeParameter("boundary");
        if (string.IsNullOrEmpty(boundary))
        {
            return [];
        }
        byte[] delimiter = Encoding.Latin1.GetBytes("--" + boundary);
        ReadOnlySpan<byte> bytes = Body.Span;
        var parts = new List<MimeEntity>();
        int partStart = -1;
        int position = 0;
        while (position < bytes.Length)
        {
            int newline = bytes[position..].IndexOf((byte)'\n');
            int lineEnd = newline < 0 ? bytes.Length : position + newline;
            int next = newline < 0 ? bytes.Length : lineEnd + 1;
            ReadOnlySpan<byte> line = bytes[position..lineEnd];
            if (line.StartsWith(delimiter))
            {
                ReadOnlySpan<byte> rest = line[delimiter.Length..].TrimEnd(" \t\r"u8);
                bool closing = rest.SequenceEqual("--"u8);
                if (rest.Length == 0 || closing)
                {
                    if (partStart >= 0)
                    {
                        // The line break before a boundary line belongs to the boundary, not to the part.
                        parts.Add(Parse(Body[partStart..TrimLineBreak(bytes, partStart, position)]));
                    }
                    partStart = closing ? -1 : next;
                    if (closing)
                    {
                        break;
                    }
                }
            }
            position = next;
        }

        if (partStart >= 0 && partStart < bytes.Length)
        {
            parts.Add(Parse(Body[partStart..]));
        }
        return parts;
    }

    /// <summary>Returns the length of the field name before the colon, or 0 when the line is not a field.</summary>
    private static int FieldNameLength(ReadOnlySpan<byte> line)
    {
        // A field name is printable US-ASCII other than the colon (RFC 5322 section 2.2).
        for (int i = 0; i < line.Length; i++)
        {
            byte value = line[i];
            if (value == ':')
            {
                return i;
            }
            if (value is < 33 or > 126)
            {
                return 0;
            }
        }
        return 0;
    }

    private static int TrimLineBreak(ReadOnlySpan<byte> bytes, int start, int end)
    {
        if (end > start && bytes[end - 1] == '\n')
        {
            end--;
        }
        if (end > start && bytes[end - 1] == '\r')
        {
            end--;
        }
        return end;
    }

    private static void Flush(List<KeyValuePair<string, string>> fields, string? name, StringBuilder? value)
    {
        if (name is not null && value is not null)
        {
            fields.Add(new KeyValuePair<string, string>(name, value.ToString().Trim()));
        }
    }

    /// <summary>Splits a structured field at semicolons that are not inside double quotes.</summary>
    private static List<string> SplitParameters(string value)
    {
        var parts = new List<string>();
        var current = new StringBuilder();
        bool quoted = false;
        foreach (char c in value)
        {
            if (c == '"')
            {
                quoted = !quoted;
            }
            if (c == ';' && !quoted)
            {
                parts.Add(current.ToString());
                current.Clear();
            }
            else
            {
                current.Append(c);
            }
        }
        parts.Add(current.ToString());
        return parts;
    }
}
