using System.Globalization;

namespace Negentropy.Data;

/// <summary>
/// Settings of <see cref="ImageFolder.Load"/>. A null size or channel count is taken from the first
/// image in sample order.
/// </summary>
public sealed record ImageFolderOptions
{
    /// <summary>Largest accepted width or height, in pixels.</summary>
    public const int MaxSide = 4096;

    public const int DefaultSplitSeed = 42;

    /// <summary>Target width in pixels, or null (with <see cref="Height"/> null) for the first image's width.</summary>
    public int? Width { get; init; }

    /// <summary>Target height in pixels, or null (with <see cref="Width"/> null) for the first image's height.</summary>
    public int? Height { get; init; }

    /// <summary>Channel count, 1 (grayscale) or 3 (RGB), or null for 1 when the first image is stored as grayscale and 3 otherwise.</summary>
    public int? Channels { get; init; }

    /// <summary>Whether files that fail to decode are skipped instead of rejecting the dataset (default false).</summary>
    public bool SkipBadFiles { get; init; }

    /// <summary>Seed of the stratified test split taken from train/ when there is no test/ folder (default 42).</summary>
    public int SplitSeed { get; init; } = DefaultSplitSeed;

    /// <summary>True when any setting that only image folders use differs from its default.</summary>
    public bool HasImageSettings => Width is not null || Height is not null || Channels is not null || SkipBadFiles;

    /// <summary>
    /// Parses an <c>--image-size</c> value: "N" for N×N, or "WIDTHxHEIGHT" such as "32x48" (32 wide,
    /// 48 high). Returns null when the text is not of that form or a side is outside 1 to <see cref="MaxSide"/>.
    /// </summary>
    public static (int Width, int Height)? ParseSize(string text)
    {
        string[] parts = text.Trim().Split('x', 'X');
        if (parts.Length is not (1 or 2))
        {
            return null;
        }
        if (!TryParseSide(parts[0], out int width))
        {
            return null;
        }
        int height = width;
        if (parts.Length == 2 && !TryParseSide(parts[1], out height))
        {
            return null;
        }
        return (width, height);
    }

    /// <summary>Formats a size as <see cref="ParseSize"/> reads it, always as WIDTHxHEIGHT.</summary>
    public static string FormatSize(int width, int height) => FormattableString.Invariant($"{width}x{height}");

    private static bool TryParseSide(string text, out int side) =>
        int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out side) && side is >= 1 and <= MaxSide;
}
