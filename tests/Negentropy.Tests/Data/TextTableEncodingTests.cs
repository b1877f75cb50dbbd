using System.Text;
using Negentropy.Data;
using Xunit;

namespace Negentropy.Tests.Data;

public sealed class TextTableEncodingTests : IDisposable
{
    private const string IntentsCsv = "text,label\n我要退款,退款\n快递到哪里了,物流\n怎么修改密码,账户\n";

    private static readonly TextTableOptions Options = new() { TextColumns = ["text"], LabelColumn = "label" };

    private readonly TemporaryFolder folder = new();

    static TextTableEncodingTests() => Encoding.RegisterProvider(CodePagesEncodingProvider.Instance);

    public void Dispose() => folder.Dispose();

    private string WriteBytes(string name, byte[] bytes)
    {
        string path = folder.Combine(name);
        File.WriteAllBytes(path, bytes);
        return path;
    }

    private static void AssertIntents(TextTable table)
    {
        Assert.Equal(["我要退款", "快递到哪里了", "怎么修改密码"], table.Texts);
        Assert.Equal(["退款", "物流", "账户"], table.Labels);
    }

    [Fact]
    public void InvalidUtf8_NamesOffsetAndSuggestsEncoding()
    {
        byte[] gbk = Encoding.GetEncoding("GBK").GetBytes(IntentsCsv);
        string path = WriteBytes("gbk.csv", gbk);
        int expectedOffset = Encoding.UTF8.GetByteCount("text,label\n");

        var error = Assert.Throws<UserInputException>(() => TextTableReader.Read(path, Options));

        Assert.StartsWith(path, error.Message);
        Assert.Contains($"at byte offset {expectedOffset} (line 2)", error.Message);
        Assert.Contains("--encoding gbk", error.Message);
        Assert.Contains("utf-16", error.Message);
    }

    [Fact]
    public void InvalidUtf8_OffsetCountsBom()
    {
        byte[] bytes = [0xEF, 0xBB, 0xBF, .. "text,label\nab"u8, 0xFF, .. ",x\n"u8];
        string path = WriteBytes("bom-bad.csv", bytes);

        var error = Assert.Throws<UserInputException>(() => TextTableReader.Read(path, Options));

        Assert.Contains("invalid UTF-8 byte 0xFF at byte offset 16 (line 2)", error.Message);
    }

    [Fact]
    public void InvalidUtf8_TruncatedSequenceAtEnd()
    {
        byte[] complete = Encoding.UTF8.GetBytes("text,label\n我要退款,退款");
        string path = WriteBytes("truncated.csv", complete[..^1]);

        var error = Assert.Throws<UserInputException>(() => TextTableReader.Read(path, Options));

        Assert.Contains($"at byte offset {complete.Length - 3}", error.Message);
    }

    [Fact]
    public void Gbk_ReadWithEncodingGbk()
    {
        string path = WriteBytes("gbk.csv", Encoding.GetEncoding("GBK").GetBytes(IntentsCsv));

        TextTable table = TextTableReader.Read(path, Options with { Encoding = "gbk" });

        AssertIntents(table);
    }

    [Fact]
    public void Gb18030_ReadsCharactersOutsideGbk()
    {
        // U+20BB7 (𠮷) needs four bytes in GB18030 and has no GBK code.
        string content = "text,label\n𠮷野家退款,退款\n快递到哪里了,物流\n";
        string path = WriteBytes("gb18030.csv", Encoding.GetEncoding("GB18030").GetBytes(content));

        TextTable table = TextTableReader.Read(path, Options with { Encoding = "GB18030" });

        Assert.Equal(["𠮷野家退款", "快递到哪里了"], table.Texts);
    }

    [Fact]
    public void InvalidGbk_NamesOffsetAndLine()
    {
        // 0x81 starts a two-byte GBK code, whose second byte must be 0x40 to 0xFE other than 0x7F.
        byte[] bytes = [.. Encoding.GetEncoding("GBK").GetBytes("text,label\n我要退款,退款\n"), 0x81, 0x20, .. "x,y\n"u8];
        string path = WriteBytes("bad-gbk.csv", bytes);
        int expectedOffset = bytes.Length - 6;

        var error = Assert.Throws<UserInputException>(() => TextTableReader.Read(path, Options with { Encoding = "gbk" }));

        Assert.Contains("invalid gbk bytes 0x81 0x20", error.Message);
        Assert.Contains($"at byte offset {expectedOffset} (line 3)", error.Message);
    }

    [Theory]
    [InlineData("utf-16", false, true)]
    [InlineData("utf-16le", false, false)]
    [InlineData("UTF16", false, true)]
    [InlineData("utf-16be", true, false)]
    [InlineData("utf-16", true, true)]
    [InlineData(null, false, true)]
    [InlineData(null, true, true)]
    public void Utf16_ReadWithOrWithoutBom(string? encoding, bool bigEndian, bool byteOrderMark)
    {
        var utf16 = new UnicodeEncoding(bigEndian, byteOrderMark);
        string path = WriteBytes("utf16.csv", [.. utf16.GetPreamble(), .. utf16.GetBytes(IntentsCsv)]);

        TextTable table = TextTableReader.Read(path, Options with { Encoding = encoding });

        AssertIntents(table);
    }

    [Fact]
    public void Utf16WithoutBom_DefaultSuggestsUtf16()
    {
        string path = WriteBytes("utf16-nobom.csv", Encoding.Unicode.GetBytes(IntentsCsv));

        var error = Assert.Throws<UserInputException>(() => TextTableReader.Read(path, Options));

        Assert.Contains("NUL byte at byte offset 1 (line 1)", error.Message);
        Assert.Contains("--encoding utf-16", error.Message);
    }

    [Fact]
    public void Utf16OddLength_IsInvalid()
    {
        byte[] bytes = [.. Encoding.Unicode.GetPreamble(), .. Encoding.Unicode.GetBytes(IntentsCsv), 0x41];
        string path = WriteBytes("odd.csv", bytes);

        var error = Assert.Throws<UserInputException>(() => TextTableReader.Read(path, Options));

        Assert.Contains("invalid UTF-16LE bytes 0x41", error.Message);
        Assert.Contains($"at byte offset {bytes.Length - 1} (line 5)", error.Message);
    }

    [Theory]
    [InlineData(new byte[] { 0x00, 0xD8, 0x41, 0x00 }, "0x00 0xD8")]
    [InlineData(new byte[] { 0x00, 0xDC, 0x41, 0x00 }, "0x00 0xDC")]
    public void Utf16LoneSurrogate_NamesItsOffset(byte[] surrogateThenA, string shown)
    {
        byte[] prefix = [.. Encoding.Unicode.GetPreamble(), .. Encoding.Unicode.GetBytes("text,label\n")];
        string path = WriteBytes("surrogate.csv", [.. prefix, .. surrogateThenA, .. Encoding.Unicode.GetBytes(",x\n")]);

        var error = Assert.Throws<UserInputException>(() => TextTableReader.Read(path, Options with { Encoding = "utf-16" }));

        Assert.Contains($"invalid UTF-16LE bytes {shown} at byte offset {prefix.Length} (line 2)", error.Message);
    }

    [Fact]
    public void BomContradictingEncoding_IsAnError()
    {
        string path = WriteBytes("bom-gbk.csv", [0xEF, 0xBB, 0xBF, .. Encoding.UTF8.GetBytes(IntentsCsv)]);

        var error = Assert.Throws<UserInputException>(() => TextTableReader.Read(path, Options with { Encoding = "gbk" }));

        Assert.Contains("UTF-8 byte-order mark", error.Message);
        Assert.Contains("--encoding utf-8", error.Message);
    }

    [Fact]
    public void UnknownEncoding_ListsSupportedOnes()
    {
        string path = WriteBytes("any.csv", Encoding.UTF8.GetBytes(IntentsCsv));

        var error = Assert.Throws<UserInputException>(() => TextTableReader.Read(path, Options with { Encoding = "klingon" }));

        Assert.Contains("encoding 'klingon' is not supported", error.Message);
        Assert.Contains("utf-8, utf-16, utf-16le, utf-16be, gb18030, gbk", error.Message);
    }

    // Every listed encoding must round-trip a sample it can represent, so the list promises nothing the reader cannot do.
    [Theory]
    [InlineData("utf-8", "我要退款", "unicode")]
    [InlineData("gbk", "我要退款", "simplified")]
    [InlineData("gb18030", "我要退款", "simplified")]
    [InlineData("big5", "我要退款", "traditional")]
    [InlineData("shift_jis", "返金したい", "japanese")]
    [InlineData("windows-1252", "café refund", "latin")]
    public void SupportedEncodings_RoundTrip(string encoding, string text, string label)
    {
        Assert.Contains(encoding, TextTableOptions.SupportedEncodings);
        string content = $"text,label\n{text},{label}\n";
        string path = WriteBytes($"{encoding}.csv", Encoding.GetEncoding(encoding).GetBytes(content));

        TextTable table = TextTableReader.Read(path, Options with { Encoding = encoding });

        Assert.Equal([text], table.Texts);
        Assert.Equal([label], table.Labels);
    }

    [Fact]
    public void Jsonl_Gbk()
    {
        string content = "{\"text\": \"我要退款\", \"label\": \"退款\"}\n{\"text\": \"快递到哪里了\", \"label\": \"物流\"}\n";
        string path = WriteBytes("gbk.jsonl", Encoding.GetEncoding("GBK").GetBytes(content));

        TextTable table = TextTableReader.Read(path, Options with { Encoding = "gbk" });

        Assert.Equal(["我要退款", "快递到哪里了"], table.Texts);
        Assert.Equal(["退款", "物流"], table.Labels);
    }
}
