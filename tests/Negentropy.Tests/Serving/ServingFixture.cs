using Negentropy.Data;
using Negentropy.Training;
using Xunit;

namespace Negentropy.Tests.Serving;

/// <summary>
/// Trains one small Fashion-MNIST CNN for all server tests (3,000 training images, 2 epochs, width 8) and
/// keeps the first test images with their labels as inputs.
/// </summary>
public sealed class ServingFixture : IDisposable
{
    public const int TestImages = 400;

    private readonly TemporaryFolder folder = new();

    public ServingFixture()
    {
        ModelDirectory = folder.Combine("model");
        var options = new TrainingOptions
        {
            Data = FashionMnist.Name,
            Model = "cnn",
            Width = 8,
            Epochs = 2,
            Limit = 3000,
            Threads = 2,
            TensorBoard = false,
            Patience = 0,
        };
        TrainingRun.Start(options, ModelDirectory, NullTrainingObserver.Instance, CancellationToken.None);
        ImageDataset test = FashionMnist.Load().Test.Take(TestImages);
        Test = test;
    }

    /// <summary>The trained run's folder.</summary>
    public string ModelDirectory { get; }

    /// <summary>The first <see cref="TestImages"/> Fashion-MNIST test images.</summary>
    public ImageDataset Test { get; }

    /// <summary>Pixels of test image <paramref name="index"/>, 784 bytes.</summary>
    public byte[] Pixels(int index) => Test.Pixels.AsSpan(index * 784, 784).ToArray();

    /// <summary>Copies the model folder (without any prediction log) to a new folder for a test that changes it.</summary>
    public string CopyModel()
    {
        string target = folder.Combine("copy-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(target);
        foreach (string file in Directory.GetFiles(ModelDirectory))
        {
            if (!Path.GetFileName(file).StartsWith("predictions.db", StringComparison.Ordinal))
            {
                File.Copy(file, Path.Combine(target, Path.GetFileName(file)));
            }
        }
        return target;
    }

    /// <summary>A fresh folder for a test's own files.</summary>
    public string NewFolder()
    {
        string path = folder.Combine("tmp-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(path);
        return path;
    }

    public void Dispose() => folder.Dispose();
}

/// <summary>Server tests share one trained model and run one at a time.</summary>
[CollectionDefinition(Name)]
public sealed class ServingCollection : ICollectionFixture<ServingFixture>
{
    public const string Name = "serving";
}
