using System.Text.Json.Nodes;
using Negentropy.Models;
using TorchSharp;
using TorchSharp.PyBridge;
using Xunit;
using Xunit.Abstractions;
using static TorchSharp.torch;

namespace Negentropy.Tests.Models;

/// <summary>
/// resnet18 with a torchvision state dict gives torchvision's eval-mode logits to 1e-4. The fixture comes
/// from <c>/usr/bin/python3 tools/golden/make_resnet_parity_fixture.py</c>: a seeded resnet18 of width 4
/// built from torchvision's own blocks, with non-trivial batch-norm statistics. With the environment
/// variable <see cref="FixtureDirectoryVariable"/> set, the tests read that folder instead, which the
/// script's --full mode fills with the full-size torchvision resnet18.
/// </summary>
public sealed class TorchvisionResNetParityTests(ITestOutputHelper output)
{
    public const string FixtureDirectoryVariable = "NEGENTROPY_RESNET_PARITY_DIR";
    private const double Tolerance = 1e-4;

    [Theory]
    [InlineData("state_dict.pth", StateDictionaryFile.PyTorchFormat)]
    [InlineData("state_dict.safetensors", StateDictionaryFile.SafetensorsFormat)]
    public void Logits_MatchTorchvision(string weightsFile, string format)
    {
        TorchRuntime.EnsureLoaded();
        string directory = FixtureDirectory();
        JsonNode expected = JsonNode.Parse(File.ReadAllText(Path.Combine(directory, "expected.json")))!;
        long[] inputShape = expected["input_shape"]!.AsArray().Select(n => n!.GetValue<long>()).ToArray();
        var spec = new ModelSpec(expected["architecture"]!.GetValue<string>(), (int)inputShape[1], (int)inputShape[2], (int)inputShape[3],
            expected["num_classes"]!.GetValue<int>(), expected["width"]!.GetValue<int>(), 18, Dropout: 0.2);
        using nn.Module<Tensor, Tensor> model = ModelFactory.Create(ModelFactory.WithInputAdapter(spec));

        InitialWeights loaded = PretrainedWeights.Load(model, Path.Combine(directory, weightsFile));

        Assert.Equal(format, loaded.Format);
        Assert.Equal(expected["state_dict_keys"]!.GetValue<int>(), loaded.Loaded);
        Assert.Equal(loaded.ModelTensors, loaded.Loaded);
        Assert.Empty(loaded.AbsentBatchCounts);
        using var scope = NewDisposeScope();
        Tensor input = ReadInput(directory);
        Assert.Equal(inputShape, input.shape);
        model.eval();
        using var noGrad = torch.no_grad();
        float[] logits = model.forward(input).data<float>().ToArray();
        double[] expectedLogits = expected["logits"]!.AsArray().SelectMany(row => row!.AsArray().Select(v => v!.GetValue<double>())).ToArray();
        Assert.Equal(expectedLogits.Length, logits.Length);
        double maxError = expectedLogits.Zip(logits, (e, actual) => Math.Abs(e - actual)).Max();
        output.WriteLine($"{directory} {weightsFile}: {logits.Length} logits, largest |logit| {expectedLogits.Max(Math.Abs):F3}, largest difference {maxError:E2}");
        Assert.True(maxError <= Tolerance, $"largest logit difference {maxError:E2} exceeds {Tolerance:E0} ({Path.Combine(directory, weightsFile)})");
    }

    [Fact]
    public void FixtureKeys_AreTorchvisionNames()
    {
        TorchRuntime.EnsureLoaded();
        using StateDictionaryFile file = StateDictionaryFile.Read(Path.Combine(FixtureDirectory(), "state_dict.pth"));

        Assert.Contains("conv1.weight", file.Tensors.Keys);
        Assert.Contains("layer1.0.bn1.running_mean", file.Tensors.Keys);
        Assert.Contains("layer2.0.downsample.0.weight", file.Tensors.Keys);
        Assert.Contains("layer4.1.bn2.num_batches_tracked", file.Tensors.Keys);
        Assert.Contains("fc.bias", file.Tensors.Keys);
        Assert.Equal(ScalarType.Int64, file.Tensors["bn1.num_batches_tracked"].dtype);
        Assert.Equal(7, file.Tensors["bn1.num_batches_tracked"].item<long>());
    }

    private static string FixtureDirectory() =>
        Environment.GetEnvironmentVariable(FixtureDirectoryVariable) is { Length: > 0 } directory
            ? directory
            : Path.Combine(AppContext.BaseDirectory, "Fixtures", "resnet18_parity");

    private static Tensor ReadInput(string directory)
    {
        System.Collections.Hashtable table = PyTorchUnpickler.UnpickleStateDict(Path.Combine(directory, "input.pth"));
        return (Tensor)table["input"]!;
    }
}
