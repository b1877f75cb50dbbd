namespace Negentropy.Data;

/// <summary>Fashion-MNIST (Xiao, Rasul &amp; Vollgraf, 2017): 60,000 training and 10,000 test images of 28×28 pixels.</summary>
public static class FashionMnist
{
    /// <summary>The name accepted by <c>--data</c>.</summary>
    public const string Name = "fashion-mnist";

    /// <summary>Where Debian's dataset-fashion-mnist package installs the files.</summary>
    public const string DefaultDirectory = "/usr/share/datasets/fashion-mnist";

    /// <summary>The Debian package that provides the files.</summary>
    public const string DebianPackage = "dataset-fashion-mnist";

    /// <summary>Class names in label order, as the dataset's authors publish them.</summary>
    public static IReadOnlyList<string> ClassNames { get; } = new[]
    {
        "T-shirt/top", "Trouser", "Pullover", "Dress", "Coat", "Sandal", "Shirt", "Sneaker", "Bag", "Ankle boot",
    };

    /// <summary>Returns true when <paramref name="folder"/> contains all four files.</summary>
    public static bool IsInstalled(string folder = DefaultDirectory) =>
        Directory.Exists(folder) && IdxImageFolder.MissingFiles(folder).Count == 0;

    /// <summary>Loads Fashion-MNIST from <paramref name="folder"/>, with an install hint when the files are missing.</summary>
    public static ImageDatasetPair Load(string folder = DefaultDirectory)
    {
        if (!IsInstalled(folder))
        {
            string hint = folder == DefaultDirectory
                ? $"install them with 'sudo apt-get install {DebianPackage}', or pass --data-dir DIR with the four IDX files"
                : $"put the four IDX files there, or install Debian's {DebianPackage} and drop --data-dir";
            throw new UserInputException($"Fashion-MNIST files not found in {folder}: {hint}");
        }
        return IdxImageFolder.Load(folder, ClassNames);
    }
}
