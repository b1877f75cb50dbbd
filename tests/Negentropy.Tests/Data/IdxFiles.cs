using System.Buffers.Binary;
using System.IO.Compression;

namespace Negentropy.Tests.Data;

/// <summary>Builds IDX files for tests.</summary>
public static class IdxFiles
{
    /// <summary>Returns IDX bytes: the magic number for <paramref name="typeCode"/>, the dimensions, then <paramref name="payload"/>.</summary>
    public static byte[] Build(byte typeCode, int[] dimensions, byte[] payload)
    {
        var bytes = new byte[4 + (4 * dimensions.Length) + payload.Length];
        bytes[2] = typeCode;
        bytes[3] = (byte)dimensions.Length;
        for (int i = 0; i < dimensions.Length; i++)
        {
            BinaryPrimitives.WriteInt32BigEndian(bytes.AsSpan(4 + (4 * i)), dimensions[i]);
        }
        payload.CopyTo(bytes, 4 + (4 * dimensions.Length));
        return bytes;
    }

    public static byte[] Images(int count, int height, int width, int seed = 1)
    {
        var pixels = new byte[count * height * width];
        new Random(seed).NextBytes(pixels);
        return Build(0x08, new[] { count, height, width }, pixels);
    }

    public static byte[] Labels(int[] labels) => Build(0x08, new[] { labels.Length }, labels.Select(l => (byte)l).ToArray());

    public static byte[] Gzip(byte[] content)
    {
        using var buffer = new MemoryStream();
        using (var gzip = new GZipStream(buffer, CompressionLevel.Fastest))
        {
            gzip.Write(content);
        }
        return buffer.ToArray();
    }

    /// <summary>Writes the four MNIST-style files into <paramref name="folder"/>, gzip-compressed.</summary>
    public static void WriteFolder(string folder, int trainCount, int testCount, int classes = 10, int size = 28)
    {
        var random = new Random(7);
        int[] trainLabels = Enumerable.Range(0, trainCount).Select(_ => random.Next(classes)).ToArray();
        int[] testLabels = Enumerable.Range(0, testCount).Select(_ => random.Next(classes)).ToArray();
        File.WriteAllBytes(Path.Combine(folder, "train-images-idx3-ubyte.gz"), Gzip(Images(trainCount, size, size, 1)));
        File.WriteAllBytes(Path.Combine(folder, "train-labels-idx1-ubyte.gz"), Gzip(Labels(trainLabels)));
        File.WriteAllBytes(Path.Combine(folder, "t10k-images-idx3-ubyte.gz"), Gzip(Images(testCount, size, size, 2)));
        File.WriteAllBytes(Path.Combine(folder, "t10k-labels-idx1-ubyte.gz"), Gzip(Labels(testLabels)));
    }
}
