using System.Text.Json.Nodes;
using Negentropy.Data;
using Negentropy.Tests.Cli;
using Xunit;
using Xunit.Abstractions;

namespace Negentropy.Tests.Data;

/// <summary>
/// Fashion-MNIST written as PNG folders loads as the same images and labels as its IDX form, and
/// trains to a test accuracy within 4 points of it (Debian's dataset-fashion-mnist, installed by .ci/run).
/// The two forms differ in sample order, so the validation split and the batches differ too.
/// </summary>
public sealed class ImageFolderRoundTripTests : IDisposable
{
    private const int TrainCount = 2000;
    private const int TestCount = 500;

    private readonly TemporaryFolder folder = new();
    private readonly ITestOutputHelper output;

    public ImageFolderRoundTripTests(ITestOutputHelper output) => this.output = output;

    public void Dispose() => folder.Dispose();

    [Fact]
    public void FashionSubset_MatchesIdxForm()
    {
        Assert.True(FashionMnist.IsInstalled(), $"Fashion-MNIST is missing from {FashionMnist.DefaultDirectory}; .ci/run installs {FashionMnist.DebianPackage}");
        ImageDatasetPair fashion = FashionMnist.Load();
        ImageDataset train = fashion.Train.Take(TrainCount);
        ImageDataset test = fashion.Test.Take(TestCount);

        string idxFolder = folder.Combine("idx");
        WriteIdx(idxFolder, train, test);
        string pngFolder = folder.Combine("png");
        WritePngFolders(Path.Combine(pngFolder, ImageFolder.TrainFolderName), train);
        WritePngFolders(Path.Combine(pngFolder, ImageFolder.TestFolderName), test);

        ImageDatasetPair loaded = DataSource.Load(pngFolder, null);

        Assert.Equal((1, 28, 28), (loaded.Train.Channels, loaded.Train.Height, loaded.Train.Width));
        Assert.Equal(FashionMnist.ClassNames.Select(FolderName), loaded.Train.ClassNames);
        Assert.Equal(Samples(train), Samples(loaded.Train));
        Assert.Equal(Samples(test), Samples(loaded.Test));

        double idxAccuracy = TrainOneEpoch(idxFolder, "idx-run");
        double pngAccuracy = TrainOneEpoch(pngFolder, "png-run");

        output.WriteLine(FormattableString.Invariant($"test accuracy after 1 epoch on {TrainCount} images: IDX {idxAccuracy:F4}, PNG folders {pngAccuracy:F4}"));
        Assert.True(idxAccuracy >= 0.70, $"IDX test accuracy {idxAccuracy:P2} is below 70%");
        Assert.True(pngAccuracy >= 0.70, $"PNG-folder test accuracy {pngAccuracy:P2} is below 70%");
        Assert.True(Math.Abs(idxAccuracy - pngAccuracy) <= 0.04, $"test accuracies differ by more than 4 points: IDX {idxAccuracy:P2}, PNG folders {pngAccuracy:P2}");

        // eval --model decodes the folder again and predicts the same test set.
        CliProcess.Outcome evaluation = CliProcess.Run("eval", "--model", folder.Combine("png-run"), "--data", pngFolder, "--json");
        Assert.True(evaluation.ExitCode == 0, $"eval exited with {evaluation.ExitCode}: {evaluation.Error}");
        Assert.Equal(pngAccuracy, JsonNode.Parse(evaluation.Output)!["accuracy"]!.GetValue<double>(), 12);
    }

    // The one-digit prefix makes ordinal order equal label order. A '/' is not allowed in a folder name.
    private static string FolderName(string className, int label) => $"{label}-{className.Replace('/', '_')}";

    private static void WritePngFolders(string root, ImageDataset dataset)
    {
        int size = dataset.ImageSize;
        Parallel.For(0, dataset.Count, i =>
        {
            int label = dataset.Labels[i];
            string path = Path.Combine(root, FolderName(dataset.ClassNames[label], label), $"{i:D5}.png");
            ImageFiles.WriteGrayPng(path, dataset.Width, dataset.Height, dataset.Pixels.AsSpan(i * size, size).ToArray());
        });
    }

    private static void WriteIdx(string idxFolder, ImageDataset train, ImageDataset test)
    {
        Directory.CreateDirectory(idxFolder);
        File.WriteAllBytes(Path.Combine(idxFolder, "train-images-idx3-ubyte"), IdxFiles.Build(0x08, new[] { train.Count, 28, 28 }, train.Pixels));
        File.WriteAllBytes(Path.Combine(idxFolder, "train-labels-idx1-ubyte"), IdxFiles.Labels(train.Labels));
        File.WriteAllBytes(Path.Combine(idxFolder, "t10k-images-idx3-ubyte"), IdxFiles.Build(0x08, new[] { test.Count, 28, 28 }, test.Pixels));
        File.WriteAllBytes(Path.Combine(idxFolder, "t10k-labels-idx1-ubyte"), IdxFiles.Labels(test.Labels));
    }

    // Each sample as "label:hex pixels", sorted, so equal lists mean equal multisets of (pixels, label).
    private static List<string> Samples(ImageDataset dataset)
    {
        int size = dataset.ImageSize;
        var samples = Enumerable.Range(0, dataset.Count)
            .Select(i => $"{dataset.Labels[i]}:{Convert.ToHexString(dataset.Pixels, i * size, size)}")
            .ToList();
        samples.Sort(StringComparer.Ordinal);
        return samples;
    }

    private double TrainOneEpoch(string data, string runName)
    {
        string runFolder = folder.Combine(runName);
        CliProcess.Outcome outcome = CliProcess.Run(TimeSpan.FromMinutes(3),
            "train", "--data", data, "--epochs", "1", "--batch-size", "16", "--threads", "1", "--seed", "42", "--no-tensorboard", "--out", runFolder);
        Assert.True(outcome.ExitCode == 0, $"training on {data} exited with {outcome.ExitCode}: {outcome.Error}");
        output.WriteLine(string.Join('\n', outcome.Output.Split('\n').Where(line => line.StartsWith("[setup] data", StringComparison.Ordinal) || line.StartsWith("epoch 1", StringComparison.Ordinal))));

        JsonObject report = JsonNode.Parse(File.ReadAllText(Path.Combine(runFolder, "report.json")))!.AsObject();
        Assert.Equal(TestCount, report["classification_report"]!["weighted avg"]!["support"]!.GetValue<long>());
        return report["accuracy"]!.GetValue<double>();
    }
}
