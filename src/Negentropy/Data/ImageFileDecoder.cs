using SkiaSharp;

namespace Negentropy.Data;

/// <summary>
/// Decodes one image file with SkiaSharp into planar bytes [Channels, Height, Width].
/// </summary>
/// <remarks>
/// Pixels are decoded to premultiplied RGBA 8888, so a transparent pixel becomes black and a
/// translucent one is blended over black. Colors are not converted between color spaces, and EXIF
/// orientation is not applied, so pixels keep their stored order. An image of another size is stretched
/// to the target size without keeping its aspect ratio: shrinking samples linearly between linear
/// mipmaps, and enlarging uses the Mitchell cubic filter. One channel is
/// gray = round(0.299 R + 0.587 G + 0.114 B), the ITU-R BT.601 luma weights, which keeps the value of a
/// pixel whose R, G and B are equal.
/// </remarks>
internal static class ImageFileDecoder
{
    /// <summary>
    /// Largest decoded image, in pixels: 2^28, which is 1 GiB as RGBA. The limit rejects a file whose
    /// header claims a size that would exhaust memory before any pixel is decoded.
    /// </summary>
    public const long MaxPixels = 1L << 28;

    /// <summary>Size and stored color type of an image file.</summary>
    public sealed record Header(int Width, int Height, bool IsGrayscale);

    /// <summary>Reads the size and color type of <paramref name="path"/> without decoding its pixels.</summary>
    /// <returns>The header, or null and the reason the file cannot be read as an image.</returns>
    public static (Header? Header, string? Error) ReadHeader(string path)
    {
        (byte[]? bytes, string? readError) = ReadBytes(path);
        if (bytes is null)
        {
            return (null, readError);
        }
        using SKCodec? codec = SKCodec.Create(new SKMemoryStream(bytes), out SKCodecResult result);
        if (codec is null)
        {
            return (null, CreateError(result));
        }
        SKImageInfo info = codec.Info;
        return (new Header(info.Width, info.Height, info.ColorType == SKColorType.Gray8), null);
    }

    /// <summary>
    /// Decodes <paramref name="path"/> into <paramref name="destination"/>, which holds
    /// <paramref name="channels"/> × <paramref name="height"/> × <paramref name="width"/> bytes.
    /// </summary>
    /// <returns>Null on success, else the reason the file cannot be decoded.</returns>
    public static string? Decode(string path, int width, int height, int channels, Span<byte> destination)
    {
        (byte[]? bytes, string? readError) = ReadBytes(path);
        return bytes is null ? readError : Decode(bytes, width, height, channels, destination);
    }

    /// <summary>Decodes the encoded image <paramref name="bytes"/> (PNG, JPEG or another format Skia reads) like a file.</summary>
    /// <returns>Null on success, else the reason the bytes cannot be decoded.</returns>
    public static string? Decode(byte[] bytes, int width, int height, int channels, Span<byte> destination)
    {
        if (bytes.Length == 0)
        {
            return "the image is empty";
        }
        using SKCodec? codec = SKCodec.Create(new SKMemoryStream(bytes), out SKCodecResult createResult);
        if (codec is null)
        {
            return CreateError(createResult);
        }

        if ((long)codec.Info.Width * codec.Info.Height > MaxPixels)
        {
            return FormattableString.Invariant($"the image is {codec.Info.Width}x{codec.Info.Height} pixels, more than the {MaxPixels} this loader decodes; shrink it first");
        }
        var decodedInfo = new SKImageInfo(codec.Info.Width, codec.Info.Height, SKColorType.Rgba8888, SKAlphaType.Premul);
        using var decoded = new SKBitmap(decodedInfo);
        SKCodecResult result = codec.GetPixels(decodedInfo, decoded.GetPixels());
        if (result != SKCodecResult.Success)
        {
            // IncompleteInput means a truncated file, of which Skia decodes only the first rows.
            return CodecError(result);
        }

        if (decodedInfo.Width == width && decodedInfo.Height == height)
        {
            ToPlanes(decoded.GetPixelSpan(), width * height, channels, destination);
            return null;
        }
        using var resized = new SKBitmap(new SKImageInfo(width, height, SKColorType.Rgba8888, SKAlphaType.Premul));
        bool shrinks = width < decodedInfo.Width || height < decodedInfo.Height;
        SKSamplingOptions sampling = shrinks
            ? new SKSamplingOptions(SKFilterMode.Linear, SKMipmapMode.Linear)
            : new SKSamplingOptions(SKCubicResampler.Mitchell);
        if (!decoded.ScalePixels(resized, sampling))
        {
            return FormattableString.Invariant($"resizing from {decodedInfo.Width}x{decodedInfo.Height} to {width}x{height} failed");
        }
        ToPlanes(resized.GetPixelSpan(), width * height, channels, destination);
        return null;
    }

    private static (byte[]? Bytes, string? Error) ReadBytes(string path)
    {
        try
        {
            byte[] bytes = File.ReadAllBytes(path);
            return bytes.Length == 0 ? (null, "the file is empty") : (bytes, null);
        }
        catch (Exception exception) when (exception is IOException or UnauthorizedAccessException)
        {
            return (null, $"reading failed ({exception.Message})");
        }
    }

    // SKCodec.Create reports Unimplemented when no decoder recognizes the content.
    private static string CreateError(SKCodecResult result) => result == SKCodecResult.Unimplemented
        ? "the content is not in an image format that Skia decodes"
        : CodecError(result);

    private static string CodecError(SKCodecResult result) => result switch
    {
        SKCodecResult.IncompleteInput => "the image data is truncated",
        SKCodecResult.ErrorInInput => "the image data is corrupt",
        SKCodecResult.Unimplemented => "the image uses a feature that Skia cannot decode",
        _ => $"Skia cannot decode it as PNG or JPEG ({result})",
    };

    // rgba is row-major premultiplied RGBA 8888 with no row padding, as SKBitmap allocates it.
    private static void ToPlanes(ReadOnlySpan<byte> rgba, int planeSize, int channels, Span<byte> destination)
    {
        if (channels == 3)
        {
            Span<byte> red = destination[..planeSize];
            Span<byte> green = destination.Slice(planeSize, planeSize);
            Span<byte> blue = destination.Slice(2 * planeSize, planeSize);
            for (int i = 0; i < planeSize; i++)
            {
                red[i] = rgba[4 * i];
                green[i] = rgba[(4 * i) + 1];
                blue[i] = rgba[(4 * i) + 2];
            }
            return;
        }
        for (int i = 0; i < planeSize; i++)
        {
            // The integer weights sum to 1000, so equal R, G and B give back that value exactly. Adding 500 rounds half up.
            int luma = (299 * rgba[4 * i]) + (587 * rgba[(4 * i) + 1]) + (114 * rgba[(4 * i) + 2]);
            destination[i] = (byte)((luma + 500) / 1000);
        }
    }
}
