using Negentropy.Models;
using Negentropy.Reporting;
using Negentropy.Data;
using Negentropy.Training;
using TorchSharp;
using TorchSharp.PyBridge;
using Xunit;
using static TorchSharp.torch;

namespace Negentropy.Tests.Models;

/// <summary>
/// Loading state dicts into models (the code path of train --init-from): strict checks that list every
/// mismatched key, non-strict loads, --replace-head, and each file format.
/// </summary>
public sealed class PretrainedWeightsTests : IDisposable
{
    private readonly TemporaryFolder folder = new();

    public PretrainedWeightsTests() => TorchRuntime.EnsureLoaded();

    public void Dispose() => folder.Dispose();

    [Fact]
    public void MissingKeys_ListedByName()
    {
        using nn.Module<Tensor, Tensor> source = CreateResNet18(classes: 10);
        Dictionary<string, Tensor> stateDict = source.state_dict();
        stateDict.Remove("layer3.1.bn2.running_var");
        stateDict.Remove("fc.bias");
        string path = WriteSafetensors("missing.safetensors", stateDict);
        using nn.Module<Tensor, Tensor> model = CreateResNet18(classes: 10);

        var error = Assert.Throws<UserInputException>(() => PretrainedWeights.Load(model, path));

        Assert.StartsWith(path + ": ", error.Message);
        // TorchSharp lists the parameters of a state dict before the buffers.
        Assert.Contains("2 missing keys (in the model, not in the file): fc.bias, layer3.1.bn2.running_var", error.Message);
        Assert.DoesNotContain("unexpected", error.Message);
        Assert.DoesNotContain("shape conflict", error.Message);
        Assert.DoesNotContain('\n', error.Message);
    }

    [Fact]
    public void UnexpectedKeys_ListedByName()
    {
        using nn.Module<Tensor, Tensor> source = CreateResNet18(classes: 10);
        Dictionary<string, Tensor> stateDict = source.state_dict();
        using Tensor extraWeight = zeros(2, 2);
        using Tensor extraBuffer = zeros(3);
        stateDict["layer5.0.conv1.weight"] = extraWeight;
        stateDict["projection.running_mean"] = extraBuffer;
        string path = WriteSafetensors("unexpected.safetensors", stateDict);
        using nn.Module<Tensor, Tensor> model = CreateResNet18(classes: 10);

        var error = Assert.Throws<UserInputException>(() => PretrainedWeights.Load(model, path));

        Assert.Contains("2 unexpected keys (in the file, not in the model): layer5.0.conv1.weight, projection.running_mean", error.Message);
        Assert.DoesNotContain("missing key", error.Message);
    }

    [Fact]
    public void ShapeConflicts_ListNameAndShapes()
    {
        using nn.Module<Tensor, Tensor> source = CreateResNet18(classes: 10);
        Dictionary<string, Tensor> stateDict = source.state_dict();
        using Tensor wider = zeros(16, 4, 3, 3);
        stateDict["layer2.0.conv1.weight"] = wider;
        string path = WriteSafetensors("conflict.safetensors", stateDict);
        using nn.Module<Tensor, Tensor> model = CreateResNet18(classes: 7);

        var error = Assert.Throws<UserInputException>(() => PretrainedWeights.Load(model, path));

        Assert.Contains("3 shape conflicts: ", error.Message);
        Assert.Contains("layer2.0.conv1.weight: model [8, 4, 3, 3], file [16, 4, 3, 3]", error.Message);
        Assert.Contains("fc.weight: model [7, 32], file [10, 32]", error.Message);
        Assert.Contains("fc.bias: model [7], file [10]", error.Message);
        Assert.Contains("pass weights saved from the same architecture and width", error.Message);
    }

    [Fact]
    public void StrictMismatch_LeavesModelUnchanged()
    {
        using nn.Module<Tensor, Tensor> source = CreateResNet18(classes: 10, seed: 1);
        Dictionary<string, Tensor> stateDict = source.state_dict();
        stateDict.Remove("fc.bias");
        string path = WriteSafetensors("partial.safetensors", stateDict);
        using nn.Module<Tensor, Tensor> model = CreateResNet18(classes: 10, seed: 2);
        using Tensor before = model.state_dict()["conv1.weight"].clone();

        Assert.Throws<UserInputException>(() => PretrainedWeights.Load(model, path));

        Assert.True(Same(before, model.state_dict()["conv1.weight"]), "a failed strict load changed conv1.weight");
    }

    [Fact]
    public void ClassCountOnly_SuggestsReplaceHead()
    {
        using nn.Module<Tensor, Tensor> source = CreateResNet18(classes: 10);
        string path = WriteSafetensors("ten.safetensors", source.state_dict());
        using nn.Module<Tensor, Tensor> model = CreateResNet18(classes: 3);

        var error = Assert.Throws<UserInputException>(() => PretrainedWeights.Load(model, path));

        Assert.Contains("2 shape conflicts: fc.weight: model [3, 32], file [10, 32]; fc.bias: model [3], file [10]", error.Message);
        Assert.Contains("pass --replace-head to re-create the classifier", error.Message);
    }

    [Fact]
    public void ReplaceHead_LoadsRestKeepsNewHead()
    {
        using nn.Module<Tensor, Tensor> source = CreateResNet18(classes: 10, seed: 1);
        string path = WriteSafetensors("ten.safetensors", source.state_dict());
        using nn.Module<Tensor, Tensor> model = CreateResNet18(classes: 3, seed: 2);
        using Tensor freshHead = model.state_dict()["fc.weight"].clone();

        InitialWeights loaded = PretrainedWeights.Load(model, path, strict: true, replaceHead: true);

        Assert.Equal(new[] { "fc.weight", "fc.bias" }, loaded.ReplacedHead);
        Assert.Equal(120, loaded.Loaded);
        Assert.Equal(122, loaded.ModelTensors);
        Assert.Empty(loaded.Missing);
        Assert.Empty(loaded.Unexpected);
        Assert.Empty(loaded.ShapeConflicts);
        Dictionary<string, Tensor> loadedState = model.state_dict();
        Assert.Equal(new long[] { 3, 32 }, loadedState["fc.weight"].shape);
        Assert.True(Same(freshHead, loadedState["fc.weight"]), "the replaced head lost its fresh initialization");
        foreach ((string key, Tensor tensor) in source.state_dict().Where(pair => !pair.Key.StartsWith("fc.", StringComparison.Ordinal)))
        {
            Assert.True(Same(tensor, loadedState[key]), $"{key} was not loaded");
        }
    }

    [Fact]
    public void NonStrict_LoadsMatchingReportsRest()
    {
        using nn.Module<Tensor, Tensor> source = CreateResNet18(classes: 10, seed: 1);
        Dictionary<string, Tensor> stateDict = source.state_dict();
        stateDict.Remove("layer1.0.conv2.weight");
        using Tensor extra = zeros(1);
        stateDict["head2.weight"] = extra;
        string path = WriteSafetensors("loose.safetensors", stateDict);
        using nn.Module<Tensor, Tensor> model = CreateResNet18(classes: 3, seed: 2);

        InitialWeights loaded = PretrainedWeights.Load(model, path, strict: false);

        Assert.False(loaded.Strict);
        Assert.Equal(new[] { "layer1.0.conv2.weight" }, loaded.Missing);
        Assert.Equal(new[] { "head2.weight" }, loaded.Unexpected);
        Assert.Equal(new[] { "fc.weight", "fc.bias" }, loaded.ShapeConflicts.Select(conflict => conflict.Key));
        Assert.Equal(122 - 3, loaded.Loaded);
        Assert.True(Same(stateDict["layer4.1.conv2.weight"], model.state_dict()["layer4.1.conv2.weight"]), "a matching tensor was not loaded");
    }

    [Fact]
    public void AbsentBatchCounts_LoadStrictlyAsZero()
    {
        using nn.Module<Tensor, Tensor> source = CreateResNet18(classes: 10);
        Dictionary<string, Tensor> stateDict = source.state_dict()
            .Where(pair => !pair.Key.EndsWith("num_batches_tracked", StringComparison.Ordinal))
            .ToDictionary(pair => pair.Key, pair => pair.Value);
        string path = WriteSafetensors("no-counts.safetensors", stateDict);
        using nn.Module<Tensor, Tensor> model = CreateResNet18(classes: 10);
        model.state_dict()["bn1.num_batches_tracked"].fill_(5);

        InitialWeights loaded = PretrainedWeights.Load(model, path);

        Assert.Equal(20, loaded.AbsentBatchCounts.Count);
        Assert.Contains("layer2.0.downsample.1.num_batches_tracked", loaded.AbsentBatchCounts);
        Assert.Equal(102, loaded.Loaded);
        Assert.Equal(0, model.state_dict()["bn1.num_batches_tracked"].item<long>());
    }

    [Fact]
    public void PickledStateDict_LoadsContiguous()
    {
        using nn.Module<Tensor, Tensor> source = CreateResNet18(classes: 10, seed: 1);
        string path = folder.Combine("weights.pth");
        PyTorchPickler.PickleStateDict(path, source.state_dict());
        using nn.Module<Tensor, Tensor> model = CreateResNet18(classes: 10, seed: 2);

        InitialWeights loaded = PretrainedWeights.Load(model, path);

        Assert.Equal(StateDictionaryFile.PyTorchFormat, loaded.Format);
        Assert.Equal(Path.GetFullPath(path), loaded.Source);
        Assert.Equal(122, loaded.Loaded);
        foreach ((string key, Tensor tensor) in model.state_dict())
        {
            Assert.True(tensor.is_contiguous(), $"{key} is not contiguous after the load");
            Assert.True(Same(source.state_dict()[key], tensor), $"{key} differs from the file");
        }
    }

    [Fact]
    public void DataParallelPrefix_IsRemoved()
    {
        using nn.Module<Tensor, Tensor> source = CreateResNet18(classes: 10, seed: 1);
        Dictionary<string, Tensor> prefixed = source.state_dict().ToDictionary(pair => "module." + pair.Key, pair => pair.Value);
        string path = folder.Combine("parallel.pt");
        PyTorchPickler.PickleStateDict(path, prefixed);
        using nn.Module<Tensor, Tensor> model = CreateResNet18(classes: 10, seed: 2);

        InitialWeights loaded = PretrainedWeights.Load(model, path);

        Assert.Equal(122, loaded.Loaded);
    }

    [Fact]
    public void ModelFolder_LoadsAsInitialWeights()
    {
        var spec = new ModelSpec("cnn", 1, 28, 28, 3, 8, 2, Dropout: 0.2);
        using nn.Module<Tensor, Tensor> trained = ModelFactory.Create(spec);
        string modelFolder = folder.Combine("model");
        Directory.CreateDirectory(modelFolder);
        SavedModel.Save(modelFolder, Manifest(spec), trained);
        using nn.Module<Tensor, Tensor> model = ModelFactory.Create(spec);

        InitialWeights fromFolder = PretrainedWeights.Load(model, modelFolder);

        Assert.Equal(StateDictionaryFile.ModuleSaveFormat, fromFolder.Format);
        Assert.Equal(Path.GetFullPath(modelFolder), fromFolder.Source);
        Assert.Equal(model.state_dict().Count, fromFolder.Loaded);
        foreach ((string key, Tensor tensor) in trained.state_dict())
        {
            Assert.True(Same(tensor, model.state_dict()[key]), $"{key} differs from the saved model");
        }
        using nn.Module<Tensor, Tensor> fromFile = ModelFactory.Create(spec);
        InitialWeights fromWeightsFile = PretrainedWeights.Load(fromFile, Path.Combine(modelFolder, ModelManifest.DefaultWeightsFile));
        Assert.Equal(fromFolder.Loaded, fromWeightsFile.Loaded);
    }

    [Fact]
    public void OtherArchitectureFolder_NamedInMessage()
    {
        var cnnSpec = new ModelSpec("cnn", 3, 64, 64, 10, 4, 2, Dropout: 0.2);
        using nn.Module<Tensor, Tensor> cnn = ModelFactory.Create(cnnSpec);
        string modelFolder = folder.Combine("cnn-model");
        Directory.CreateDirectory(modelFolder);
        SavedModel.Save(modelFolder, Manifest(cnnSpec), cnn);
        using nn.Module<Tensor, Tensor> model = CreateResNet18(classes: 10);

        var error = Assert.Throws<UserInputException>(() => PretrainedWeights.Load(model, modelFolder));

        Assert.StartsWith($"{Path.GetFullPath(modelFolder)} (a cnn model folder): ", error.Message);
        Assert.Contains("unexpected keys (in the file, not in the model): classifier.fc1.bias", error.Message);
    }

    [Theory]
    [InlineData("weights.npz", "unknown weights extension '.npz'")]
    [InlineData("absent.pth", "weights file not found")]
    public void BadPath_NamesFileAndFix(string name, string expected)
    {
        string path = folder.Combine(name);
        if (name.EndsWith(".npz", StringComparison.Ordinal))
        {
            File.WriteAllBytes(path, new byte[] { 1, 2, 3 });
        }
        using nn.Module<Tensor, Tensor> model = CreateResNet18(classes: 10);

        var error = Assert.Throws<UserInputException>(() => PretrainedWeights.Load(model, path));

        Assert.StartsWith(path + ": ", error.Message);
        Assert.Contains(expected, error.Message);
        Assert.Contains("pass ", error.Message);
    }

    [Theory]
    [InlineData("legacy.pth", new byte[] { 0x80, 0x02, 0x8a, 0x0a }, "not a zip archive")]
    [InlineData("broken.pt", new byte[] { 0x50, 0x4b, 0x03, 0x04, 0, 0, 0, 0, 0, 0 }, "cannot read a state dict from this file")]
    [InlineData("broken.safetensors", new byte[] { 8, 0, 0, 0, 0, 0, 0, 0, (byte)'{', (byte)'x' }, "cannot read a state dict from this file")]
    [InlineData("random.bin", new byte[] { 0x05, 0xff, 0xff, 0xff, 0xff, 0x0f }, "cannot read a state dict from this file")]
    public void UnreadableFile_OneLineError(string name, byte[] content, string expected)
    {
        string path = folder.Combine(name);
        File.WriteAllBytes(path, content);
        using nn.Module<Tensor, Tensor> model = CreateResNet18(classes: 10);

        var error = Assert.Throws<UserInputException>(() => PretrainedWeights.Load(model, path));

        Assert.StartsWith(path + ": ", error.Message);
        Assert.Contains(expected, error.Message);
        Assert.DoesNotContain('\n', error.Message);
    }

    [Fact]
    public void HeadKeys_AreLastLinearLayer()
    {
        using nn.Module<Tensor, Tensor> resnet18 = CreateResNet18(classes: 10);
        using nn.Module<Tensor, Tensor> cnn = ModelFactory.Create(new ModelSpec("cnn", 1, 28, 28, 10, 8, 2, Dropout: 0.2));
        using nn.Module<Tensor, Tensor> resnet = ModelFactory.Create(new ModelSpec("resnet", 1, 28, 28, 10, 8, 8, Dropout: 0.2));

        Assert.Equal(new[] { "fc.weight", "fc.bias" }, PretrainedWeights.HeadKeys(resnet18));
        Assert.Equal(new[] { "classifier.fc2.weight", "classifier.fc2.bias" }, PretrainedWeights.HeadKeys(cnn));
        Assert.Equal(new[] { "head.fc.weight", "head.fc.bias" }, PretrainedWeights.HeadKeys(resnet));
    }

    private static bool Same(Tensor expected, Tensor actual)
    {
        using var scope = NewDisposeScope();
        return expected.shape.SequenceEqual(actual.shape) && expected.eq(actual).all().item<bool>();
    }

    private static nn.Module<Tensor, Tensor> CreateResNet18(int classes, int seed = 7)
    {
        torch.manual_seed(seed);
        return ModelFactory.Create(new ModelSpec("resnet18", 3, 64, 64, classes, 4, 18, Dropout: 0.0));
    }

    private string WriteSafetensors(string name, Dictionary<string, Tensor> stateDict)
    {
        string path = folder.Combine(name);
        Safetensors.SaveStateDict(path, stateDict);
        return path;
    }

    private static ModelManifest Manifest(ModelSpec spec) => new()
    {
        Name = "tiny-" + spec.Architecture,
        Version = "20260101T000000Z",
        CreatedUtc = DateTimeOffset.UnixEpoch,
        Spec = spec,
        ClassNames = Enumerable.Range(0, spec.NumClasses).Select(k => $"class {k}").ToArray(),
        Normalization = new ChannelNormalization(Enumerable.Repeat(0.5, spec.InputChannels).ToArray(), Enumerable.Repeat(0.25, spec.InputChannels).ToArray()),
        Training = new TrainingOptions { Model = spec.Architecture },
    };
}
