using Negentropy.Models;
using TorchSharp;
using TorchSharp.Modules;
using Xunit;
using static TorchSharp.torch;

namespace Negentropy.Tests.Models;

public sealed class ClassifierHeadTests
{
    public static TheoryData<ModelSpec, string> Heads() => new()
    {
        { new ModelSpec("cnn", 1, 28, 28, 10, 8, 2, 0.2), "classifier.fc2" },
        { new ModelSpec("resnet", 1, 28, 28, 10, 8, 8, 0.2), "head.fc" },
        { new ModelSpec("fasttext", 1, 1, 1, 3, 16, 1, 0.1, VocabularySize: 64, MaxLength: 8), "classifier" },
        { new ModelSpec("textcnn", 1, 1, 1, 3, 16, 1, 0.1, VocabularySize: 64, MaxLength: 8), "classifier" },
        { new ModelSpec("bilstm", 1, 1, 1, 3, 16, 1, 0.1, VocabularySize: 64, MaxLength: 8), "classifier" },
        { new ModelSpec("transformer", 1, 1, 1, 3, 16, 1, 0.1, VocabularySize: 64, MaxLength: 8, Pooling: "cls"), "classifier" },
    };

    [Theory]
    [MemberData(nameof(Heads))]
    public void Find_ReturnsLastLinear(ModelSpec spec, string expected)
    {
        TorchRuntime.Configure(threads: 1, seed: 1);
        using nn.Module<Tensor, Tensor> model = ModelFactory.Create(spec);

        (string name, Linear head) = ClassifierHead.Find(model);

        Assert.Equal(expected, name);
        Assert.Equal(spec.Outputs, head.out_features);
    }

    [Fact]
    public void DepthFirst_VisitsChildrenBeforeSiblings()
    {
        TorchRuntime.Configure(threads: 1, seed: 1);
        // TorchSharp's named_modules() would list "b" before "a.inner"; registration order puts a's subtree first.
        using var model = nn.Sequential(
            ("a", nn.Sequential(("inner", nn.Linear(4, 4)))),
            ("b", nn.Linear(4, 2)));

        string[] names = ClassifierHead.DepthFirst(model).Select(entry => entry.Name).ToArray();

        Assert.Equal(new[] { "a", "a.inner", "b" }, names);
        Assert.Equal("b", ClassifierHead.Find(model).Name);
    }

    [Fact]
    public void Find_WithoutLinearThrows()
    {
        TorchRuntime.Configure(threads: 1, seed: 1);
        using var model = nn.Sequential(("conv", nn.Conv2d(1, 2, 3)));

        Assert.Throws<InvalidOperationException>(() => ClassifierHead.Find(model));
    }

    [Theory]
    [InlineData("head.fc", "head.fc.weight", true)]
    [InlineData("head.fc", "head.fc.lora_a.weight", true)]
    [InlineData("head.fc", "head.fc2.weight", false)]
    [InlineData("classifier", "classifier_extra.weight", false)]
    public void Contains_MatchesWholeNames(string head, string parameter, bool expected)
    {
        Assert.Equal(expected, ClassifierHead.Contains(head, parameter));
    }
}
