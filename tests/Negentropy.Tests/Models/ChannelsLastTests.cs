using Negentropy.Models;
using TorchSharp;
using TorchSharp.Modules;
using Xunit;
using static TorchSharp.torch;

namespace Negentropy.Tests.Models;

/// <summary>Channels-last activations: the same outputs as NCHW, contiguous weights, and saving and loading.</summary>
public sealed class ChannelsLastTests : IDisposable
{
    private readonly TemporaryFolder folder = new();

    public void Dispose() => folder.Dispose();

    public static TheoryData<string> ConvolutionModels() => new() { "cnn", "resnet" };

    private static ModelSpec Spec(string architecture) =>
        new(architecture, 1, 28, 28, 10, 8, ModelFactory.DefaultDepth(architecture), Dropout: 0.0);

    [Fact]
    public void IsChannelsLast_ReadsStrides()
    {
        TorchRuntime.EnsureLoaded();
        using Tensor nchw = zeros(2, 3, 4, 5);
        using Tensor nhwcView = nchw.permute(0, 2, 3, 1).contiguous();
        using Tensor nhwc = nhwcView.permute(0, 3, 1, 2);

        Assert.False(ChannelsLast.IsChannelsLast(nchw));
        Assert.True(ChannelsLast.IsChannelsLast(nhwc));
        Assert.False(ChannelsLast.IsChannelsLast(nhwcView.flatten()));
        using Tensor oneChannel = zeros(2, 1, 4, 5);
        Assert.False(ChannelsLast.IsChannelsLast(oneChannel));
    }

    [Fact]
    public void Input_KeepsValuesChangesStrides()
    {
        TorchRuntime.EnsureLoaded();
        using var scope = NewDisposeScope();
        foreach (long channels in new long[] { 1, 3 })
        {
            // A view that starts inside a larger tensor, as a batch sliced from a dataset does.
            Tensor batch = randn(5, channels, 5, 4).narrow(0, 2, 2);
            Tensor converted = ChannelsLast.Input(batch);

            Assert.True(ChannelsLast.IsChannelsLast(converted), $"{channels} channels: strides {string.Join(",", converted.stride())}");
            Assert.Equal(batch.shape, converted.shape);
            Assert.True(allclose(batch, converted, rtol: 0, atol: 0));
        }
    }

    [Theory]
    [MemberData(nameof(ConvolutionModels))]
    public void Forward_MatchesNchwOutputs(string architecture)
    {
        TorchRuntime.Configure(threads: 1, seed: 11);
        using nn.Module<Tensor, Tensor> model = ModelFactory.Create(Spec(architecture));
        model.eval();
        using var scope = NewDisposeScope();
        using var noGrad = torch.no_grad();
        Tensor input = randn(4, 1, 28, 28);
        Tensor output = model.forward(input);

        var activations = new List<(string Layer, Tensor Activation)>();
        ((ILayerActivations)model).ForwardWithActivations(input, activations);
        (string layer, Tensor first) = activations[0];
        Assert.True(ChannelsLast.IsChannelsLast(first), $"{architecture}: {layer} strides {string.Join(",", first.stride())}");

        // The reference: the same layers on an NCHW batch, where each convolution reorders on its own.
        Tensor reference = architecture == "cnn" ? ReferenceConvNet(model, input) : ReferenceResNet(model, input);
        Assert.True(allclose(output, reference, rtol: 1e-4, atol: 1e-5),
            $"{architecture}: largest difference {(output - reference).abs().max().item<float>()}");
    }

    private static Tensor ReferenceConvNet(nn.Module<Tensor, Tensor> model, Tensor input)
    {
        Tensor hidden = input;
        foreach (nn.Module child in model.children())
        {
            hidden = ((nn.Module<Tensor, Tensor>)child).forward(hidden.dim() == 4 ? hidden.contiguous() : hidden);
        }
        return hidden;
    }

    private static Tensor ReferenceResNet(nn.Module<Tensor, Tensor> model, Tensor input)
    {
        Tensor hidden = input;
        foreach (nn.Module stage in model.children())
        {
            foreach (nn.Module child in stage.children())
            {
                hidden = ((nn.Module<Tensor, Tensor>)child).forward(hidden.dim() == 4 ? hidden.contiguous() : hidden);
            }
        }
        return hidden;
    }

    [Theory]
    [MemberData(nameof(ConvolutionModels))]
    public void TrainingStep_KeepsWeightsContiguous(string architecture)
    {
        TorchRuntime.Configure(threads: 1, seed: 12);
        using nn.Module<Tensor, Tensor> model = ModelFactory.Create(Spec(architecture));
        using var optimizer = optim.AdamW(model.parameters(), 0.01);
        using var scope = NewDisposeScope();
        model.train();

        for (int step = 0; step < 2; step++)
        {
            optimizer.zero_grad();
            nn.functional.cross_entropy(model.forward(randn(8, 1, 28, 28)), randint(0, 10, new long[] { 8 })).backward();
            optimizer.step();
        }

        foreach ((string name, Parameter parameter) in model.named_parameters())
        {
            Assert.True(parameter.is_contiguous(), $"{architecture}: {name} strides {string.Join(",", parameter.stride())}");
            Assert.True(parameter.grad!.is_contiguous(), $"{architecture}: gradient of {name} strides {string.Join(",", parameter.grad!.stride())}");
        }
    }

    [Theory]
    [MemberData(nameof(ConvolutionModels))]
    public void SaveAndLoad_RoundTripValues(string architecture)
    {
        TorchRuntime.Configure(threads: 1, seed: 13);
        string path = Path.Combine(folder.Path, $"{architecture}.bin");
        using nn.Module<Tensor, Tensor> saved = ModelFactory.Create(Spec(architecture));
        saved.save(path);
        TorchRuntime.Configure(threads: 1, seed: 14);
        using nn.Module<Tensor, Tensor> loaded = ModelFactory.Create(Spec(architecture));
        loaded.load(path, strict: true);

        var expected = saved.named_parameters().ToDictionary(p => p.name, p => p.parameter);
        foreach ((string name, Parameter parameter) in loaded.named_parameters())
        {
            Assert.True(allclose(expected[name], parameter, rtol: 0, atol: 0), $"{architecture}: {name} differs after loading");
        }
        using var scope = NewDisposeScope();
        saved.eval();
        loaded.eval();
        using var noGrad = torch.no_grad();
        Tensor input = randn(3, 1, 28, 28);
        Assert.True(allclose(saved.forward(input), loaded.forward(input), rtol: 0, atol: 0), $"{architecture}: outputs differ after loading");
    }
}
