using System.Buffers;
using System.Globalization;
using System.Text;
using System.Text.Unicode;

namespace Negentropy.Data;

/// <summary>
/// Reads a text file as UTF-8 bytes without a byte-order mark, decoding strictly: an invalid byte
/// sequence is a <see cref="UserInputException"/> that names its byte offset and line, never a
/// replacement character in the data.
/// </summary>
/// <remarks>
/// A UTF-8 or UTF-16 byte-order mark sets the encoding when no encoding is requested. Without one the
/// file is read as UTF-8. Code-page encodings come from <see cref="CodePagesEncodingProvider"/>. Its
/// tables are embedded in System.Text.Encoding.CodePages, which ships with the .NET runtime and does not
/// use ICU, so they work with InvariantGlobalization.
/// </remarks>
internal static class TextFileDecoder
{
    /// <summary>Encoding names accepted by <see cref="Read"/>, in the order error messages list them.</summary>
    public static readonly IReadOnlyList<string> SupportedEncodings =
        ["utf-8", "utf-16", "utf-16le", "utf-16be", "gb18030", "gbk", "big5", "shift_jis", "windows-1252"];

    // Keys are lowercase names without '-' and '_', so "UTF8", "utf_8" and "utf-8" are one name.
    private static readonly Dictionary<string, string> Aliases = new(StringComparer.Ordinal)
    {
        ["utf8"] = "utf-8",
        ["utf16"] = "utf-16",
        ["utf16le"] = "utf-16le",
        ["unicode"] = "utf-16le",
        ["utf16be"] = "utf-16be",
        ["gb18030"] = "gb18030",
        ["gbk"] = "gbk",
        ["cp936"] = "gbk",
        ["gb2312"] = "gbk",
        ["big5"] = "big5",
        ["cp950"] = "big5",
        ["shiftjis"] = "shift_jis",
        ["sjis"] = "shift_jis",
        ["cp932"] = "shift_jis",
        ["windows1252"] = "windows-1252",
        ["cp1252"] = "windows-1252",
    };

    private static readonly byte[] Utf8Bom = [0xEF, 0xBB, 0xBF];
    private static readonly byte[] Utf16LeBom = [0xFF, 0xFE];
    private static readonly byte[] Utf16BeBom = [0xFE, 0xFF];

    static TextFileDecoder() => Encoding.RegisterProvider(CodePagesEncodingProvider.Instance);

    /// <summary>
    /// Returns the canonical name from <see cref="SupportedEncodings"/> for <paramref name="name"/>
    /// (case-insensitive, '-' and '_' optional), or throws a <see cref="UserInputException"/> that lists them.
    /// </summary>
    public static string CanonicalName(string name)
    {
        string key = name.Trim().ToLowerInvariant().Replace("-", "", StringComparison.Ordinal).Replace("_", "", StringComparison.Ordinal);
        return Aliases.TryGetValue(key, out string? canonical)
            ? canonical
            : throw new UserInputException($"encoding '{name}' is not supported; use one of {string.Join(", ", SupportedEncodings)}");
    }

    /// <summary>Reads <paramref name="path"/> and returns its text as UTF-8 without a byte-order mark.</summary>
    /// <param name="encodingName">A name from <see cref="SupportedEncodings"/>, or null for UTF-8 unless a byte-order mark sets UTF-16.</param>
    public static ReadOnlyMemory<byte> Read(string path, string? encodingName)
    {
        string? requested = encodingName is null ? null : CanonicalName(encodingName);
        byte[] bytes;
        try
        {
            bytes = File.ReadAllBytes(path);
        }
        catch (Exception exception) when (exception is IOException or UnauthorizedAccessException)
        {
            throw new UserInputException($"{path}: cannot be read: {exception.Message}", exception);
        }
        return Decode(bytes, requested, path);
    }

    /// <param name="requested">A canonical name from <see cref="SupportedEncodings"/>, or null.</param>
    private static ReadOnlyMemory<byte> Decode(byte[] bytes, string? requested, string source)
    {
        if (bytes.AsSpan().StartsWith(Utf8Bom))
        {
            RequireBomMatches(requested, "UTF-8", ["utf-8"], source);
            return ValidateUtf8(bytes, Utf8Bom.Length, source);
        }
        if (bytes.AsSpan().StartsWith(Utf16LeBom))
        {
            RequireBomMatches(requested, "UTF-16 little-endian", ["utf-16", "utf-16le"], source);
            return Transcode(bytes, Utf16LeBom.Length, new UnicodeEncoding(bigEndian: false, byteOrderMark: false, throwOnInvalidBytes: true), "UTF-16LE", source);
        }
        if (bytes.AsSpan().StartsWith(Utf16BeBom))
        {
            RequireBomMatches(requested, "UTF-16 big-endian", ["utf-16", "utf-16be"], source);
            return Transcode(bytes, Utf16BeBom.Length, new UnicodeEncoding(bigEndian: true, byteOrderMark: false, throwOnInvalidBytes: true), "UTF-16BE", source);
        }
        return requested switch
        {
            null or "utf-8" => ValidateUtf8(bytes, 0, source),
            "utf-16" or "utf-16le" => Transcode(bytes, 0, new UnicodeEncoding(bigEndian: false, byteOrderMark: false, throwOnInvalidBytes: true), "UTF-16LE", source),
            "utf-16be" => Transcode(bytes, 0, new UnicodeEncoding(bigEndian: true, byteOrderMark: false, throwOnInvalidBytes: true), "UTF-16BE", source),
            _ => Transcode(bytes, 0, Encoding.GetEncoding(requested, EncoderFallback.ExceptionFallback, DecoderFallback.ExceptionFallback), requested, source),
        };
    }

    private static void RequireBomMatches(string? requested, string bomName, string[] compatible, string source)
    {
        if (requested is not null && !compatible.Contains(requested))
        {
            throw new UserInputException($"{source}: starts with a {bomName} byte-order mark, but the encoding given is {requested}; omit --encoding or pass --encoding {compatible[0]}");
        }
    }

    private static ReadOnlyMemory<byte> ValidateUtf8(byte[] bytes, int start, string source)
    {
        ReadOnlySpan<byte> text = bytes.AsSpan(start);

        // NUL is valid UTF-8, but in a text table it usually means UTF-16 text without a
        // byte-order mark, so a NUL before the first invalid sequence gets its own message.
        int nul = text.IndexOf((byte)0);
        int invalid = FirstInvalidUtf8(nul >= 0 ? text[..nul] : text);
        if (invalid >= 0)
        {
            long offset = start + invalid;
            throw new UserInputException(string.Create(CultureInfo.InvariantCulture,
                $"{source}: invalid UTF-8 byte 0x{bytes[offset]:X2} at byte offset {offset} (line {LineOfUtf8(text[..invalid])}); pass the file's encoding with --encoding, for example --encoding gbk, --encoding gb18030 or --encoding utf-16"));
        }
        if (nul >= 0)
        {
            throw new UserInputException(string.Create(CultureInfo.InvariantCulture,
                $"{source}: NUL byte at byte offset {start + nul} (line {LineOfUtf8(text[..nul])}), so the file is probably UTF-16 without a byte-order mark; pass --encoding utf-16 (little-endian) or --encoding utf-16be"));
        }
        return bytes.AsMemory(start);
    }

    // Returns the offset of the first byte of the first invalid sequence, or -1 when all of text is valid.
    private static int FirstInvalidUtf8(ReadOnlySpan<byte> text)
    {
        if (Utf8.IsValid(text))
        {
            return -1;
        }
        char[] buffer = ArrayPool<char>.Shared.Rent(64 * 1024);
        try
        {
            int position = 0;
            while (true)
            {
                OperationStatus status = Utf8.ToUtf16(text[position..], buffer, out int bytesRead, out _, replaceInvalidSequences: false, isFinalBlock: true);
                position += bytesRead;
                if (status != OperationStatus.DestinationTooSmall)
                {
                    return status == OperationStatus.Done ? -1 : position;
                }
            }
        }
        finally
        {
            ArrayPool<char>.Shared.Return(buffer);
        }
    }

    private static long LineOfUtf8(ReadOnlySpan<byte> before) => before.Count((byte)'\n') + 1L;

    private static ReadOnlyMemory<byte> Transcode(byte[] bytes, int start, Encoding strict, string encodingName, string source)
    {
        string text;
        try
        {
            text = strict.GetString(bytes, start, bytes.Length - start);
        }
        catch (DecoderFallbackException exception)
        {
            byte[] unknown = exception.BytesUnknown ?? [];
            int relative = OffsetOfUnknownBytes(bytes.AsSpan(start), exception.Index, unknown);
            int offset = start + relative;
            string invalidBytes = unknown.Length > 0
                ? string.Join(" ", unknown.Select(b => "0x" + b.ToString("X2", CultureInfo.InvariantCulture)))
                : "0x" + bytes[Math.Min(offset, bytes.Length - 1)].ToString("X2", CultureInfo.InvariantCulture);
            throw new UserInputException(string.Create(CultureInfo.InvariantCulture,
                $"{source}: invalid {encodingName} bytes {invalidBytes} at byte offset {offset} (line {LineOfPrefix(bytes, start, relative, strict.CodePage)}); pass the file's encoding with --encoding (supported: {string.Join(", ", SupportedEncodings)})"),
                exception);
        }
        return Encoding.UTF8.GetBytes(text);
    }

    // DecoderFallbackException.Index is the start of the invalid bytes for the code-page decoders, but
    // the UnicodeEncoding decoder (.NET 10) reports a high surrogate without its low surrogate at the
    // position after it. The offset is the one where the reported bytes actually are.
    private static int OffsetOfUnknownBytes(ReadOnlySpan<byte> text, int index, byte[] unknown)
    {
        int clamped = Math.Clamp(index, 0, text.Length);
        if (unknown.Length == 0 || text[clamped..].StartsWith(unknown))
        {
            return clamped;
        }
        int before = clamped - unknown.Length;
        return before >= 0 && text[before..clamped].SequenceEqual(unknown) ? before : clamped;
    }

    // The bytes before an invalid sequence decode without error, so a lenient decoder of the same code
    // page counts the same line breaks as the strict one would.
    private static long LineOfPrefix(byte[] bytes, int start, int length, int codePage)
    {
        string prefix = Encoding.GetEncoding(codePage).GetString(bytes, start, length);
        return prefix.AsSpan().Count('\n') + 1L;
    }
}
