namespace Negentropy.Text;

/// <summary>Loads any text encoder that <see cref="ITextEncoder.Save"/> wrote.</summary>
public static class TextEncoders
{
    /// <summary>Reads the encoder file at <paramref name="path"/> and rebuilds the encoder its "kind" names.</summary>
    /// <exception cref="UserInputException">The file is missing, is not valid JSON, or describes no known encoder.</exception>
    public static ITextEncoder Load(string path)
    {
        System.Text.Json.Nodes.JsonObject json = EncoderFile.Read(path);
        string kind = EncoderFile.GetString(json, "kind", path);
        return kind switch
        {
            WordTokenizer.KindName => WordTokenizer.FromJson(json, path),
            HashedNgramEncoder.KindName => HashedNgramEncoder.FromJson(json, path),
            SubwordTokenizer.KindName => SubwordTokenizer.FromJson(json, path),
            _ => throw new UserInputException(
                $"{path}: unknown text encoder kind '{kind}'; expected {WordTokenizer.KindName}, {HashedNgramEncoder.KindName} or {SubwordTokenizer.KindName}"),
        };
    }
}
