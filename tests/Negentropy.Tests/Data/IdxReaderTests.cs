using Negentropy.Data;
using Xunit;

namespace Negentropy.Tests.Data;

public sealed class IdxReaderTests : IDisposable
{
    private readonly TemporaryFolder folder = new();

    public void Dispose() => folder.Dispose();

    private string Write(string name, byte[] content)
    {
        string path = folder.Combine(name);
        File.WriteAllBytes(path, content);
        return path;
    }

    [Fact]
    public void Read_RawAndGzipGiveSameArray()
    {
        byte[] raw = IdxFiles.Images(3, 4, 5);
        IdxArray fromRaw = IdxReader.Read(Write("images-idx3-ubyte", raw));
        IdxArray fromGzip = IdxReader.Read(Write("images-idx3-ubyte.gz", IdxFiles.Gzip(raw)));

        Assert.Equal(IdxDataType.UnsignedByte, fromRaw.DataType);
        Assert.Equal(new[] { 3, 4, 5 }, fromRaw.Dimensions);
        Assert.Equal(60, fromRaw.Data.Length);
        Assert.Equal(fromRaw.Data, fromGzip.Data);
        Assert.Equal(fromRaw.Dimensions, fromGzip.Dimensions);
    }

    [Fact]
    public void Read_DetectsGzipByHeaderNotName()
    {
        byte[] raw = IdxFiles.Images(2, 2, 2);
        IdxArray gzipWithoutSuffix = IdxReader.Read(Write("plain-name", IdxFiles.Gzip(raw)));
        IdxArray rawWithGzSuffix = IdxReader.Read(Write("looks-compressed.gz", raw));

        Assert.Equal(raw.AsSpan(16).ToArray(), gzipWithoutSuffix.Data);
        Assert.Equal(raw.AsSpan(16).ToArray(), rawWithGzSuffix.Data);
    }

    [Fact]
    public void Read_KeepsMultiByteValuesBigEndian()
    {
        byte[] payload = { 0x00, 0x00, 0x01, 0x02, 0xFF, 0xFF, 0xFF, 0xFE };
        IdxArray array = IdxReader.Read(Write("ints", IdxFiles.Build(0x0C, new[] { 2 }, payload)));

        Assert.Equal(IdxDataType.Int32, array.DataType);
        Assert.Equal(258, System.Buffers.Binary.BinaryPrimitives.ReadInt32BigEndian(array.Data.AsSpan(0, 4)));
        Assert.Equal(-2, System.Buffers.Binary.BinaryPrimitives.ReadInt32BigEndian(array.Data.AsSpan(4, 4)));
    }

    public static TheoryData<string, byte[], string> InvalidFiles() => new()
    {
        { "empty", Array.Empty<byte>(), "truncated IDX file: 0 bytes" },
        { "wrong-magic", new byte[] { 0x50, 0x4B, 0x03, 0x04, 0, 0, 0, 0 }, "invalid IDX magic number 0x504B0304" },
        { "unknown-type", IdxFiles.Build(0x07, new[] { 1 }, new byte[] { 1 }), "unknown IDX data type 0x07" },
        { "zero-dimensions", new byte[] { 0, 0, 8, 0 }, "invalid IDX dimension count 0" },
        { "truncated-header", new byte[] { 0, 0, 8, 3, 0, 0, 0, 2 }, "truncated IDX header: 3 dimensions need 16 bytes, the file has 8" },
        { "truncated-data", IdxFiles.Build(0x08, new[] { 2, 3 }, new byte[5]), "truncated IDX data: the header declares [2, 3] unsigned byte values, 6 bytes, but the file has 5" },
        { "trailing-bytes", IdxFiles.Build(0x08, new[] { 2 }, new byte[3]), "2 bytes, but the file has 3 (trailing bytes)" },
        { "truncated-floats", IdxFiles.Build(0x0D, new[] { 2 }, new byte[7]), "[2] float32 values, 8 bytes, but the file has 7" },
    };

    [Theory]
    [MemberData(nameof(InvalidFiles))]
    public void Read_InvalidFileNamesFileAndMismatch(string name, byte[] content, string expected)
    {
        string path = Write(name, content);

        var error = Assert.Throws<UserInputException>(() => IdxReader.Read(path));

        Assert.StartsWith(path + ":", error.Message);
        Assert.Contains(expected, error.Message);
        Assert.DoesNotContain('\n', error.Message);
    }

    [Fact]
    public void Read_TruncatedGzipReportsDataMismatch()
    {
        byte[] compressed = IdxFiles.Gzip(IdxFiles.Images(50, 28, 28));
        string path = Write("cut.gz", compressed.AsSpan(0, compressed.Length / 2).ToArray());

        var error = Assert.Throws<UserInputException>(() => IdxReader.Read(path));

        Assert.StartsWith(path + ":", error.Message);
        Assert.Contains("truncated", error.Message);
    }

    [Fact]
    public void Read_CorruptGzipNamesFile()
    {
        byte[] compressed = IdxFiles.Gzip(IdxFiles.Images(5, 28, 28));
        for (int i = 10; i < compressed.Length - 8; i++)
        {
            compressed[i] ^= 0x5A;
        }
        string path = Write("corrupt.gz", compressed);

        var error = Assert.Throws<UserInputException>(() => IdxReader.Read(path));

        Assert.StartsWith(path + ":", error.Message);
    }

    [Fact]
    public void Read_MissingFileSaysNotFound()
    {
        string path = folder.Combine("absent-idx3-ubyte");

        var error = Assert.Throws<UserInputException>(() => IdxReader.Read(path));

        Assert.Equal($"{path}: file not found", error.Message);
    }
}
