namespace Negentropy.Data;

/// <summary>
/// The image files of train/ or test/ in an <see cref="ImageFolder"/> dataset, in sample order, with
/// their labels. Listing only reads names, so every layout error is found before any decoding.
/// </summary>
internal sealed class ImageFileListing
{
    // Subfolders are followed, symbolic links included, so a link loop would recurse without end.
    private const int MaxDepth = 32;

    private ImageFileListing(string folder, IReadOnlyList<string> classNames, IReadOnlyList<string> files, IReadOnlyList<int> labels, int ignoredFiles)
    {
        Folder = folder;
        ClassNames = classNames;
        Files = files;
        Labels = labels;
        IgnoredFiles = ignoredFiles;
    }

    /// <summary>The train/ or test/ folder.</summary>
    public string Folder { get; }

    /// <summary>The dataset's classes in label order, which for test/ are those of train/.</summary>
    public IReadOnlyList<string> ClassNames { get; }

    /// <summary>Full paths in sample order.</summary>
    public IReadOnlyList<string> Files { get; }

    /// <summary>Label of each file in <see cref="Files"/>.</summary>
    public IReadOnlyList<int> Labels { get; }

    /// <summary>Count of files skipped for their extension or for lying outside a class folder, not counting hidden entries.</summary>
    public int IgnoredFiles { get; }

    /// <summary>Lists train/, whose folder names become the class names.</summary>
    public static ImageFileListing ListTrain(string trainFolder, string extensionList)
    {
        string[] classFolders = VisibleFolders(trainFolder);
        int ignored = VisibleFiles(trainFolder).Length;
        if (classFolders.Length == 0)
        {
            string found = ignored == 0 ? "it is empty" : $"it contains {Count(ignored, "file")} but no class folders";
            throw new UserInputException($"{trainFolder}: {found}; put one folder of images per class there, as in {Path.Combine(trainFolder, "cat", "001.png")}");
        }

        string[] classNames = classFolders.Select(Path.GetFileName).ToArray()!;
        return List(trainFolder, classFolders, classNames, classNames, ignored, extensionList);
    }

    /// <summary>Lists test/, whose class folders must all be classes of train/.</summary>
    public static ImageFileListing ListTest(string testFolder, IReadOnlyList<string> trainClassNames, string extensionList)
    {
        string[] classFolders = VisibleFolders(testFolder);
        int ignored = VisibleFiles(testFolder).Length;
        if (classFolders.Length == 0)
        {
            throw new UserInputException($"{testFolder}: it contains no class folders; add one folder per class, or remove {testFolder} to split the test set from the training images");
        }

        string[] testClassNames = classFolders.Select(Path.GetFileName).ToArray()!;
        string[] unknown = testClassNames.Where(name => !trainClassNames.Contains(name, StringComparer.Ordinal)).ToArray();
        if (unknown.Length > 0)
        {
            string trainFolder = Path.Combine(Path.GetDirectoryName(testFolder)!, ImageFolder.TrainFolderName);
            throw new UserInputException(
                $"{Path.Combine(testFolder, unknown[0])}: class '{unknown[0]}' is not a class of {trainFolder} ({Summarize(trainClassNames)}); add {Path.Combine(trainFolder, unknown[0])} with training images, or rename or remove the test folder");
        }
        return List(testFolder, classFolders, testClassNames, trainClassNames, ignored, extensionList);
    }

    private static ImageFileListing List(string folder, string[] classFolders, string[] folderClassNames, IReadOnlyList<string> classNames, int ignored, string extensionList)
    {
        var files = new List<string>();
        var labels = new List<int>();
        for (int k = 0; k < classFolders.Length; k++)
        {
            var images = new List<string>();
            int otherFiles = 0;
            CollectFiles(classFolders[k], images, ref otherFiles, depth: 0);
            if (images.Count == 0)
            {
                string others = otherFiles == 0 ? "it is empty" : $"it contains {Count(otherFiles, "other file")}";
                throw new UserInputException($"{classFolders[k]}: class folder without {extensionList} images ({others}); add images or remove the folder");
            }

            // Ordinal order of the path within the class folder, independent of the file system's listing order.
            string[] relativePaths = images.Select(path => Path.GetRelativePath(classFolders[k], path)).ToArray();
            string[] sorted = images.ToArray();
            Array.Sort(relativePaths, sorted, StringComparer.Ordinal);
            int label = IndexOf(classNames, folderClassNames[k]);
            files.AddRange(sorted);
            labels.AddRange(Enumerable.Repeat(label, sorted.Length));
            ignored += otherFiles;
        }
        return new ImageFileListing(folder, classNames, files, labels, ignored);
    }

    private static void CollectFiles(string folder, List<string> images, ref int otherFiles, int depth)
    {
        if (depth > MaxDepth)
        {
            throw new UserInputException($"{folder}: nested more than {MaxDepth} folders deep inside a class folder; a symbolic link that points to its own parent causes this");
        }
        foreach (string file in VisibleFiles(folder))
        {
            if (ImageFolder.Extensions.Contains(Path.GetExtension(file), StringComparer.OrdinalIgnoreCase))
            {
                images.Add(file);
            }
            else
            {
                otherFiles++;
            }
        }
        foreach (string subfolder in VisibleFolders(folder))
        {
            CollectFiles(subfolder, images, ref otherFiles, depth + 1);
        }
    }

    // Both return full paths sorted ordinally by name, without entries whose names start with '.'.
    private static string[] VisibleFolders(string folder) => Visible(Directory.GetDirectories(folder));

    private static string[] VisibleFiles(string folder) => Visible(Directory.GetFiles(folder));

    private static string[] Visible(string[] paths)
    {
        string[] visible = paths.Where(path => !Path.GetFileName(path).StartsWith('.')).ToArray();
        Array.Sort(visible, StringComparer.Ordinal);
        return visible;
    }

    private static int IndexOf(IReadOnlyList<string> names, string name)
    {
        for (int i = 0; i < names.Count; i++)
        {
            if (string.Equals(names[i], name, StringComparison.Ordinal))
            {
                return i;
            }
        }
        throw new InvalidOperationException($"class '{name}' is not in the class list");
    }

    /// <summary>Formats a count with its noun, such as "1 file" or "3 files".</summary>
    internal static string Count(int count, string noun) =>
        FormattableString.Invariant($"{count} {noun}{(count == 1 ? "" : "s")}");

    private static string Summarize(IReadOnlyList<string> names) =>
        names.Count <= 10 ? string.Join(", ", names) : $"{string.Join(", ", names.Take(10))}, … ({names.Count} in all)";
}
