namespace Negentropy.Text;

/// <summary>
/// Turns text into a sequence of integer ids for an embedding layer. Id 0 is padding and is never
/// returned by <see cref="Encode"/>.
/// </summary>
public interface ITextEncoder
{
    /// <summary>The encoder type as written in its saved file: "word", "hashed-ngrams" or "bpe".</summary>
    string Kind { get; }

    /// <summary>The number of ids, padding included, so every id is in [0, VocabularySize).</summary>
    int VocabularySize { get; }

    /// <summary>The id reserved for padding: 0.</summary>
    int PaddingId { get; }

    /// <summary>Encodes <paramref name="text"/> into at most <paramref name="maxLength"/> ids, without padding.</summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="maxLength"/> is less than 1.</exception>
    int[] Encode(string text, int maxLength);

    /// <summary>Writes the encoder to <paramref name="path"/> so that <see cref="TextEncoders.Load"/> rebuilds it.</summary>
    void Save(string path);
}
