using System.Text;
using System.Text.RegularExpressions;

namespace Negentropy.Data;

/// <summary>
/// Turns mail bytes into text: body bytes by their declared charset, and header values with RFC 2047
/// encoded words such as <c>=?big5?B?...?=</c>.
/// </summary>
public static partial class MailCharset
{
    private static readonly UTF8Encoding StrictUtf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    // Names seen in mail that .NET does not know, mapped to the encoding their senders meant.
    private static readonly Dictionary<string, string> Aliases = new(StringComparer.OrdinalIgnoreCase)
    {
        ["chinesebig5"] = "big5",
        ["x-gbk"] = "gbk",
        ["x-sjis"] = "shift_jis",
        ["iso-8859-8-i"] = "iso-8859-8",
    };

    static MailCharset()
    {
        // Adds the Windows and legacy code pages (windows-1252, GBK, Big5, Shift-JIS, KOI8-R, ...) to Encoding.GetEncoding.
        Encoding.RegisterProvider(CodePagesEncodingProvider.Instance);
    }

    /// <summary>Windows-1252, the fallback for 8-bit bytes that are not UTF-8 and have no usable charset.</summary>
    public static Encoding Windows1252 => Encoding.GetEncoding(1252);

    /// <summary>
    /// Decodes <paramref name="bytes"/>. Pure ASCII is decoded with the declared charset, so 7-bit
    /// encodings such as ISO-2022-JP work. Other bytes that are valid UTF-8 are decoded as UTF-8 whatever
    /// the declared charset, because text in legacy charsets almost never forms valid multi-byte UTF-8, and
    /// a message re-encoded as UTF-8 keeps its old declaration. The remaining bytes use the declared
    /// charset, or windows-1252 when it is missing, unknown, ASCII, ISO-8859-1 or UTF-8.
    /// </summary>
    public static string Decode(ReadOnlySpan<byte> bytes, string? charset)
    {
        Encoding? declared = Resolve(charset);
        if (!bytes.ContainsAnyInRange((byte)0x80, (byte)0xFF))
        {
            return (declared ?? Encoding.ASCII).GetString(bytes);
        }
        try
        {
            return StrictUtf8.GetString(bytes);
        }
        catch (DecoderFallbackException)
        {
            // Not UTF-8: the declared charset decides below.
        }
        bool singleByteWestern = declared is null || declared.CodePage is 20127 or 28591 or 65001;
        return (singleByteWestern ? Windows1252 : declared!).GetString(bytes);
    }

    /// <summary>
    /// Decodes a header value kept as Latin-1 (one char per byte). Encoded words are decoded with their
    /// own charset, and whitespace between two adjacent encoded words is dropped (RFC 2047 section 6.2).
    /// Raw 8-bit bytes elsewhere are decoded as <see cref="Decode"/> does, with <paramref name="fallbackCharset"/>.
    /// </summary>
    public static string DecodeHeader(string latin1Value, string? fallbackCharset)
    {
        var text = new StringBuilder(latin1Value.Length);
        int position = 0;
        bool previousWasEncodedWord = false;
        foreach (Match match in EncodedWord().Matches(latin1Value))
        {
            string between = latin1Value[position..match.Index];
            if (!(previousWasEncodedWord && string.IsNullOrWhiteSpace(between)))
            {
                text.Append(Decode(Encoding.Latin1.GetBytes(between), fallbackCharset));
            }

            string charset = match.Groups["charset"].Value.Split('*', 2)[0];
            byte[] encoded = Encoding.Latin1.GetBytes(match.Groups["text"].Value);
            byte[] decoded = match.Groups["encoding"].Value is "B" or "b"
                ? TransferDecoding.DecodeBase64(encoded)
                : TransferDecoding.DecodeQuotedPrintable(encoded, underscoreIsSpace: true);
            text.Append(Decode(decoded, charset));
            position = match.Index + match.Length;
            previousWasEncodedWord = true;
        }
        text.Append(Decode(Encoding.Latin1.GetBytes(latin1Value[position..]), fallbackCharset));
        return text.ToString();
    }

    /// <summary>Returns the encoding named by a MIME charset, or null when it is missing or unknown.</summary>
    public static Encoding? Resolve(string? charset)
    {
        string name = charset?.Trim().Trim('"', '\'') ?? "";
        if (name.Length == 0)
        {
            return null;
        }
        if (Aliases.TryGetValue(name, out string? alias))
        {
            name = alias;
        }
        try
        {
            return Encoding.GetEncoding(name);
        }
        catch (ArgumentException)
        {
            // Names such as "default" or "unknown-8bit" carry no information.
            return null;
        }
        catch (NotSupportedException)
        {
            // .NET 5 and later disable UTF-7 (SYSLIB0001), so UTF-7 text stays in its ASCII form.
            return null;
        }
    }

    [GeneratedRegex(@"=\?(?<charset>[^?\s]+)\?(?<encoding>[BbQq])\?(?<text>[^?\s]*)\?=")]
    private static partial Regex EncodedWord();
}
