namespace Negentropy.Data;

/// <summary>
/// Loads a folder that contains the four MNIST-style IDX files (train-images-idx3-ubyte,
/// train-labels-idx1-ubyte, t10k-images-idx3-ubyte, t10k-labels-idx1-ubyte, each optionally with .gz).
/// </summary>
/// <remarks>
/// Class names come from a classes.txt in the folder (one per line), else from
/// <c>defaultClassNames</c>, else they are the label numbers "0" to "K-1".
/// </remarks>
public static class IdxImageFolder
{
    public const string ClassNamesFile = "classes.txt";

    private static readonly string[] FileStems =
    {
        "train-images-idx3-ubyte", "train-labels-idx1-ubyte", "t10k-images-idx3-ubyte", "t10k-labels-idx1-ubyte",
    };

    /// <summary>Returns the stems of the four files that are not in <paramref name="folder"/>.</summary>
    public static IReadOnlyList<string> MissingFiles(string folder) =>
        FileStems.Where(stem => FindFile(folder, stem) is null).ToArray();

    /// <summary>Loads and validates the training and test sets in <paramref name="folder"/>.</summary>
    public static ImageDatasetPair Load(string folder, IReadOnlyList<string>? defaultClassNames = null)
    {
        if (!Directory.Exists(folder))
        {
            throw new UserInputException($"{folder}: folder not found");
        }
        IReadOnlyList<string> missing = MissingFiles(folder);
        if (missing.Count > 0)
        {
            throw new UserInputException(
                $"{folder}: missing IDX files {string.Join(", ", missing)} (raw or .gz); the folder needs all four MNIST-style files");
        }

        string trainImages = FindFile(folder, FileStems[0])!;
        string trainLabels = FindFile(folder, FileStems[1])!;
        string testImages = FindFile(folder, FileStems[2])!;
        string testLabels = FindFile(folder, FileStems[3])!;

        (byte[] trainPixels, int height, int width) = ReadImages(trainImages);
        (byte[] testPixels, int testHeight, int testWidth) = ReadImages(testImages);
        if (testHeight != height || testWidth != width)
        {
            throw new UserInputException($"{testImages}: images are {testHeight}x{testWidth}, but the training images in {trainImages} are {height}x{width}");
        }

        int[] trainTargets = ReadLabels(trainLabels);
        int[] testTargets = ReadLabels(testLabels);
        RequireSameCount(trainImages, trainPixels.Length / (height * width), trainLabels, trainTargets.Length);
        RequireSameCount(testImages, testPixels.Length / (height * width), testLabels, testTargets.Length);

        // Without names, the classes are 0 to the largest training label; a test label beyond that is an error.
        int numClasses = trainTargets.DefaultIfEmpty(0).Max() + 1;
        (IReadOnlyList<string> classNames, string namesSource) = ResolveClassNames(folder, numClasses, defaultClassNames);
        RequireLabelsBelow(trainLabels, trainTargets, classNames.Count, namesSource);
        RequireLabelsBelow(testLabels, testTargets, classNames.Count, namesSource);

        var train = new ImageDataset(trainPixels, trainTargets, 1, height, width, classNames);
        var test = new ImageDataset(testPixels, testTargets, 1, height, width, classNames);
        return new ImageDatasetPair(train, test, Path.GetFullPath(folder));
    }

    private static string? FindFile(string folder, string stem)
    {
        foreach (string name in new[] { stem, stem + ".gz" })
        {
            string path = Path.Combine(folder, name);
            if (File.Exists(path))
            {
                return path;
            }
        }
        return null;
    }

    private static (byte[] Pixels, int Height, int Width) ReadImages(string path)
    {
        IdxArray array = IdxReader.Read(path);
        if (array.DataType != IdxDataType.UnsignedByte || array.Dimensions.Length != 3)
        {
            throw new UserInputException(
                $"{path}: expected unsigned-byte images of shape [count, height, width], found {IdxReader.TypeName(array.DataType)} values of shape [{string.Join(", ", array.Dimensions)}]");
        }
        if (array.Dimensions[0] == 0 || array.Dimensions[1] == 0 || array.Dimensions[2] == 0)
        {
            throw new UserInputException($"{path}: the file contains no images (shape [{string.Join(", ", array.Dimensions)}])");
        }
        return (array.Data, array.Dimensions[1], array.Dimensions[2]);
    }

    private static int[] ReadLabels(string path)
    {
        IdxArray array = IdxReader.Read(path);
        if (array.DataType != IdxDataType.UnsignedByte || array.Dimensions.Length != 1)
        {
            throw new UserInputException(
                $"{path}: expected unsigned-byte labels of shape [count], found {IdxReader.TypeName(array.DataType)} values of shape [{string.Join(", ", array.Dimensions)}]");
        }
        return array.Data.Select(value => (int)value).ToArray();
    }

    private static void RequireSameCount(string imagesPath, int imageCount, string labelsPath, int labelCount)
    {
        if (imageCount != labelCount)
        {
            throw new UserInputException($"{imagesPath} contains {imageCount} images but {labelsPath} contains {labelCount} labels; the counts must match");
        }
    }

    private static void RequireLabelsBelow(string path, int[] labels, int numClasses, string namesSource)
    {
        for (int i = 0; i < labels.Length; i++)
        {
            if (labels[i] >= numClasses)
            {
                throw new UserInputException($"{path}: label {labels[i]} at index {i} is out of range: {namesSource} {numClasses} classes (0 to {numClasses - 1})");
            }
        }
    }

    // Returns the names and where they came from, for error messages.
    private static (IReadOnlyList<string> Names, string Source) ResolveClassNames(string folder, int numClasses, IReadOnlyList<string>? defaultClassNames)
    {
        string namesPath = Path.Combine(folder, ClassNamesFile);
        if (File.Exists(namesPath))
        {
            string[] names = File.ReadAllLines(namesPath).Select(line => line.Trim()).Where(line => line.Length > 0).ToArray();
            if (names.Length < numClasses)
            {
                throw new UserInputException($"{namesPath}: lists {names.Length} class names, but the labels go up to {numClasses - 1}; add one name per line for each class");
            }
            return (names, $"{namesPath} names");
        }
        if (defaultClassNames is not null)
        {
            return (defaultClassNames, "the dataset has");
        }
        string[] numbered = Enumerable.Range(0, numClasses).Select(i => i.ToString(System.Globalization.CultureInfo.InvariantCulture)).ToArray();
        return (numbered, $"without a {ClassNamesFile}, the classes are those of the training labels,");
    }
}
