using Negentropy.Models;
using TorchSharp;
using TorchSharp.Modules;
using Xunit;
using static TorchSharp.torch;

namespace Negentropy.Tests.Models;

public sealed class LoraAdaptersTests
{
    private static readonly ModelSpec Cnn = new("cnn", 1, 28, 28, 3, 8, 2, 0.2);
    private static readonly ModelSpec Resnet = new("resnet", 1, 28, 28, 3, 8, 8, 0.2);

    private static float[] Logits(nn.Module<Tensor, Tensor> model, Tensor input)
    {
        model.eval();
        using var noGrad = torch.no_grad();
        using Tensor logits = model.forward(input);
        return logits.data<float>().ToArray();
    }

    private static void Randomize(LoraAdapters adapters)
    {
        using var noGrad = torch.no_grad();
        foreach (Parameter parameter in adapters.Parameters)
        {
            parameter.normal_(0, 0.2);
        }
    }

    [Fact]
    public void Attach_TargetsLinearAndPointwiseConv()
    {
        TorchRuntime.Configure(threads: 1, seed: 2);
        using nn.Module<Tensor, Tensor> cnn = ModelFactory.Create(Cnn);
        using nn.Module<Tensor, Tensor> resnet = ModelFactory.Create(Resnet);

        using LoraAdapters cnnAdapters = LoraAdapters.Attach(cnn, "classifier.fc2", rank: 8, alpha: 16);
        using LoraAdapters resnetAdapters = LoraAdapters.Attach(resnet, "head.fc", rank: 4, alpha: 4);

        Assert.Equal(new[] { "classifier.fc1" }, cnnAdapters.LayerNames);
        Assert.Equal(new[] { "layers.stage1_0.downsample.0", "layers.stage2_0.downsample.0" }, resnetAdapters.LayerNames);
        // cnn width 8: fc1 is 784 -> 32, so A is 8 x 784 and B is 32 x 8.
        Assert.Equal((8 * 784) + (32 * 8), cnnAdapters.ParameterCount);
        Assert.Equal(2.0, cnnAdapters.Scale);
        Assert.Contains("classifier.fc1.lora_a.weight", cnn.state_dict().Keys);
        Assert.Contains("classifier.fc1.lora_b.weight", cnn.state_dict().Keys);
    }

    [Fact]
    public void Attach_StartsAsBaseModel()
    {
        TorchRuntime.Configure(threads: 1, seed: 3);
        using nn.Module<Tensor, Tensor> model = ModelFactory.Create(Resnet);
        using Tensor input = torch.randn(4, 1, 28, 28);
        float[] before = Logits(model, input);

        using LoraAdapters adapters = LoraAdapters.Attach(model, "head.fc", rank: 8, alpha: 16);
        float[] after = Logits(model, input);

        Assert.Equal(before, after);
        Assert.All(adapters.Parameters.Where((_, index) => index % 2 == 1), up => Assert.Equal(0, up.abs().max().item<float>()));
        Assert.All(adapters.Parameters.Where((_, index) => index % 2 == 0), down => Assert.True(down.abs().max().item<float>() > 0));
    }

    [Fact]
    public void Forward_AddsScaledLowRankPath()
    {
        TorchRuntime.Configure(threads: 1, seed: 4);
        Linear layer = nn.Linear(5, 3);
        using var model = nn.Sequential(("fc", layer), ("head", nn.Linear(3, 2)));
        using LoraAdapters adapters = LoraAdapters.Attach(model, "head", rank: 2, alpha: 3);
        Randomize(adapters);
        using Tensor input = torch.randn(6, 5);

        using var noGrad = torch.no_grad();
        using Tensor adapted = layer.call(input);
        using Tensor plain = layer.forward(input);
        Tensor down = adapters.Parameters[0];
        Tensor up = adapters.Parameters[1];
        using Tensor expected = plain.add(input.matmul(down.t()).matmul(up.t()).mul(1.5));

        Assert.True(adapted.allclose(expected, rtol: 0, atol: 1e-6), "an adapted layer must return base(x) + (alpha / r)·B(A(x))");
    }

    [Theory]
    [InlineData("cnn")]
    [InlineData("resnet")]
    public void MergedModel_MatchesAdapterModel(string architecture)
    {
        TorchRuntime.Configure(threads: 1, seed: 5);
        ModelSpec spec = architecture == "cnn" ? Cnn : Resnet;
        using nn.Module<Tensor, Tensor> model = ModelFactory.Create(spec);
        string head = ClassifierHead.Find(model).Name;
        using LoraAdapters adapters = LoraAdapters.Attach(model, head, rank: 4, alpha: 8);
        Randomize(adapters);
        using Tensor input = torch.randn(8, 1, 28, 28);
        float[] withAdapters = Logits(model, input);

        using nn.Module<Tensor, Tensor> merged = adapters.CreateMergedModel(model, spec);
        float[] mergedLogits = Logits(merged, input);

        using nn.Module<Tensor, Tensor> fresh = ModelFactory.Create(spec);
        Assert.Equal(fresh.state_dict().Keys.Order(), merged.state_dict().Keys.Order());
        Assert.Equal(withAdapters.Length, mergedLogits.Length);
        float largest = withAdapters.Zip(mergedLogits, (a, b) => Math.Abs(a - b)).Max();
        Assert.True(largest <= 1e-5, $"merged logits differ from the adapter model's by up to {largest}");
        float shift = withAdapters.Zip(Logits(fresh, input), (a, b) => Math.Abs(a - b)).Max();
        Assert.True(shift > 1e-3, "the random adapters should change the logits, or the comparison proves nothing");
    }

    [Fact]
    public void RequireEveryAdapterRuns_NamesSkippedLayer()
    {
        TorchRuntime.Configure(threads: 1, seed: 6);
        using var model = new DirectForwardModel();
        using LoraAdapters adapters = LoraAdapters.Attach(model, "head", rank: 2, alpha: 2);

        var error = Assert.Throws<InvalidOperationException>(() => adapters.RequireEveryAdapterRuns(() =>
        {
            using Tensor output = model.forward(torch.ones(1, 4));
        }));

        Assert.Contains("LoRA adapters on hidden did not run", error.Message);
    }

    [Fact]
    public void Attach_SkipsKernelsLargerThanOne()
    {
        TorchRuntime.Configure(threads: 1, seed: 7);

        Assert.True(LoraAdapters.IsTarget(nn.Conv2d(4, 8, 1, stride: 2)));
        Assert.False(LoraAdapters.IsTarget(nn.Conv2d(4, 8, 3)));
        Assert.False(LoraAdapters.IsTarget(nn.Conv2d(4, 8, 1, groups: 2)));
        Assert.False(LoraAdapters.IsTarget(nn.Conv2d(4, 8, 1, padding_mode: PaddingModes.Reflect)));
        Assert.False(LoraAdapters.IsTarget(nn.BatchNorm2d(4)));
    }

    /// <summary>Calls its hidden layer with forward(), which skips forward hooks.</summary>
    private sealed class DirectForwardModel : nn.Module<Tensor, Tensor>
    {
        private readonly Linear hidden = nn.Linear(4, 4);
        private readonly Linear head = nn.Linear(4, 2);

        public DirectForwardModel() : base(nameof(DirectForwardModel))
        {
            RegisterComponents();
        }

        public override Tensor forward(Tensor input)
        {
            using Tensor features = hidden.forward(input);
            return head.forward(features);
        }
    }
}
