using System.Runtime.InteropServices;
using SkiaSharp;

namespace Negentropy.Tests.Data;

/// <summary>Writes PNG and JPEG files with SkiaSharp for image-folder tests.</summary>
public static class ImageFiles
{
    /// <summary>Writes a grayscale PNG (color type 0) from row-major <paramref name="gray"/>.</summary>
    public static void WriteGrayPng(string path, int width, int height, byte[] gray)
    {
        using var bitmap = new SKBitmap(new SKImageInfo(width, height, SKColorType.Gray8, SKAlphaType.Opaque));
        Marshal.Copy(gray, 0, bitmap.GetPixels(), gray.Length);
        Write(path, bitmap, SKEncodedImageFormat.Png, 100);
    }

    /// <summary>Writes an image from row-major RGBA bytes (unpremultiplied) as PNG or JPEG.</summary>
    public static void WriteRgba(string path, int width, int height, byte[] rgba, SKEncodedImageFormat format = SKEncodedImageFormat.Png, int quality = 100)
    {
        bool opaque = Enumerable.Range(0, width * height).All(i => rgba[(4 * i) + 3] == 255);
        using var bitmap = new SKBitmap(new SKImageInfo(width, height, SKColorType.Rgba8888, opaque ? SKAlphaType.Opaque : SKAlphaType.Unpremul));
        Marshal.Copy(rgba, 0, bitmap.GetPixels(), rgba.Length);
        Write(path, bitmap, format, quality);
    }

    /// <summary>Returns opaque RGBA bytes in which pixel i has the color <paramref name="color"/>(i).</summary>
    public static byte[] Rgba(int pixelCount, Func<int, (byte R, byte G, byte B)> color)
    {
        var rgba = new byte[4 * pixelCount];
        for (int i = 0; i < pixelCount; i++)
        {
            (byte red, byte green, byte blue) = color(i);
            rgba[4 * i] = red;
            rgba[(4 * i) + 1] = green;
            rgba[(4 * i) + 2] = blue;
            rgba[(4 * i) + 3] = 255;
        }
        return rgba;
    }

    /// <summary>Writes a grayscale PNG whose pixels are all <paramref name="value"/>.</summary>
    public static void WriteConstantPng(string path, byte value, int width = 4, int height = 4) =>
        WriteGrayPng(path, width, height, Enumerable.Repeat(value, width * height).ToArray());

    private static void Write(string path, SKBitmap bitmap, SKEncodedImageFormat format, int quality)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        using SKData data = bitmap.Encode(format, quality) ?? throw new InvalidOperationException($"SkiaSharp could not encode {path} as {format}");
        File.WriteAllBytes(path, data.ToArray());
    }
}
