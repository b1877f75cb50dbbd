using Negentropy.Data;
using Xunit;

namespace Negentropy.Tests.Data;

public sealed class IdxImageFolderTests : IDisposable
{
    private readonly TemporaryFolder folder = new();

    public void Dispose() => folder.Dispose();

    [Fact]
    public void Load_ReadsFourFilesWithNumericNames()
    {
        IdxFiles.WriteFolder(folder.Path, trainCount: 40, testCount: 20, classes: 3);

        ImageDatasetPair pair = IdxImageFolder.Load(folder.Path);

        Assert.Equal(40, pair.Train.Count);
        Assert.Equal(20, pair.Test.Count);
        Assert.Equal(28, pair.Train.Height);
        Assert.Equal(new[] { "0", "1", "2" }, pair.Train.ClassNames);
        Assert.Equal(40 * 28 * 28, pair.Train.Pixels.Length);
    }

    [Fact]
    public void Load_UsesClassesTxt()
    {
        IdxFiles.WriteFolder(folder.Path, 30, 10, classes: 3);
        File.WriteAllLines(folder.Combine("classes.txt"), new[] { "cat", "dog", "bird" });

        ImageDatasetPair pair = IdxImageFolder.Load(folder.Path);

        Assert.Equal(new[] { "cat", "dog", "bird" }, pair.Test.ClassNames);
    }

    [Fact]
    public void Load_TooFewClassNamesIsAnError()
    {
        IdxFiles.WriteFolder(folder.Path, 30, 10, classes: 3);
        File.WriteAllLines(folder.Combine("classes.txt"), new[] { "cat" });

        var error = Assert.Throws<UserInputException>(() => IdxImageFolder.Load(folder.Path));

        Assert.Contains("lists 1 class names, but the labels go up to", error.Message);
    }

    [Fact]
    public void Load_CountMismatchNamesBothFiles()
    {
        IdxFiles.WriteFolder(folder.Path, 30, 10);
        File.WriteAllBytes(folder.Combine("train-labels-idx1-ubyte.gz"), IdxFiles.Gzip(IdxFiles.Labels(new int[29])));

        var error = Assert.Throws<UserInputException>(() => IdxImageFolder.Load(folder.Path));

        Assert.Contains("train-images-idx3-ubyte.gz contains 30 images but", error.Message);
        Assert.Contains("train-labels-idx1-ubyte.gz contains 29 labels", error.Message);
    }

    [Fact]
    public void Load_MissingFilesAreListed()
    {
        IdxFiles.WriteFolder(folder.Path, 30, 10);
        File.Delete(folder.Combine("t10k-labels-idx1-ubyte.gz"));

        var error = Assert.Throws<UserInputException>(() => IdxImageFolder.Load(folder.Path));

        Assert.Contains("missing IDX files t10k-labels-idx1-ubyte", error.Message);
    }

    [Fact]
    public void Load_WrongShapeIsRejected()
    {
        IdxFiles.WriteFolder(folder.Path, 30, 10);
        File.WriteAllBytes(folder.Combine("train-images-idx3-ubyte.gz"), IdxFiles.Gzip(IdxFiles.Build(0x08, new[] { 30, 784 }, new byte[30 * 784])));

        var error = Assert.Throws<UserInputException>(() => IdxImageFolder.Load(folder.Path));

        Assert.Contains("expected unsigned-byte images of shape [count, height, width], found unsigned byte values of shape [30, 784]", error.Message);
    }

    [Fact]
    public void FashionMnist_MissingFolderSaysHowToInstall()
    {
        var error = Assert.Throws<UserInputException>(() => FashionMnist.Load(FashionMnist.DefaultDirectory + "-absent"));

        Assert.Contains("Fashion-MNIST files not found", error.Message);
        Assert.Contains("dataset-fashion-mnist", error.Message);
    }

    [Fact]
    public void FashionMnist_HasItsOwnClassNames()
    {
        Assert.Equal(10, FashionMnist.ClassNames.Count);
        Assert.Equal("T-shirt/top", FashionMnist.ClassNames[0]);
        Assert.Equal("Ankle boot", FashionMnist.ClassNames[9]);
    }

    [Fact]
    public void DataSource_RejectsUnknownNameAndFile()
    {
        string file = folder.Combine("a-file.txt");
        File.WriteAllText(file, "x");

        var unknown = Assert.Throws<UserInputException>(() => DataSource.Load("cifar-99", null));
        var notFolder = Assert.Throws<UserInputException>(() => DataSource.Load(file, null));

        Assert.Contains("--data 'cifar-99': not a known dataset", unknown.Message);
        Assert.Contains("is a file", notFolder.Message);
    }
}
