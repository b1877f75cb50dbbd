using System.Text.Json.Nodes;
using Negentropy.Bench;
using Negentropy.Models;
using TorchSharp;
using Xunit;
using static TorchSharp.torch;

namespace Negentropy.Tests.Bench;

/// <summary>
/// The benchmark's models and their PyTorch twins in bench/pytorch/bench.py have the same parameter count,
/// output shape and FLOP count. Fixtures/pytorch_parity.json comes from
/// <c>/usr/bin/python3 bench/pytorch/bench.py --parity-fixture tests/Negentropy.Tests/Fixtures/pytorch_parity.json</c>.
/// </summary>
public sealed class PyTorchParityTests
{
    public static TheoryData<string, int, int> Cases()
    {
        var cases = new TheoryData<string, int, int>();
        foreach (JsonNode? entry in Fixture()["cases"]!.AsArray())
        {
            cases.Add(entry!["model"]!.GetValue<string>(), entry["width"]!.GetValue<int>(), entry["depth"]!.GetValue<int>());
        }
        return cases;
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void Model_MatchesItsPyTorchTwin(string architecture, int width, int depth)
    {
        JsonNode expected = Fixture()["cases"]!.AsArray().Single(c =>
            c!["model"]!.GetValue<string>() == architecture && c["width"]!.GetValue<int>() == width && c["depth"]!.GetValue<int>() == depth)!;
        var spec = new ModelSpec(architecture, 1, 28, 28, 10, width, depth, Dropout: 0.2);
        int batch = expected["batch"]!.GetValue<int>();

        using nn.Module<Tensor, Tensor> model = ModelFactory.Create(spec);
        model.eval();
        using var noGrad = torch.no_grad();
        using Tensor input = zeros(batch, 1, 28, 28);
        using Tensor output = model.forward(input);

        Assert.Equal(expected["parameters"]!.GetValue<long>(), ModelFactory.CountParameters(model));
        Assert.Equal(expected["output_shape"]!.AsArray().Select(n => n!.GetValue<long>()), output.shape);
        Assert.Equal(expected["gflops_per_sample"]!.GetValue<double>(), FlopCount.Forward(spec) / 1e9, 12);
    }

    [Fact]
    public void FlopCount_MatchesAHandCount()
    {
        // cnn width 32, depth 2: conv 1→32 at 28×28, conv 32→64 at 14×14, fc 64·7·7→128, fc 128→10.
        double expected = 2.0 * ((1 * 32 * 9 * 28 * 28) + (32 * 64 * 9 * 14 * 14) + (64 * 7 * 7 * 128) + (128 * 10));

        Assert.Equal(expected, FlopCount.Forward(new ModelSpec("cnn", 1, 28, 28, 10, 32, 2, 0.2)));
    }

    private static JsonNode Fixture() =>
        JsonNode.Parse(File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "Fixtures", "pytorch_parity.json")))!;
}
