namespace Negentropy.Data;

/// <summary>
/// Labelled images held as bytes: <see cref="Pixels"/> is [Count, Channels, Height, Width] in
/// row-major order with values 0–255, and <see cref="Labels"/> contains class indices.
/// </summary>
public sealed class ImageDataset
{
    public ImageDataset(byte[] pixels, int[] labels, int channels, int height, int width, IReadOnlyList<string> classNames)
    {
        long expected = (long)labels.Length * channels * height * width;
        if (pixels.LongLength != expected)
        {
            throw new ArgumentException($"pixels has {pixels.LongLength} bytes, expected {expected} for {labels.Length} images of {channels}x{height}x{width}", nameof(pixels));
        }
        Pixels = pixels;
        Labels = labels;
        Channels = channels;
        Height = height;
        Width = width;
        ClassNames = classNames;
    }

    public byte[] Pixels { get; }

    public int[] Labels { get; }

    public int Channels { get; }

    public int Height { get; }

    public int Width { get; }

    public IReadOnlyList<string> ClassNames { get; }

    public int Count => Labels.Length;

    public int NumClasses => ClassNames.Count;

    /// <summary>Bytes per image: Channels × Height × Width.</summary>
    public int ImageSize => Channels * Height * Width;

    /// <summary>Returns the images at <paramref name="indices"/>, in that order, as a new dataset.</summary>
    public ImageDataset Subset(IReadOnlyList<int> indices)
    {
        int size = ImageSize;
        var pixels = new byte[(long)indices.Count * size];
        var labels = new int[indices.Count];
        for (int i = 0; i < indices.Count; i++)
        {
            int source = indices[i];
            Array.Copy(Pixels, (long)source * size, pixels, (long)i * size, size);
            labels[i] = Labels[source];
        }
        return new ImageDataset(pixels, labels, Channels, Height, Width, ClassNames);
    }

    /// <summary>Returns the first <paramref name="count"/> images, or the whole set when it is smaller.</summary>
    public ImageDataset Take(int count) =>
        count >= Count ? this : Subset(Enumerable.Range(0, count).ToArray());
}
