using Negentropy.Data;
using SkiaSharp;
using TorchSharp;
using static TorchSharp.torch;

namespace Negentropy.Reporting;

/// <summary>
/// RUN/plots/augmentation.png: the first training images in the top row and augmented draws of each
/// below, made with the same <see cref="ImageAugmenter"/> the training loop uses.
/// </summary>
public static class AugmentationPreview
{
    public const string FileName = "augmentation.png";
    public const int Columns = 8;
    public const int AugmentedRows = 3;

    /// <summary>Writes the preview into RUN/plots; does nothing when augmentation is off.</summary>
    public static void Write(string runFolder, ImageDataset train, ChannelNormalization normalization, AugmentationOptions options, int seed)
    {
        if (!options.IsEnabled || train.Count == 0)
        {
            return;
        }
        int columns = Math.Min(Columns, train.Count);
        ImageDataset sample = train.Take(columns);
        var augmenter = new ImageAugmenter(options, normalization);
        var rows = new List<byte[]> { sample.Pixels };
        using (var scope = NewDisposeScope())
        using (var images = new ImageTensors(sample, normalization))
        {
            Tensor mean = tensor(normalization.Mean.Select(m => (float)m).ToArray()).reshape(1, sample.Channels, 1, 1);
            Tensor std = tensor(normalization.Std.Select(s => (float)s).ToArray()).reshape(1, sample.Channels, 1, 1);
            for (int row = 0; row < AugmentedRows; row++)
            {
                Tensor augmented = augmenter.Apply(images.Images, ImageAugmenter.BatchRandom(seed, epoch: -1, step: row));
                Tensor pixels = augmented.mul(std).add(mean).mul(255f).round().clamp(0, 255).to_type(ScalarType.Byte);
                rows.Add(pixels.data<byte>().ToArray());
            }
        }

        int scale = Math.Max(1, 96 / Math.Max(sample.Height, sample.Width));
        int gap = 4;
        int tileWidth = sample.Width * scale;
        int tileHeight = sample.Height * scale;
        var info = new SKImageInfo((columns * (tileWidth + gap)) + gap, (rows.Count * (tileHeight + gap)) + gap, SKColorType.Rgba8888, SKAlphaType.Opaque);
        using var bitmap = new SKBitmap(info);
        bitmap.Erase(new SKColor(0xF4, 0xF4, 0xF4));
        int plane = sample.Height * sample.Width;
        for (int row = 0; row < rows.Count; row++)
        {
            for (int column = 0; column < columns; column++)
            {
                int start = column * sample.ImageSize;
                for (int y = 0; y < tileHeight; y++)
                {
                    for (int x = 0; x < tileWidth; x++)
                    {
                        int offset = start + ((y / scale) * sample.Width) + (x / scale);
                        byte red = rows[row][offset];
                        byte green = sample.Channels >= 3 ? rows[row][offset + plane] : red;
                        byte blue = sample.Channels >= 3 ? rows[row][offset + (2 * plane)] : red;
                        bitmap.SetPixel(gap + (column * (tileWidth + gap)) + x, gap + (row * (tileHeight + gap)) + y, new SKColor(red, green, blue));
                    }
                }
            }
        }
        using SKData png = bitmap.Encode(SKEncodedImageFormat.Png, 100);
        AtomicFile.WriteAllBytes(Path.Combine(runFolder, RunPlots.FolderName, FileName), png.ToArray());
    }
}
