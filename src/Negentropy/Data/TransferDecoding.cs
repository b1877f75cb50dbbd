namespace Negentropy.Data;

/// <summary>
/// Decoders for the MIME content transfer encodings (RFC 2045 section 6) that are lenient in the way
/// mail readers are: malformed input gives the bytes that can be recovered instead of an error.
/// </summary>
public static class TransferDecoding
{
    /// <summary>
    /// Decodes <paramref name="body"/> by its Content-Transfer-Encoding. Only <c>base64</c> and
    /// <c>quoted-printable</c> change the bytes. 7bit, 8bit, binary and unknown encodings are returned as they are.
    /// </summary>
    public static byte[] Decode(ReadOnlySpan<byte> body, string transferEncoding) => transferEncoding switch
    {
        "base64" => DecodeBase64(body),
        "quoted-printable" => DecodeQuotedPrintable(body, underscoreIsSpace: false),
        _ => body.ToArray(),
    };

    /// <summary>
    /// Decodes base64 line by line. Decoding stops after a line with padding or at the first line with a
    /// character outside the base64 alphabet, such as a mailing-list footer appended to the body. A
    /// final group of 2 or 3 characters without padding still gives its bytes.
    /// </summary>
    public static byte[] DecodeBase64(ReadOnlySpan<byte> body)
    {
        var characters = new List<char>(body.Length);
        bool started = false;
        foreach (Range range in body.Split((byte)'\n'))
        {
            ReadOnlySpan<byte> line = body[range].Trim(" \t\r"u8);
            if (line.Length == 0)
            {
                if (started)
                {
                    break;
                }
                continue;
            }
            if (!IsBase64Line(line))
            {
                break;
            }
            started = true;
            int padding = line.IndexOf((byte)'=');
            foreach (byte value in padding < 0 ? line : line[..padding])
            {
                characters.Add((char)value);
            }
            if (padding >= 0)
            {
                break;
            }
        }

        // Four characters carry three bytes, and a single leftover character carries no whole byte.
        int remainder = characters.Count % 4;
        if (remainder == 1)
        {
            characters.RemoveAt(characters.Count - 1);
            remainder = 0;
        }
        if (remainder > 0)
        {
            characters.AddRange(Enumerable.Repeat('=', 4 - remainder));
        }
        var bytes = new byte[characters.Count / 4 * 3];
        return Convert.TryFromBase64Chars(characters.ToArray(), bytes, out int written) ? bytes[..written] : [];
    }

    /// <summary>
    /// Decodes quoted-printable: <c>=XX</c> becomes the byte 0xXX, and <c>=</c> before a line break
    /// (a soft line break) is removed with the break. An <c>=</c> that starts neither is kept as it is.
    /// With <paramref name="underscoreIsSpace"/>, <c>_</c> becomes a space, as in RFC 2047 "Q" encoded words.
    /// </summary>
    public static byte[] DecodeQuotedPrintable(ReadOnlySpan<byte> body, bool underscoreIsSpace)
    {
        var output = new List<byte>(body.Length);
        int i = 0;
        while (i < body.Length)
        {
            byte value = body[i];
            if (value == '=')
            {
                if (i + 2 < body.Length && HexValue(body[i + 1]) is int high && HexValue(body[i + 2]) is int low)
                {
                    output.Add((byte)((high << 4) | low));
                    i += 3;
                    continue;
                }
                int end = SoftLineBreakEnd(body, i + 1);
                if (end >= 0)
                {
                    i = end;
                    continue;
                }
            }
            output.Add(underscoreIsSpace && value == '_' ? (byte)' ' : value);
            i++;
        }
        return output.ToArray();
    }

    private static bool IsBase64Line(ReadOnlySpan<byte> line)
    {
        foreach (byte value in line)
        {
            bool valid = value is (>= (byte)'A' and <= (byte)'Z') or (>= (byte)'a' and <= (byte)'z') or (>= (byte)'0' and <= (byte)'9')
                or (byte)'+' or (byte)'/' or (byte)'=';
            if (!valid)
            {
                return false;
            }
        }
        return true;
    }

    /// <summary>Returns the index after an optional run of spaces and tabs, then CRLF or LF, or -1.</summary>
    private static int SoftLineBreakEnd(ReadOnlySpan<byte> body, int start)
    {
        int i = start;
        while (i < body.Length && body[i] is (byte)' ' or (byte)'\t')
        {
            i++;
        }
        if (i < body.Length && body[i] == '\r')
        {
            i++;
        }
        if (i < body.Length && body[i] == '\n')
        {
            return i + 1;
        }
        // A soft line break at the very end of the body has no line break after it.
        return i == body.Length ? i : -1;
    }

    private static int? HexValue(byte value) => value switch
    {
        >= (byte)'0' and <= (byte)'9' => value - '0',
        >= (byte)'A' and <= (byte)'F' => value - 'A' + 10,
        >= (byte)'a' and <= (byte)'f' => value - 'a' + 10,
        _ => null,
    };
}
