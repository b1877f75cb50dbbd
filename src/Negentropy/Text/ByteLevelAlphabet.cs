using System.Text;

namespace Negentropy.Text;

/// <summary>
/// GPT-2's byte-to-character table, which Microsoft.ML.Tokenizers' byte-level BPE also uses: bytes
/// of printable Latin-1 characters map to themselves and the other 68 bytes map to U+0100 onward,
/// so a space becomes 'Ġ' (U+0120). Every byte-level BPE vocabulary contains these 256 characters.
/// </summary>
internal static class ByteLevelAlphabet
{
    /// <summary>The character for each byte value.</summary>
    public static IReadOnlyList<char> Characters { get; } = BuildCharacters();

    /// <summary>Returns the byte-level string of the UTF-8 bytes of <paramref name="text"/>.</summary>
    public static string Encode(string text)
    {
        byte[] bytes = Encoding.UTF8.GetBytes(text);
        var builder = new StringBuilder(bytes.Length);
        foreach (byte value in bytes)
        {
            builder.Append(Characters[value]);
        }
        return builder.ToString();
    }

    private static char[] BuildCharacters()
    {
        var characters = new char[256];
        int next = 256;
        for (int value = 0; value < 256; value++)
        {
            bool printable = value is >= '!' and <= '~' or >= '¡' and <= '¬' or >= '®' and <= 'ÿ';
            characters[value] = printable ? (char)value : (char)next++;
        }
        return characters;
    }
}
