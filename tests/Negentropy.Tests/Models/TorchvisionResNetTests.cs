using System.Text.Json;
using System.Text.Json.Nodes;
using Negentropy.Models;
using Negentropy.Reporting;
using TorchSharp;
using Xunit;
using static TorchSharp.torch;

namespace Negentropy.Tests.Models;

/// <summary>resnet18 and resnet34: torchvision's sizes, the input adapter and its record in the spec.</summary>
public sealed class TorchvisionResNetTests
{
    public TorchvisionResNetTests() => TorchRuntime.EnsureLoaded();

    [Theory]
    [InlineData("resnet18", 11_689_512L, 122)]
    [InlineData("resnet34", 21_797_672L, 218)]
    public void FullSize_MatchesTorchvisionCounts(string architecture, long parameters, int stateDictKeys)
    {
        // Parameter counts of torchvision.models.resnet18() and resnet34() with 1000 classes (torchvision 0.14).
        using nn.Module<Tensor, Tensor> model = ModelFactory.Create(new ModelSpec(architecture, 3, 224, 224, 1000, 64, ModelFactory.DefaultDepth(architecture), Dropout: 0.0));

        Assert.Equal(parameters, ModelFactory.CountParameters(model));
        Assert.Equal(stateDictKeys, model.state_dict().Count);
    }

    [Fact]
    public void Defaults_AreTorchvisionSizes()
    {
        Assert.Equal(64, ModelFactory.DefaultWidth("resnet18"));
        Assert.Equal(64, ModelFactory.DefaultWidth("resnet34"));
        Assert.Equal(18, ModelFactory.DefaultDepth("resnet18"));
        Assert.Equal(34, ModelFactory.DefaultDepth("resnet34"));
        Assert.Contains("resnet18", ModelFactory.ImageArchitectures);
        Assert.Contains("resnet34", ModelFactory.ImageArchitectures);
    }

    [Fact]
    public void Adapter_DefaultsTo64ForSmallGrayscale()
    {
        ModelSpec spec = ModelFactory.WithInputAdapter(new ModelSpec("resnet18", 1, 28, 28, 10, 4, 18, Dropout: 0.0));

        Assert.Equal(new InputAdapter(1, 3, 64, 64), spec.InputAdapter);
        Assert.Equal("1 channel repeated to 3, bilinear resize 28x28 to 64x64", spec.InputAdapter!.Describe(28, 28));
    }

    [Fact]
    public void Adapter_FollowsRequestedSize()
    {
        ModelSpec spec = ModelFactory.WithInputAdapter(new ModelSpec("resnet34", 1, 28, 28, 10, 4, 34, Dropout: 0.0), (Width: 32, Height: 40));

        Assert.Equal(new InputAdapter(1, 3, 40, 32), spec.InputAdapter);
    }

    [Fact]
    public void Adapter_AbsentForLargeColorImages()
    {
        ModelSpec spec = ModelFactory.WithInputAdapter(new ModelSpec("resnet18", 3, 96, 64, 10, 4, 18, Dropout: 0.0));
        ModelSpec cnn = ModelFactory.WithInputAdapter(new ModelSpec("cnn", 1, 28, 28, 10, 8, 2, Dropout: 0.0));

        Assert.Null(spec.InputAdapter);
        Assert.Null(cnn.InputAdapter);
        Assert.Equal(new InputAdapter(3, 3, 64, 64), InputAdapter.Choose(3, 32, 32, null));
        Assert.Throws<ArgumentException>(() => InputAdapter.Choose(2, 28, 28, null));
    }

    [Fact]
    public void Adapter_EqualsRepeatAndResizeOutside()
    {
        ModelSpec adapted = ModelFactory.WithInputAdapter(new ModelSpec("resnet18", 1, 28, 28, 5, 4, 18, Dropout: 0.0));
        using nn.Module<Tensor, Tensor> model = ModelFactory.Create(adapted);
        using nn.Module<Tensor, Tensor> plain = ModelFactory.Create(new ModelSpec("resnet18", 3, 64, 64, 5, 4, 18, Dropout: 0.0));
        plain.load_state_dict(model.state_dict());
        model.eval();
        plain.eval();
        using var scope = NewDisposeScope();
        using var noGrad = torch.no_grad();
        Tensor input = randn(2, 1, 28, 28, generator: new Generator(3));

        Tensor logits = model.forward(input);
        Tensor resized = nn.functional.interpolate(input, new long[] { 64, 64 }, mode: InterpolationMode.Bilinear, align_corners: false);
        Tensor expected = plain.forward(resized.repeat(1, 3, 1, 1));

        Assert.Equal(new long[] { 2, 5 }, logits.shape);
        Assert.True(logits.allclose(expected, rtol: 1e-5, atol: 1e-5), "the adapter differs from repeating and resizing outside the model");
    }

    [Fact]
    public void GrayscaleWithoutAdapter_IsRejected()
    {
        var error = Assert.Throws<ArgumentException>(() => ModelFactory.Create(new ModelSpec("resnet18", 1, 64, 64, 10, 4, 18, Dropout: 0.0)));

        Assert.Contains("needs an input adapter", error.Message);
    }

    [Fact]
    public void SpecJson_StatesAdapterOnlyWhenPresent()
    {
        ModelSpec adapted = ModelFactory.WithInputAdapter(new ModelSpec("resnet18", 1, 28, 28, 10, 4, 18, Dropout: 0.0));
        var cnn = new ModelSpec("cnn", 1, 28, 28, 10, 8, 2, Dropout: 0.2);

        JsonObject adaptedJson = JsonNode.Parse(JsonSerializer.Serialize(adapted, JsonFormats.Indented))!.AsObject();
        JsonObject cnnJson = JsonNode.Parse(JsonSerializer.Serialize(cnn, JsonFormats.Indented))!.AsObject();

        JsonObject adapter = adaptedJson["input_adapter"]!.AsObject();
        Assert.Equal(1, adapter["input_channels"]!.GetValue<int>());
        Assert.Equal(3, adapter["channels"]!.GetValue<int>());
        Assert.Equal(64, adapter["height"]!.GetValue<int>());
        Assert.Equal(64, adapter["width"]!.GetValue<int>());
        Assert.Equal("bilinear", adapter["interpolation"]!.GetValue<string>());
        Assert.False(cnnJson.ContainsKey("input_adapter"));
        Assert.Equal(adapted, JsonSerializer.Deserialize<ModelSpec>(adaptedJson.ToJsonString(), JsonFormats.Indented));
    }

    [Fact]
    public void LayerActivations_NameEachStage()
    {
        ModelSpec spec = ModelFactory.WithInputAdapter(new ModelSpec("resnet18", 1, 28, 28, 4, 4, 18, Dropout: 0.0));
        using nn.Module<Tensor, Tensor> model = ModelFactory.Create(spec);
        model.eval();
        using var scope = NewDisposeScope();
        using var noGrad = torch.no_grad();
        var activations = new List<(string Layer, Tensor Activation)>();

        Tensor logits = ((ILayerActivations)model).ForwardWithActivations(zeros(2, 1, 28, 28), activations);

        Assert.Equal(new[] { "layer1", "layer2", "layer3", "layer4", "penultimate" }, activations.Select(a => a.Layer));
        Assert.Equal(new long[] { 2, 4, 16, 16 }, activations[0].Activation.shape);
        Assert.Equal(new long[] { 2, 32, 2, 2 }, activations[3].Activation.shape);
        Assert.Equal(new long[] { 2, 32 }, activations[4].Activation.shape);
        Assert.Equal(new long[] { 2, 4 }, logits.shape);
    }

    [Fact]
    public void Weights_StayContiguousAfterTraining()
    {
        ModelSpec spec = ModelFactory.WithInputAdapter(new ModelSpec("resnet18", 1, 28, 28, 3, 4, 18, Dropout: 0.0));
        using nn.Module<Tensor, Tensor> model = ModelFactory.Create(spec);
        using var optimizer = torch.optim.SGD(model.parameters(), 0.01);
        using var scope = NewDisposeScope();
        model.train();

        Tensor loss = nn.functional.cross_entropy(model.forward(randn(4, 1, 28, 28)), tensor(new long[] { 0, 1, 2, 0 }));
        loss.backward();
        optimizer.step();

        foreach ((string name, Tensor tensor) in model.state_dict())
        {
            Assert.True(tensor.is_contiguous(), $"{name} is not contiguous");
        }
        Assert.Equal(1, model.state_dict()["bn1.num_batches_tracked"].item<long>());
    }
}
