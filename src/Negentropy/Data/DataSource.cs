namespace Negentropy.Data;

/// <summary>
/// Resolves the <c>--data</c> value: a known dataset name, a folder of image folders
/// (<see cref="ImageFolder"/>) or a folder of IDX files (<see cref="IdxImageFolder"/>).
/// </summary>
public static class DataSource
{
    /// <summary>Loads the training and test sets named by <paramref name="data"/>.</summary>
    /// <param name="data">"fashion-mnist", a folder with a train/ subfolder of class folders, or a folder that contains the four IDX files.</param>
    /// <param name="dataDirectory">With "fashion-mnist", the folder to read instead of the Debian location.</param>
    /// <param name="imageFolder">Settings for an image-folder dataset. The other sources reject settings that differ from the defaults.</param>
    public static ImageDatasetPair Load(string data, string? dataDirectory, ImageFolderOptions? imageFolder = null)
    {
        imageFolder ??= new ImageFolderOptions();
        if (string.Equals(data, FashionMnist.Name, StringComparison.OrdinalIgnoreCase))
        {
            RejectImageSettings(imageFolder, $"--data {FashionMnist.Name}");
            return FashionMnist.Load(dataDirectory ?? FashionMnist.DefaultDirectory);
        }
        if (dataDirectory is not null)
        {
            throw new UserInputException($"--data-dir goes with --data {FashionMnist.Name}; with a folder, pass it as --data DIR alone");
        }
        if (Directory.Exists(data))
        {
            if (ImageFolder.IsImageFolder(data))
            {
                return ImageFolder.Load(data, imageFolder);
            }
            // A folder without any of the four IDX files was likely meant as an image folder.
            if (IdxImageFolder.MissingFiles(data).Count == 4)
            {
                throw new UserInputException(
                    $"--data '{data}' contains neither a {ImageFolder.TrainFolderName}/ folder of class folders nor MNIST-style IDX files; add {Path.Combine(data, ImageFolder.TrainFolderName, "CLASS", "IMAGE.png")} files, or the four IDX files");
            }
            RejectImageSettings(imageFolder, $"--data '{data}' (a folder of IDX files)");
            return IdxImageFolder.Load(data);
        }
        if (File.Exists(data))
        {
            throw new UserInputException($"--data '{data}' is a file; pass a folder with {ImageFolder.TrainFolderName}/<class>/ image folders or the four IDX files, or '{FashionMnist.Name}'");
        }
        throw new UserInputException($"--data '{data}': not a known dataset ({FashionMnist.Name}) and no such folder");
    }

    /// <summary>Returns true when <paramref name="data"/> names an image-folder dataset.</summary>
    public static bool IsImageFolder(string data) =>
        !string.Equals(data, FashionMnist.Name, StringComparison.OrdinalIgnoreCase) && Directory.Exists(data) && ImageFolder.IsImageFolder(data);

    private static void RejectImageSettings(ImageFolderOptions options, string source)
    {
        if (!options.HasImageSettings)
        {
            return;
        }
        var given = new List<string>();
        if (options.Width is not null || options.Height is not null)
        {
            given.Add("--image-size");
        }
        if (options.Channels is not null)
        {
            given.Add("--channels");
        }
        if (options.SkipBadFiles)
        {
            given.Add("--skip-bad-files");
        }
        string names = given.Count == 1 ? given[0] : $"{string.Join(", ", given.SkipLast(1))} and {given[^1]}";
        throw new UserInputException(
            $"{names} {(given.Count == 1 ? "applies" : "apply")} only to image folders ({ImageFolder.TrainFolderName}/<class>/*.png), not to {source}; drop {(given.Count == 1 ? "it" : "them")}");
    }
}
