namespace Negentropy.Data;

/// <summary>Resolves the <c>--data</c> value: a known dataset name or a folder of IDX files.</summary>
public static class DataSource
{
    /// <summary>Loads the training and test sets named by <paramref name="data"/>.</summary>
    /// <param name="data">"fashion-mnist", or a folder that contains the four IDX files.</param>
    /// <param name="dataDirectory">With "fashion-mnist", the folder to read instead of the Debian location.</param>
    public static ImageDatasetPair Load(string data, string? dataDirectory)
    {
        if (string.Equals(data, FashionMnist.Name, StringComparison.OrdinalIgnoreCase))
        {
            return FashionMnist.Load(dataDirectory ?? FashionMnist.DefaultDirectory);
        }
        if (dataDirectory is not null)
        {
            throw new UserInputException($"--data-dir goes with --data {FashionMnist.Name}; with a folder, pass it as --data DIR alone");
        }
        if (Directory.Exists(data))
        {
            return IdxImageFolder.Load(data);
        }
        if (File.Exists(data))
        {
            throw new UserInputException($"--data '{data}' is a file; pass the folder that contains the four IDX files, or '{FashionMnist.Name}'");
        }
        throw new UserInputException($"--data '{data}': not a known dataset ({FashionMnist.Name}) and no such folder");
    }
}
