using Negentropy.Data;
using Negentropy.Training;
using SkiaSharp;
using Xunit;

namespace Negentropy.Tests.Data;

public sealed class ImageFolderTests : IDisposable
{
    private readonly TemporaryFolder folder = new();

    public void Dispose() => folder.Dispose();

    private static ImageDatasetPair Load(string path, ImageFolderOptions? options = null) =>
        DataSource.Load(path, null, options ?? new ImageFolderOptions());

    // Writes `count` constant grayscale images per class, image i of class k with value 100k + i.
    private string ConstantDataset(string name, string[] classes, int count, string split = "train")
    {
        string root = folder.Combine(name);
        for (int k = 0; k < classes.Length; k++)
        {
            for (int i = 0; i < count; i++)
            {
                ImageFiles.WriteConstantPng(Path.Combine(root, split, classes[k], $"{i:D3}.png"), (byte)((100 * k) + i));
            }
        }
        return root;
    }

    [Fact]
    public void GrayscalePng_RoundTripsExactly()
    {
        string root = folder.Combine("gray");
        var pixels = new byte[2][];
        for (int i = 0; i < 2; i++)
        {
            pixels[i] = new byte[7 * 5];
            new Random(i).NextBytes(pixels[i]);
            ImageFiles.WriteGrayPng(Path.Combine(root, "train", "only", $"{i}.png"), 7, 5, pixels[i]);
        }
        ImageFiles.WriteGrayPng(Path.Combine(root, "test", "only", "t.png"), 7, 5, pixels[1]);

        ImageDatasetPair pair = Load(root);

        Assert.Equal(1, pair.Train.Channels);
        Assert.Equal(5, pair.Train.Height);
        Assert.Equal(7, pair.Train.Width);
        Assert.Equal(pixels[0].Concat(pixels[1]), pair.Train.Pixels);
        Assert.Equal(pixels[1], pair.Test.Pixels);
        Assert.Contains(pair.Notes, note => note.Contains("size 7x5 (width x height) of the first image", StringComparison.Ordinal));
        Assert.Contains(pair.Notes, note => note.Contains("1 channel (grayscale) as the first image is stored as grayscale", StringComparison.Ordinal));
    }

    [Fact]
    public void RgbPng_LoadsPlanesAndLuma()
    {
        string root = folder.Combine("rgb");
        (byte R, byte G, byte B)[] colors = { (255, 0, 0), (0, 255, 0), (0, 0, 255), (10, 200, 30), (77, 77, 77), (1, 2, 3) };
        ImageFiles.WriteRgba(Path.Combine(root, "train", "c", "a.png"), 3, 2, ImageFiles.Rgba(6, i => colors[i]));
        ImageFiles.WriteRgba(Path.Combine(root, "test", "c", "a.png"), 3, 2, ImageFiles.Rgba(6, i => colors[i]));

        ImageDataset rgb = Load(root).Train;
        ImageDataset gray = Load(root, new ImageFolderOptions { Channels = 1 }).Train;

        Assert.Equal(3, rgb.Channels);
        Assert.Equal(colors.Select(c => c.R).Concat(colors.Select(c => c.G)).Concat(colors.Select(c => c.B)), rgb.Pixels);
        Assert.Equal(1, gray.Channels);
        // round(0.299 R + 0.587 G + 0.114 B): 76.245, 149.685, 29.07, 123.8, 77, 1.815.
        Assert.Equal(new byte[] { 76, 150, 29, 124, 77, 2 }, gray.Pixels);
    }

    [Fact]
    public void TransparentPixels_CompositeOverBlack()
    {
        string root = folder.Combine("alpha");
        byte[] rgba = { 200, 100, 50, 0, 200, 100, 50, 255, 200, 100, 50, 128 };
        ImageFiles.WriteRgba(Path.Combine(root, "train", "c", "a.png"), 3, 1, rgba);
        ImageFiles.WriteRgba(Path.Combine(root, "test", "c", "a.png"), 3, 1, rgba);

        byte[] pixels = Load(root, new ImageFolderOptions { Channels = 3 }).Train.Pixels;

        Assert.Equal(new byte[] { 0, 200, 100 }, pixels[..3]);
        Assert.Equal(new byte[] { 0, 100, 50 }, pixels[3..6]);
        Assert.Equal(new byte[] { 0, 50, 25 }, pixels[6..9]);
    }

    [Fact]
    public void Jpeg_DecodesCloseToSource()
    {
        string root = folder.Combine("jpeg");
        byte[] rgba = ImageFiles.Rgba(16 * 16, i => ((byte)(8 * (i % 16)), (byte)(8 * (i / 16)), 128));
        ImageFiles.WriteRgba(Path.Combine(root, "train", "c", "a.jpg"), 16, 16, rgba, SKEncodedImageFormat.Jpeg, 100);
        ImageFiles.WriteRgba(Path.Combine(root, "train", "c", "b.JPEG"), 16, 16, rgba, SKEncodedImageFormat.Jpeg, 100);
        ImageFiles.WriteRgba(Path.Combine(root, "test", "c", "a.jpeg"), 16, 16, rgba, SKEncodedImageFormat.Jpeg, 100);

        ImageDatasetPair pair = Load(root);

        Assert.Equal(2, pair.Train.Count);
        Assert.Equal(3, pair.Train.Channels);
        int maxError = 0;
        for (int i = 0; i < 16 * 16; i++)
        {
            for (int c = 0; c < 3; c++)
            {
                maxError = Math.Max(maxError, Math.Abs(pair.Test.Pixels[(c * 256) + i] - rgba[(4 * i) + c]));
            }
        }
        Assert.True(maxError <= 6, $"JPEG quality 100 differs from the source by up to {maxError}");
    }

    [Fact]
    public void Classes_AreOrdinalAndFilesSorted()
    {
        string root = folder.Combine("order");
        string[] classes = { "b", "B", "a", "10", "9" };
        string[] files = { "b.png", "a.png", "A.png", "10.png", "9.png" };
        for (int k = 0; k < classes.Length; k++)
        {
            for (int f = 0; f < files.Length; f++)
            {
                ImageFiles.WriteConstantPng(Path.Combine(root, "train", classes[k], files[f]), (byte)((10 * k) + f));
            }
        }
        ImageFiles.WriteConstantPng(Path.Combine(root, "test", "a", "1.png"), 0);

        ImageDataset train = Load(root).Train;

        Assert.Equal(new[] { "10", "9", "B", "a", "b" }, train.ClassNames);
        Assert.Equal(Enumerable.Range(0, 5).SelectMany(label => Enumerable.Repeat(label, 5)), train.Labels);
        // Ordinal order puts class "10" (k = 3) first and file "10.png" (f = 3) first: 10, 9, A, a, b.
        int[] classOrder = { 3, 4, 1, 2, 0 };
        int[] fileOrder = { 3, 4, 2, 1, 0 };
        int[] expected = classOrder.SelectMany(k => fileOrder.Select(f => (10 * k) + f)).ToArray();
        Assert.Equal(expected, train.Pixels.Where((_, i) => i % 16 == 0).Select(v => (int)v));
    }

    [Fact]
    public void SampleOrder_IsClassThenFile()
    {
        string root = folder.Combine("sample-order");
        string[] files = { "b.png", "a.png", "sub/0.png" };
        foreach (string name in new[] { "y", "x" })
        {
            for (int f = 0; f < files.Length; f++)
            {
                ImageFiles.WriteConstantPng(Path.Combine(root, "train", name, files[f]), (byte)((name == "x" ? 100 : 200) + f));
                ImageFiles.WriteConstantPng(Path.Combine(root, "test", name, files[f]), (byte)((name == "x" ? 100 : 200) + f));
            }
        }

        ImageDataset test = Load(root).Test;

        Assert.Equal(new[] { "x", "y" }, test.ClassNames);
        Assert.Equal(new[] { 0, 0, 0, 1, 1, 1 }, test.Labels);
        // Relative paths compare ordinally: a.png < b.png < sub/0.png.
        Assert.Equal(new[] { 101, 100, 102, 201, 200, 202 }, test.Pixels.Where((_, i) => i % 16 == 0).Select(v => (int)v));
    }

    [Fact]
    public void HiddenEntries_AreIgnored()
    {
        string root = ConstantDataset("hidden", new[] { "a", "b" }, 2);
        ConstantDataset("hidden", new[] { "a", "b" }, 1, "test");
        File.WriteAllBytes(Path.Combine(root, "train", "a", ".DS_Store"), new byte[] { 0, 1, 2 });
        ImageFiles.WriteConstantPng(Path.Combine(root, "train", ".hidden", "x.png"), 1);
        ImageFiles.WriteConstantPng(Path.Combine(root, "train", "b", ".cache", "x.png"), 1);
        ImageFiles.WriteConstantPng(Path.Combine(root, "train", "b", ".x.png"), 1);
        File.WriteAllText(Path.Combine(root, "train", "a", "notes.txt"), "not an image");
        File.WriteAllText(Path.Combine(root, "train", "README.md"), "not in a class");

        ImageDatasetPair pair = Load(root);

        Assert.Equal(new[] { "a", "b" }, pair.Train.ClassNames);
        Assert.Equal(4, pair.Train.Count);
        Assert.Contains("ignored 2 files with other extensions than .png, .jpg or .jpeg or outside class folders", pair.Notes);
    }

    [Fact]
    public void BadFile_ErrorNamesIt()
    {
        string root = ConstantDataset("bad", new[] { "a", "b" }, 3);
        string bad = Path.Combine(root, "train", "b", "x.png");
        File.WriteAllBytes(bad, Enumerable.Range(0, 300).Select(i => (byte)(i * 37)).ToArray());

        var error = Assert.Throws<UserInputException>(() => Load(root));

        Assert.StartsWith($"{bad}: cannot decode the image: ", error.Message);
        Assert.Contains("--skip-bad-files", error.Message);
        Assert.DoesNotContain('\n', error.Message);
    }

    [Fact]
    public void TruncatedPng_IsBadFile()
    {
        string root = ConstantDataset("truncated", new[] { "a" }, 3);
        string path = Path.Combine(root, "train", "a", "001.png");
        ImageFiles.WriteGrayPng(path, 64, 64, Enumerable.Range(0, 64 * 64).Select(i => (byte)(i * 7)).ToArray());
        byte[] bytes = File.ReadAllBytes(path);
        File.WriteAllBytes(path, bytes[..(bytes.Length / 2)]);

        var error = Assert.Throws<UserInputException>(() => Load(root));

        Assert.StartsWith($"{path}: cannot decode the image: the image data is truncated", error.Message);
    }

    [Fact]
    public void SkipBadFiles_SkipsAndCounts()
    {
        string root = ConstantDataset("skip", new[] { "a", "b" }, 3);
        ConstantDataset("skip", new[] { "a", "b" }, 1, "test");
        File.WriteAllBytes(Path.Combine(root, "train", "a", "000.png"), new byte[] { 1, 2, 3, 4 });
        File.WriteAllBytes(Path.Combine(root, "train", "b", "x.png"), Array.Empty<byte>());

        ImageDatasetPair pair = Load(root, new ImageFolderOptions { SkipBadFiles = true });

        Assert.Equal(new[] { 0, 0, 1, 1, 1 }, pair.Train.Labels);
        Assert.Equal(new byte[] { 1, 2, 100, 101, 102 }, pair.Train.Pixels.Where((_, i) => i % 16 == 0));
        Assert.Contains("skipped 2 undecodable files", pair.Source);
        Assert.Contains($"skipped 2 files that did not decode (--skip-bad-files), the first is {Path.Combine("train", "a", "000.png")}", pair.Notes);
    }

    [Fact]
    public void ImageSize_ResizesEveryImage()
    {
        string root = folder.Combine("resize");
        // A one-pixel checkerboard shrinks to mid-gray when the filter averages; point sampling would give 0 or 255.
        byte[] checkerboard = Enumerable.Range(0, 64 * 48).Select(i => (byte)(((i % 64) + (i / 64)) % 2 == 0 ? 0 : 255)).ToArray();
        ImageFiles.WriteGrayPng(Path.Combine(root, "train", "a", "big.png"), 64, 48, checkerboard);
        ImageFiles.WriteConstantPng(Path.Combine(root, "train", "a", "small.png"), 90, 5, 3);
        ImageFiles.WriteConstantPng(Path.Combine(root, "test", "a", "t.png"), 200, 8, 8);

        ImageDatasetPair pair = Load(root, new ImageFolderOptions { Width = 16, Height = 12 });

        Assert.Equal(12, pair.Train.Height);
        Assert.Equal(16, pair.Train.Width);
        Assert.Equal(2 * 16 * 12, pair.Train.Pixels.Length);
        byte[] shrunk = pair.Train.Pixels[..(16 * 12)];
        Assert.All(shrunk, value => Assert.InRange(value, 96, 160));
        Assert.All(pair.Train.Pixels[(16 * 12)..], value => Assert.Equal(90, value));
        Assert.All(pair.Test.Pixels, value => Assert.Equal(200, value));
        Assert.Contains(pair.Notes, note => note.StartsWith("size 16x12 (width x height) from --image-size", StringComparison.Ordinal));
    }

    [Fact]
    public void DefaultSize_IsFirstImageSize()
    {
        string root = folder.Combine("first-size");
        ImageFiles.WriteConstantPng(Path.Combine(root, "train", "a", "1.png"), 50, 6, 4);
        ImageFiles.WriteConstantPng(Path.Combine(root, "train", "a", "2.png"), 60, 10, 10);
        ImageFiles.WriteConstantPng(Path.Combine(root, "test", "a", "1.png"), 70, 3, 3);

        ImageDatasetPair pair = Load(root);

        Assert.Equal((4, 6), (pair.Train.Height, pair.Train.Width));
        Assert.Equal((4, 6), (pair.Test.Height, pair.Test.Width));
        Assert.All(pair.Train.Pixels[24..], value => Assert.Equal(60, value));
        Assert.All(pair.Test.Pixels, value => Assert.Equal(70, value));
    }

    [Fact]
    public void TestClassNotInTrain_Errors()
    {
        string root = ConstantDataset("unknown-test-class", new[] { "a", "b" }, 2);
        ImageFiles.WriteConstantPng(Path.Combine(root, "test", "a", "1.png"), 1);
        ImageFiles.WriteConstantPng(Path.Combine(root, "test", "c", "1.png"), 1);

        var error = Assert.Throws<UserInputException>(() => Load(root));

        Assert.StartsWith($"{Path.Combine(root, "test", "c")}: class 'c' is not a class of {Path.Combine(root, "train")} (a, b)", error.Message);
    }

    [Fact]
    public void TrainClassMissingFromTest_IsAllowed()
    {
        string root = ConstantDataset("partial-test", new[] { "a", "b" }, 2);
        ImageFiles.WriteConstantPng(Path.Combine(root, "test", "b", "1.png"), 1);

        ImageDatasetPair pair = Load(root);

        Assert.Equal(new[] { "a", "b" }, pair.Test.ClassNames);
        Assert.Equal(new[] { 1 }, pair.Test.Labels);
    }

    [Fact]
    public void LayoutErrors_NamePathAndFix()
    {
        string empty = folder.Combine("empty");
        Directory.CreateDirectory(Path.Combine(empty, "train", ".git"));
        string flat = folder.Combine("flat");
        ImageFiles.WriteConstantPng(Path.Combine(flat, "train", "1.png"), 1);
        string noImages = folder.Combine("no-images");
        ImageFiles.WriteConstantPng(Path.Combine(noImages, "train", "a", "1.png"), 1);
        Directory.CreateDirectory(Path.Combine(noImages, "train", "b"));
        File.WriteAllText(Path.Combine(noImages, "train", "b", "labels.csv"), "x");
        string emptyTest = ConstantDataset("empty-test", new[] { "a" }, 2);
        Directory.CreateDirectory(Path.Combine(emptyTest, "test"));

        Assert.StartsWith($"{Path.Combine(empty, "train")}: it is empty; put one folder of images per class there",
            Assert.Throws<UserInputException>(() => Load(empty)).Message);
        Assert.StartsWith($"{Path.Combine(flat, "train")}: it contains 1 file but no class folders",
            Assert.Throws<UserInputException>(() => Load(flat)).Message);
        Assert.StartsWith($"{Path.Combine(noImages, "train", "b")}: class folder without .png, .jpg or .jpeg images (it contains 1 other file)",
            Assert.Throws<UserInputException>(() => Load(noImages)).Message);
        Assert.StartsWith($"{Path.Combine(emptyTest, "test")}: it contains no class folders; add one folder per class, or remove",
            Assert.Throws<UserInputException>(() => Load(emptyTest)).Message);
    }

    [Fact]
    public void NoTestFolder_SplitsStratifiedBySeed()
    {
        string root = ConstantDataset("split", new[] { "a", "b" }, 20);

        ImageDatasetPair first = Load(root, new ImageFolderOptions { SplitSeed = 5 });
        ImageDatasetPair again = Load(root, new ImageFolderOptions { SplitSeed = 5 });
        ImageDatasetPair other = Load(root, new ImageFolderOptions { SplitSeed = 6 });

        Assert.Equal(new[] { 0, 0, 1, 1 }, first.Test.Labels);
        Assert.Equal(36, first.Train.Count);
        Assert.Equal(first.Test.Pixels, again.Test.Pixels);
        Assert.NotEqual(first.Test.Pixels, other.Test.Pixels);
        Assert.Empty(first.Train.Pixels.Where((_, i) => i % 16 == 0).Intersect(first.Test.Pixels.Where((_, i) => i % 16 == 0)));
        Assert.Contains("test set: 10% of each class of train/, stratified, seed 5", first.Source);
    }

    [Fact]
    public void NoTestFolder_TooFewImagesErrors()
    {
        string root = ConstantDataset("tiny", new[] { "a", "b" }, 2);

        var error = Assert.Throws<UserInputException>(() => Load(root));

        Assert.Contains("holding out 10% of each class leaves no test images, since no class has 5 images or more; add a test/ folder", error.Message);
    }

    [Fact]
    public void ImageSettings_RejectedForIdx()
    {
        string idx = folder.Combine("idx");
        Directory.CreateDirectory(idx);
        IdxFiles.WriteFolder(idx, trainCount: 20, testCount: 10);

        var error = Assert.Throws<UserInputException>(() => Load(idx, new ImageFolderOptions { Width = 8, Height = 8, SkipBadFiles = true }));

        Assert.StartsWith("--image-size and --skip-bad-files apply only to image folders", error.Message);
        Assert.Equal(20, Load(idx).Train.Count);
    }

    [Theory]
    [InlineData("28", 28, 28)]
    [InlineData("32x48", 32, 48)]
    [InlineData("5X7", 5, 7)]
    [InlineData("4096x1", 4096, 1)]
    public void ParseSize_ReadsWidthThenHeight(string text, int width, int height)
    {
        Assert.Equal((width, height), ImageFolderOptions.ParseSize(text));
    }

    [Theory]
    [InlineData("")]
    [InlineData("0")]
    [InlineData("32x")]
    [InlineData("x32")]
    [InlineData("-3")]
    [InlineData("4097")]
    [InlineData("2x3x4")]
    [InlineData("1.5")]
    public void ParseSize_RejectsInvalid(string text)
    {
        Assert.Null(ImageFolderOptions.ParseSize(text));
    }

    [Fact]
    public void Validate_NamesImageOptions()
    {
        IReadOnlyList<string> problems = new TrainingOptions { ImageSize = "32x", Channels = 2 }.Validate();

        Assert.Contains("--image-size '32x' is invalid: expected WIDTHxHEIGHT such as 32x48, or one number such as 28 for a square, each side 1 to 4096 pixels", problems);
        Assert.Contains("--channels 2 is invalid: expected 1 (grayscale) or 3 (RGB)", problems);
        Assert.Empty(new TrainingOptions { ImageSize = "32x48", Channels = 3 }.Validate());
    }
}
