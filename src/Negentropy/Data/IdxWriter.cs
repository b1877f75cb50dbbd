using System.Buffers.Binary;

namespace Negentropy.Data;

/// <summary>Writes grayscale datasets as MNIST-style IDX folders that <see cref="IdxImageFolder"/> reads back.</summary>
public static class IdxWriter
{
    /// <summary>
    /// Writes train-images-idx3-ubyte, train-labels-idx1-ubyte, t10k-images-idx3-ubyte,
    /// t10k-labels-idx1-ubyte and classes.txt into <paramref name="folder"/>.
    /// </summary>
    public static void WriteFolder(string folder, ImageDataset train, ImageDataset test)
    {
        if (train.Channels != 1 || test.Channels != 1)
        {
            throw new ArgumentException("IDX image files hold one channel; convert the images to grayscale first");
        }
        Directory.CreateDirectory(folder);
        WriteImages(Path.Combine(folder, "train-images-idx3-ubyte"), train);
        WriteLabels(Path.Combine(folder, "train-labels-idx1-ubyte"), train.Labels);
        WriteImages(Path.Combine(folder, "t10k-images-idx3-ubyte"), test);
        WriteLabels(Path.Combine(folder, "t10k-labels-idx1-ubyte"), test.Labels);
        Reporting.AtomicFile.WriteAllText(Path.Combine(folder, IdxImageFolder.ClassNamesFile), string.Join('\n', train.ClassNames) + "\n");
    }

    private static void WriteImages(string path, ImageDataset data) =>
        Write(path, new[] { data.Count, data.Height, data.Width }, data.Pixels);

    private static void WriteLabels(string path, int[] labels)
    {
        if (labels.Any(label => label is < 0 or > 255))
        {
            throw new ArgumentException("IDX label files hold one byte per label; at most 256 classes fit");
        }
        Write(path, new[] { labels.Length }, labels.Select(label => (byte)label).ToArray());
    }

    // Magic: two zero bytes, type 0x08 (unsigned byte), the number of dimensions; then each dimension big-endian.
    private static void Write(string path, int[] dimensions, byte[] payload) => Reporting.AtomicFile.Write(path, stream =>
    {
        var header = new byte[4 + (4 * dimensions.Length)];
        header[2] = 0x08;
        header[3] = (byte)dimensions.Length;
        for (int i = 0; i < dimensions.Length; i++)
        {
            BinaryPrimitives.WriteInt32BigEndian(header.AsSpan(4 + (4 * i)), dimensions[i]);
        }
        stream.Write(header);
        stream.Write(payload);
    });
}
