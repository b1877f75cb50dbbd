namespace Negentropy.Data;

/// <summary>
/// Loads a dataset stored as image files: DIR/train/&lt;class&gt;/*.png, *.jpg or *.jpeg, and optionally
/// DIR/test/&lt;class&gt;/… in the same form.
/// </summary>
/// <remarks>
/// <para>
/// Class names are the folder names under train/, sorted with <see cref="StringComparer.Ordinal"/>, and
/// a class's label is its position in that order. Sample (index) order is by label, then by the file's
/// path relative to its class folder, compared ordinally. Other commands that refer to images by index
/// use this order. Class folders are searched recursively.
/// </para>
/// <para>
/// Files and folders whose names start with '.' are ignored at every level. Extensions match without
/// regard to case. Files with other extensions, and files directly in train/ or test/, are ignored and
/// counted. Each image is decoded to premultiplied RGBA, so transparency composites over black, then
/// stretched to the target size and stored as R, G, B planes or as BT.601 luma (details in
/// <see cref="ImageFileDecoder"/>). Without test/, the test
/// set is a stratified <see cref="SplitFraction"/> of each class of train/, drawn with
/// <see cref="ImageFolderOptions.SplitSeed"/>.
/// </para>
/// </remarks>
public static class ImageFolder
{
    public const string TrainFolderName = "train";
    public const string TestFolderName = "test";

    /// <summary>Share of each training class held out as the test set when there is no test/ folder.</summary>
    public const double SplitFraction = 0.1;

    // StratifiedSplit rounds half away from zero, so 5 images is the fewest that yields one test image.
    private static readonly int MinImagesForSplit = (int)Math.Ceiling(0.5 / SplitFraction);

    /// <summary>File extensions read as images, compared without regard to case.</summary>
    public static IReadOnlyList<string> Extensions { get; } = new[] { ".png", ".jpg", ".jpeg" };

    private static readonly string ExtensionList = ".png, .jpg or .jpeg";

    /// <summary>Returns true when <paramref name="folder"/> has a train/ subfolder, the mark of this layout.</summary>
    public static bool IsImageFolder(string folder) => Directory.Exists(Path.Combine(folder, TrainFolderName));

    /// <summary>Loads and validates the dataset in <paramref name="folder"/>.</summary>
    /// <exception cref="UserInputException">The layout is wrong, or a file does not decode and <see cref="ImageFolderOptions.SkipBadFiles"/> is off.</exception>
    public static ImageDatasetPair Load(string folder, ImageFolderOptions options)
    {
        string trainFolder = Path.Combine(folder, TrainFolderName);
        string testFolder = Path.Combine(folder, TestFolderName);
        if (!Directory.Exists(trainFolder))
        {
            throw new UserInputException($"{trainFolder}: folder not found; put one folder of images per class there, as in {Path.Combine(trainFolder, "cat", "001.png")}");
        }
        if (File.Exists(testFolder))
        {
            throw new UserInputException($"{testFolder} is a file; make it a folder with one folder per class, or remove it to split the test set from {TrainFolderName}/");
        }

        ImageFileListing train = ImageFileListing.ListTrain(trainFolder, ExtensionList);
        ImageFileListing? test = Directory.Exists(testFolder) ? ImageFileListing.ListTest(testFolder, train.ClassNames, ExtensionList) : null;
        (ImageFileDecoder.Header first, string firstPath) = FindFirstHeader(train, options.SkipBadFiles);
        int width = options.Width ?? first.Width;
        int height = options.Height ?? first.Height;
        int channels = options.Channels ?? (first.IsGrayscale ? 1 : 3);

        var notes = new List<string> { DescribeShape(options, width, height, channels, first, Path.GetRelativePath(folder, firstPath)) };
        ImageDataset trainSet = Decode(train, width, height, channels, options.SkipBadFiles, out List<string> skipped);
        ImageDataset testSet;
        string testSource;
        if (test is not null)
        {
            testSet = Decode(test, width, height, channels, options.SkipBadFiles, out List<string> skippedTest);
            skipped.AddRange(skippedTest);
            testSource = $"{TestFolderName}/";
        }
        else
        {
            (trainSet, testSet) = SplitTestSet(trainSet, options.SplitSeed, trainFolder);
            testSource = FormattableString.Invariant($"{SplitFraction * 100:0.#}% of each class of {TrainFolderName}/, stratified, seed {options.SplitSeed}");
        }

        int ignored = train.IgnoredFiles + (test?.IgnoredFiles ?? 0);
        if (ignored > 0)
        {
            notes.Add($"ignored {ImageFileListing.Count(ignored, "file")} with other extensions than {ExtensionList} or outside class folders");
        }
        if (skipped.Count > 0)
        {
            notes.Add($"skipped {ImageFileListing.Count(skipped.Count, "file")} that did not decode (--skip-bad-files), the first is {Path.GetRelativePath(folder, skipped[0])}");
        }

        string source = FormattableString.Invariant($"{Path.GetFullPath(folder)} (image folders, {trainSet.NumClasses} classes; test set: {testSource}{(skipped.Count > 0 ? $"; skipped {ImageFileListing.Count(skipped.Count, "undecodable file")}" : "")})");
        return new ImageDatasetPair(trainSet, testSet, source) { Notes = notes };
    }

    // The first file in sample order sets the default size and channel count.
    private static (ImageFileDecoder.Header Header, string Path) FindFirstHeader(ImageFileListing train, bool skipBadFiles)
    {
        foreach (string path in train.Files)
        {
            (ImageFileDecoder.Header? header, string? error) = ImageFileDecoder.ReadHeader(path);
            if (header is not null)
            {
                return (header, path);
            }
            if (!skipBadFiles)
            {
                throw BadFile(path, error!);
            }
        }
        throw new UserInputException($"{train.Folder}: none of its {train.Files.Count} image files decodes; replace them with valid {ExtensionList} files");
    }

    private static string DescribeShape(ImageFolderOptions options, int width, int height, int channels, ImageFileDecoder.Header first, string firstPath)
    {
        string size = ImageFolderOptions.FormatSize(width, height);
        string sizeText = options.Width is null
            ? $"size {size} (width x height) of the first image, {firstPath}"
            : $"size {size} (width x height) from --image-size";
        string channelText = channels == 1 ? "1 channel (grayscale)" : "3 channels (RGB)";
        string channelSource = options.Channels is not null
            ? "from --channels"
            : first.IsGrayscale ? "as the first image is stored as grayscale" : "as the first image is stored in color";
        return $"{sizeText}; {channelText} {channelSource}";
    }

    private static ImageDataset Decode(ImageFileListing listing, int width, int height, int channels, bool skipBadFiles, out List<string> skipped)
    {
        int count = listing.Files.Count;
        long imageSize = (long)channels * height * width;
        if (imageSize * count > Array.MaxLength)
        {
            throw new UserInputException(FormattableString.Invariant(
                $"{listing.Folder}: {count} images of {channels}x{height}x{width} bytes exceed the {Array.MaxLength} bytes one array can hold; pass a smaller --image-size or --channels 1"));
        }

        // Each file writes only its own slice, so the parallel loop needs no locks.
        var pixels = new byte[imageSize * count];
        var errors = new string?[count];
        Parallel.For(0, count, (i, loop) =>
        {
            errors[i] = ImageFileDecoder.Decode(listing.Files[i], width, height, channels, pixels.AsSpan((int)(i * imageSize), (int)imageSize));
            if (errors[i] is not null && !skipBadFiles)
            {
                // Break still runs every lower index, so the first bad file in sample order is reported.
                loop.Break();
            }
        });

        int firstBad = Array.FindIndex(errors, error => error is not null);
        if (firstBad >= 0 && !skipBadFiles)
        {
            throw BadFile(listing.Files[firstBad], errors[firstBad]!);
        }
        skipped = Enumerable.Range(0, count).Where(i => errors[i] is not null).Select(i => listing.Files[i]).ToList();
        var dataset = new ImageDataset(pixels, listing.Labels.ToArray(), channels, height, width, listing.ClassNames);
        if (skipped.Count == 0)
        {
            return dataset;
        }
        int[] kept = Enumerable.Range(0, count).Where(i => errors[i] is null).ToArray();
        if (kept.Length == 0)
        {
            throw new UserInputException($"{listing.Folder}: none of its {count} image files decodes; replace them with valid {ExtensionList} files");
        }
        return dataset.Subset(kept);
    }

    private static (ImageDataset Train, ImageDataset Test) SplitTestSet(ImageDataset full, int seed, string trainFolder)
    {
        (int[] trainIndices, int[] testIndices) = StratifiedSplit.Split(full.Labels, SplitFraction, seed);
        if (testIndices.Length == 0)
        {
            throw new UserInputException(FormattableString.Invariant(
                $"{trainFolder}: holding out {SplitFraction * 100:0.#}% of each class leaves no test images, since no class has {MinImagesForSplit} images or more; add a {TestFolderName}/ folder next to it, or more images"));
        }
        return (full.Subset(trainIndices), full.Subset(testIndices));
    }

    private static UserInputException BadFile(string path, string reason) =>
        new($"{path}: cannot decode the image: {reason}; fix or delete the file, or pass --skip-bad-files to skip undecodable files");
}
