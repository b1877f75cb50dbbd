using Negentropy.Models;
using TorchSharp;
using Xunit;
using static TorchSharp.torch;

namespace Negentropy.Tests.Models;

/// <summary>Architectures converted to bfloat16: float32 logits close to the fp32 model's for image and token-id inputs, and transformer rejected.</summary>
public sealed class BFloat16ModelTests
{
    public static TheoryData<string, string?> Architectures() => new()
    {
        { "cnn", null },
        { "resnet", null },
        { "resnet18", null },
        { "fasttext", null },
        { "textcnn", null },
        { "bilstm", null },
    };

    private static ModelSpec Spec(string architecture, string? pooling)
    {
        if (!ModelFactory.TextArchitectures.Contains(architecture))
        {
            var image = new ModelSpec(architecture, 1, 28, 28, 10, 8, ModelFactory.DefaultDepth(architecture), 0.1);
            return ModelFactory.WithInputAdapter(image);
        }
        return new ModelSpec(architecture, 1, 1, 1, 3, 16, ModelFactory.DefaultDepth(architecture), 0.1, VocabularySize: 40, MaxLength: 12, Pooling: pooling);
    }

    private static Tensor Input(ModelSpec spec)
    {
        var generator = new Generator(17);
        if (spec.IsText)
        {
            // Ids 1–39 with trailing padding in the second row, so masks and padding handling run too.
            Tensor tokens = randint(1, 40, new long[] { 4, 12 }, dtype: ScalarType.Int64, generator: generator);
            tokens[1, TensorIndex.Slice(6)] = tensor(0L);
            return tokens;
        }
        return randn(new long[] { 4, 1, 28, 28 }, generator: generator);
    }

    [Theory]
    [MemberData(nameof(Architectures))]
    public void Logits_AreFloat32AndCloseToFp32(string architecture, string? pooling)
    {
        TorchRuntime.Configure(threads: 1, seed: 3);
        ModelSpec spec = Spec(architecture, pooling);
        using var scope = NewDisposeScope();
        using var noGrad = torch.no_grad();
        Tensor input = Input(spec);
        nn.Module<Tensor, Tensor> fp32 = ModelFactory.Create(spec);
        fp32.eval();
        Tensor expected = fp32.forward(input);

        using nn.Module<Tensor, Tensor> bf16 = InferencePrecision.BFloat16.Apply(fp32);
        Tensor actual = bf16.forward(input);

        Assert.Equal(ScalarType.Float32, actual.dtype);
        Assert.Equal(expected.shape, actual.shape);
        Assert.Equal(input.is_floating_point() ? ScalarType.Float32 : ScalarType.Int64, input.dtype);
        Assert.All(fp32.parameters(), parameter => Assert.Equal(ScalarType.BFloat16, parameter.dtype));
        Assert.All(fp32.named_buffers(), buffer => Assert.Equal(
            buffer.name.EndsWith("num_batches_tracked", StringComparison.Ordinal) ? ScalarType.Int64 : ScalarType.BFloat16, buffer.buffer.dtype));
        // bfloat16 keeps 8 significant bits, so each layer adds a relative error of about 2⁻⁸.
        double scale = expected.abs().max().item<float>();
        double difference = (actual - expected).abs().max().item<float>();
        Assert.True(difference <= 0.05 * Math.Max(scale, 1), $"{architecture}: bf16 logits differ from fp32 by {difference} (largest fp32 logit {scale})");
    }

    [Theory]
    [InlineData("cls")]
    [InlineData("mean")]
    public void Transformer_IsRejected(string pooling)
    {
        TorchRuntime.EnsureLoaded();
        using nn.Module<Tensor, Tensor> model = ModelFactory.Create(Spec("transformer", pooling));

        var exception = Assert.Throws<UserInputException>(() => InferencePrecision.BFloat16.Apply(model));

        Assert.Equal("--precision bf16 does not run transformer models, because libtorch's MultiheadAttention has no bfloat16 kernel for the padding mask; use --precision fp32", exception.Message);
        Assert.All(model.parameters(), parameter => Assert.Equal(ScalarType.Float32, parameter.dtype));
    }

    [Fact]
    public void Float32_ReturnsTheModelItself()
    {
        TorchRuntime.EnsureLoaded();
        using nn.Module<Tensor, Tensor> model = ModelFactory.Create(Spec("cnn", null));

        Assert.Same(model, InferencePrecision.Float32.Apply(model));
        Assert.All(model.parameters(), parameter => Assert.Equal(ScalarType.Float32, parameter.dtype));
    }

    [Fact]
    public void Input_CastsOnlyFloatingBatches()
    {
        TorchRuntime.EnsureLoaded();
        using var scope = NewDisposeScope();

        Tensor images = InferencePrecision.BFloat16.Input(zeros(2, 1, 4, 4));
        Tensor tokens = InferencePrecision.BFloat16.Input(zeros(2, 5, ScalarType.Int64));
        Tensor unchanged = InferencePrecision.Float32.Input(zeros(2, 1, 4, 4));

        Assert.Equal(ScalarType.BFloat16, images.dtype);
        Assert.Equal(ScalarType.Int64, tokens.dtype);
        Assert.Equal(ScalarType.Float32, unchanged.dtype);
    }
}
