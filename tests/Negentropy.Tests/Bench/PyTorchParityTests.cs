using System.Text.Json.Nodes;
using Negentropy.Bench;
using Negentropy.Models;
using TorchSharp;
using TorchSharp.Modules;
using Xunit;
using static TorchSharp.torch;

namespace Negentropy.Tests.Bench;

/// <summary>
/// The benchmark's models and their PyTorch twins in bench/pytorch/bench.py and text_models.py have the
/// same parameter count, output shape and FLOP count. The text models also have the same parameter names,
/// shapes and initial spread, and compute the same logits from the same parameters. Fixtures/pytorch_parity.json comes from
/// <c>/usr/bin/python3 bench/pytorch/bench.py --parity-fixture tests/Negentropy.Tests/Fixtures/pytorch_parity.json</c>.
/// </summary>
public sealed class PyTorchParityTests
{
    // Parameters with fewer elements have a sample spread too noisy to compare between two random draws.
    private const int MinimumElementsForSpread = 1000;
    private const double SpreadTolerance = 0.05;

    /// <summary>Fixture cases as (model, width, depth, vocabulary size, sequence length); the last two are 0 for images.</summary>
    public static TheoryData<string, int, int, int, int> Cases()
    {
        var cases = new TheoryData<string, int, int, int, int>();
        foreach (JsonNode? entry in Fixture()["cases"]!.AsArray())
        {
            cases.Add(entry!["model"]!.GetValue<string>(), entry["width"]!.GetValue<int>(), entry["depth"]!.GetValue<int>(),
                entry["vocabulary_size"]?.GetValue<int>() ?? 0, entry["sequence_length"]?.GetValue<int>() ?? 0);
        }
        return cases;
    }

    public static TheoryData<string, int, int> TextCases()
    {
        var cases = new TheoryData<string, int, int>();
        foreach (JsonNode? entry in Fixture()["cases"]!.AsArray().Where(c => c!["vocabulary_size"] is not null))
        {
            cases.Add(entry!["model"]!.GetValue<string>(), entry["width"]!.GetValue<int>(), entry["vocabulary_size"]!.GetValue<int>());
        }
        return cases;
    }

    /// <summary>Forward cases as (model, tokens per row).</summary>
    public static TheoryData<string, int> ForwardCases()
    {
        var cases = new TheoryData<string, int>();
        foreach (JsonNode? entry in Fixture()["forward_cases"]!.AsArray())
        {
            cases.Add(entry!["model"]!.GetValue<string>(), entry["tokens"]![0]!.AsArray().Count);
        }
        return cases;
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void Model_MatchesItsPyTorchTwin(string architecture, int width, int depth, int vocabularySize, int sequenceLength)
    {
        JsonNode expected = Fixture()["cases"]!.AsArray().Single(c =>
            c!["model"]!.GetValue<string>() == architecture && c["width"]!.GetValue<int>() == width && c["depth"]!.GetValue<int>() == depth
            && (c["vocabulary_size"]?.GetValue<int>() ?? 0) == vocabularySize && (c["sequence_length"]?.GetValue<int>() ?? 0) == sequenceLength)!;
        ModelSpec spec = Spec(expected);
        int batch = expected["batch"]!.GetValue<int>();

        using nn.Module<Tensor, Tensor> model = ModelFactory.Create(spec);
        model.eval();
        using var noGrad = torch.no_grad();
        using Tensor input = spec.IsText ? ones(new long[] { batch, sequenceLength }, ScalarType.Int64) : zeros(batch, 1, 28, 28);
        using Tensor output = model.forward(input);

        Assert.Equal(expected["parameters"]!.GetValue<long>(), ModelFactory.CountParameters(model));
        Assert.Equal(expected["output_shape"]!.AsArray().Select(n => n!.GetValue<long>()), output.shape);
        Assert.Equal(expected["gflops_per_sample"]!.GetValue<double>(), FlopCount.Forward(spec) / 1e9, 12);
    }

    [Theory]
    [MemberData(nameof(TextCases))]
    public void TextModel_InitializesLikeItsPyTorchTwin(string architecture, int width, int vocabularySize)
    {
        JsonNode expected = Fixture()["cases"]!.AsArray().Single(c =>
            c!["model"]!.GetValue<string>() == architecture && c["width"]!.GetValue<int>() == width && c["vocabulary_size"]?.GetValue<int>() == vocabularySize)!;
        JsonArray tensors = expected["tensors"]!.AsArray();
        torch.manual_seed(42);

        using nn.Module<Tensor, Tensor> model = ModelFactory.Create(Spec(expected));
        (string Name, Parameter Value)[] parameters = model.named_parameters().ToArray();

        Assert.Equal(tensors.Select(t => t!["name"]!.GetValue<string>()), parameters.Select(p => p.Name));
        for (int i = 0; i < parameters.Length; i++)
        {
            (string name, Parameter value) = parameters[i];
            Assert.Equal(tensors[i]!["shape"]!.AsArray().Select(n => n!.GetValue<long>()), value.shape);
            if (value.numel() >= MinimumElementsForSpread)
            {
                double pyTorchSpread = tensors[i]!["std"]!.GetValue<double>();
                double spread = value.std().item<float>();
                Assert.True(Math.Abs(spread - pyTorchSpread) <= SpreadTolerance * pyTorchSpread,
                    $"{name}: standard deviation {spread} here, {pyTorchSpread} in PyTorch");
            }
        }
        Parameter embeddings = parameters.Single(p => p.Name == "embeddings.weight").Value;
        Assert.Equal(expected["padding_row_norm"]!.GetValue<double>(), embeddings[0].norm().item<float>());
    }

    [Theory]
    [MemberData(nameof(ForwardCases))]
    public void TextModel_ComputesTheLogitsOfItsPyTorchTwin(string architecture, int length)
    {
        JsonNode expected = Fixture()["forward_cases"]!.AsArray().Single(c =>
            c!["model"]!.GetValue<string>() == architecture && c["tokens"]![0]!.AsArray().Count == length)!;
        long[][] rows = expected["tokens"]!.AsArray().Select(row => row!.AsArray().Select(n => n!.GetValue<long>()).ToArray()).ToArray();
        var spec = new ModelSpec(architecture, 1, 1, 1, expected["classes"]!.GetValue<int>(), expected["width"]!.GetValue<int>(), 1, 0.2,
            VocabularySize: expected["vocabulary_size"]!.GetValue<int>(), MaxLength: length);

        using nn.Module<Tensor, Tensor> model = ModelFactory.Create(spec);
        FillDeterministic(model);
        model.eval();
        using var noGrad = torch.no_grad();
        using Tensor tokens = tensor(rows.SelectMany(row => row).ToArray(), new long[] { rows.Length, length });
        using Tensor logits = model.forward(tokens);

        float[] actual = logits.data<float>().ToArray();
        double[] pyTorch = expected["logits"]!.AsArray().SelectMany(row => row!.AsArray().Select(n => n!.GetValue<double>())).ToArray();
        Assert.Equal(pyTorch.Length, actual.Length);
        for (int i = 0; i < actual.Length; i++)
        {
            Assert.True(Math.Abs(actual[i] - pyTorch[i]) < 1e-5, $"logit {i}: {actual[i]} here, {pyTorch[i]} in PyTorch");
        }
    }

    [Fact]
    public void FlopCount_MatchesAHandCount()
    {
        // cnn width 32, depth 2: conv 1→32 at 28×28, conv 32→64 at 14×14, fc 64·7·7→128, fc 128→10.
        double expected = 2.0 * ((1 * 32 * 9 * 28 * 28) + (32 * 64 * 9 * 14 * 14) + (64 * 7 * 7 * 128) + (128 * 10));

        Assert.Equal(expected, FlopCount.Forward(new ModelSpec("cnn", 1, 28, 28, 10, 32, 2, 0.2)));
    }

    [Fact]
    public void TextFlopCount_MatchesAHandCount()
    {
        // textcnn width 128 on 256 ids: 100 filters each of sizes 3, 4 and 5 at 254, 253 and 252 positions, then fc 300→2.
        double textCnn = 2.0 * ((128 * 100 * ((3 * 254) + (4 * 253) + (5 * 252))) + (300 * 2));
        // Two ids are padded to 5, the widest filter: 3, 2 and 1 positions.
        double shortTextCnn = 2.0 * ((32 * 100 * ((3 * 3) + (4 * 2) + (5 * 1))) + (300 * 2));
        // fasttext width 64 on 256 ids: one FLOP per element and id for the mean, then fc 64→2.
        double fastText = (256 * 64) + (2.0 * 64 * 2);

        Assert.Equal(textCnn, FlopCount.Forward(TextSpec("textcnn", 128, 256)));
        Assert.Equal(shortTextCnn, FlopCount.Forward(TextSpec("textcnn", 32, 2)));
        Assert.Equal(fastText, FlopCount.Forward(TextSpec("fasttext", 64, 256)));
    }

    private static ModelSpec TextSpec(string architecture, int width, int length) =>
        new(architecture, 1, 1, 1, 2, width, 1, 0.2, VocabularySize: 1000, MaxLength: length);

    private static ModelSpec Spec(JsonNode entry)
    {
        string architecture = entry["model"]!.GetValue<string>();
        int classes = entry["classes"]!.GetValue<int>();
        int width = entry["width"]!.GetValue<int>();
        int depth = entry["depth"]!.GetValue<int>();
        return entry["vocabulary_size"] is JsonNode vocabulary
            ? new ModelSpec(architecture, 1, 1, 1, classes, width, depth, 0.2,
                VocabularySize: vocabulary.GetValue<int>(), MaxLength: entry["sequence_length"]!.GetValue<int>())
            : new ModelSpec(architecture, 1, 28, 28, classes, width, depth, Dropout: 0.2);
    }

    // The fill of fill_deterministic in bench/pytorch/text_models.py: parameter k gets sin(0.37 i + k) / 4 at
    // flat index i, computed in float64, and the embeddings' padding row is zeroed afterwards.
    private static void FillDeterministic(nn.Module model)
    {
        using var noGrad = torch.no_grad();
        int k = 0;
        foreach ((string name, Parameter parameter) in model.named_parameters())
        {
            using Tensor values = arange(parameter.numel(), ScalarType.Float64).mul(0.37).add(k).sin().div(4).to(ScalarType.Float32).reshape(parameter.shape);
            parameter.copy_(values);
            if (name == "embeddings.weight")
            {
                parameter[0].zero_();
            }
            k++;
        }
    }

    private static JsonNode Fixture() =>
        JsonNode.Parse(File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "Fixtures", "pytorch_parity.json")))!;
}
