using System.Buffers.Binary;
using System.IO.Compression;

namespace Negentropy.Data;

/// <summary>
/// Reads IDX files (the MNIST format), raw or gzip-compressed. Compression is detected from the
/// gzip header bytes (1F 8B), never from the file name.
/// </summary>
/// <remarks>
/// Layout: two zero bytes, a type code, the number of dimensions, then one big-endian int32 per
/// dimension, then the elements in row-major order. Every error names the file and the mismatch.
/// </remarks>
public static class IdxReader
{
    private const int MaxDimensions = 8;

    /// <summary>Reads and validates the IDX file at <paramref name="path"/>.</summary>
    /// <exception cref="UserInputException">The file is missing, unreadable, truncated or not IDX.</exception>
    public static IdxArray Read(string path)
    {
        byte[] content = ReadDecompressed(path);
        return Parse(content, path);
    }

    /// <summary>Parses IDX bytes; <paramref name="sourceName"/> names the source in error messages.</summary>
    public static IdxArray Parse(byte[] content, string sourceName)
    {
        if (content.Length < 4)
        {
            throw new UserInputException($"{sourceName}: truncated IDX file: {content.Length} bytes, fewer than the 4-byte magic number");
        }
        if (content[0] != 0 || content[1] != 0)
        {
            throw new UserInputException(
                $"{sourceName}: invalid IDX magic number 0x{content[0]:X2}{content[1]:X2}{content[2]:X2}{content[3]:X2}: expected it to start with two zero bytes; is this an IDX file?");
        }

        var dataType = (IdxDataType)content[2];
        int elementSize = ElementSize(dataType)
            ?? throw new UserInputException($"{sourceName}: unknown IDX data type 0x{content[2]:X2}: expected one of 08, 09, 0B, 0C, 0D, 0E");
        int rank = content[3];
        if (rank is 0 or > MaxDimensions)
        {
            throw new UserInputException($"{sourceName}: invalid IDX dimension count {rank}: expected 1 to {MaxDimensions}");
        }

        int headerLength = 4 + (4 * rank);
        if (content.Length < headerLength)
        {
            throw new UserInputException($"{sourceName}: truncated IDX header: {rank} dimensions need {headerLength} bytes, the file has {content.Length}");
        }

        var dimensions = new int[rank];
        long expectedBytes = elementSize;
        for (int i = 0; i < rank; i++)
        {
            int dimension = BinaryPrimitives.ReadInt32BigEndian(content.AsSpan(4 + (4 * i), 4));
            if (dimension < 0)
            {
                throw new UserInputException($"{sourceName}: invalid IDX dimension {i}: {dimension} is negative");
            }
            dimensions[i] = dimension;
            expectedBytes = checked(expectedBytes * dimension);
        }

        long actualBytes = content.Length - headerLength;
        if (actualBytes < expectedBytes)
        {
            throw new UserInputException(
                $"{sourceName}: truncated IDX data: the header declares [{string.Join(", ", dimensions)}] {TypeName(dataType)} values, {expectedBytes} bytes, but the file has {actualBytes}; download or copy the file again");
        }
        if (actualBytes > expectedBytes)
        {
            throw new UserInputException(
                $"{sourceName}: IDX data size mismatch: the header declares [{string.Join(", ", dimensions)}] {TypeName(dataType)} values, {expectedBytes} bytes, but the file has {actualBytes} (trailing bytes)");
        }

        return new IdxArray(dataType, dimensions, content.AsSpan(headerLength).ToArray());
    }

    /// <summary>Returns the C name of an IDX element type, as the format's description uses.</summary>
    public static string TypeName(IdxDataType dataType) => dataType switch
    {
        IdxDataType.UnsignedByte => "unsigned byte",
        IdxDataType.SignedByte => "signed byte",
        IdxDataType.Int16 => "int16",
        IdxDataType.Int32 => "int32",
        IdxDataType.Float32 => "float32",
        IdxDataType.Float64 => "float64",
        _ => $"type 0x{(byte)dataType:X2}",
    };

    /// <summary>Returns the element size in bytes, or null for an unknown type code.</summary>
    public static int? ElementSize(IdxDataType dataType) => dataType switch
    {
        IdxDataType.UnsignedByte or IdxDataType.SignedByte => 1,
        IdxDataType.Int16 => 2,
        IdxDataType.Int32 or IdxDataType.Float32 => 4,
        IdxDataType.Float64 => 8,
        _ => null,
    };

    private static byte[] ReadDecompressed(string path)
    {
        try
        {
            using FileStream file = File.OpenRead(path);
            Span<byte> signature = stackalloc byte[2];
            int signatureLength = file.ReadAtLeast(signature, 2, throwOnEndOfStream: false);
            file.Position = 0;

            using var buffer = new MemoryStream();
            if (signatureLength == 2 && signature[0] == 0x1F && signature[1] == 0x8B)
            {
                using var gzip = new GZipStream(file, CompressionMode.Decompress);
                gzip.CopyTo(buffer);
            }
            else
            {
                file.CopyTo(buffer);
            }
            return buffer.ToArray();
        }
        catch (FileNotFoundException)
        {
            throw new UserInputException($"{path}: file not found");
        }
        catch (DirectoryNotFoundException)
        {
            throw new UserInputException($"{path}: file not found (its folder does not exist)");
        }
        catch (UnauthorizedAccessException)
        {
            throw new UserInputException($"{path}: permission denied; check the file's read permission");
        }
        catch (InvalidDataException exception)
        {
            throw new UserInputException($"{path}: corrupt gzip stream ({exception.Message}); download or copy the file again", exception);
        }
        catch (EndOfStreamException exception)
        {
            throw new UserInputException($"{path}: truncated gzip stream; download or copy the file again", exception);
        }
        catch (IOException exception) when (exception is not FileNotFoundException)
        {
            throw new UserInputException($"{path}: read failed: {exception.Message}", exception);
        }
    }
}
