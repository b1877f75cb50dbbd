namespace Negentropy.Serving;

/// <summary>
/// One input ready for a model: planar pixel bytes [channels, height, width] for an image model, or
/// token ids for a text model, with the SHA-256 of what the client sent.
/// </summary>
public sealed record ModelInput
{
    private ModelInput(byte[]? pixels, int[]? tokens, string inputHash)
    {
        Pixels = pixels;
        Tokens = tokens;
        InputHash = inputHash;
    }

    /// <summary>Pixels 0–255 in the model's layout, or null for text.</summary>
    public byte[]? Pixels { get; }

    /// <summary>Token ids without padding, or null for an image.</summary>
    public int[]? Tokens { get; }

    /// <summary>Lower-case hex SHA-256 of the input as sent: UTF-8 text, encoded image bytes or pixel bytes.</summary>
    public string InputHash { get; }

    public static ModelInput FromPixels(byte[] pixels, string inputHash) => new(pixels, null, inputHash);

    public static ModelInput FromTokens(int[] tokens, string inputHash) => new(null, tokens, inputHash);
}
