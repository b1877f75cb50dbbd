using System.Text.Json.Nodes;
using Microsoft.Extensions.DependencyInjection;
using Negentropy.Models;
using Negentropy.Reporting;
using Negentropy.Serving;
using Xunit;

namespace Negentropy.Tests.Serving;

/// <summary><c>serve --precision bf16</c>: probabilities close to fp32's, the precision in /v1/model and the logs, and kept across a reload.</summary>
[Collection(ServingCollection.Name)]
public sealed class Bf16ServingTests(ServingFixture fixture)
{
    private const int Count = 100;

    // bfloat16 keeps 8 significant bits per value, and the fixture model's probabilities stay within this of fp32's.
    private const double Tolerance = 0.02;

    [Fact]
    public async Task Bf16_ProbabilitiesMatchFp32()
    {
        JsonObject body = ServerTestData.PixelsBody(Enumerable.Range(0, Count).Select(fixture.Pixels));
        JsonArray fp32 = await PredictAsync(InferencePrecision.Float32, body);

        await using RunningServer server = await RunningServer.StartAsync(new ServeOptions
        {
            ModelDirectory = fixture.ModelDirectory,
            PredictionLogEnabled = false,
            Precision = InferencePrecision.BFloat16,
        });
        (int status, JsonNode? answer) = await ServerTestData.PostAsync(server.Client, body);
        JsonNode description = JsonNode.Parse(await server.Client.GetStringAsync("/v1/model"))!;

        Assert.Equal(200, status);
        Assert.Equal("bf16", description["inference_precision"]!.GetValue<string>());
        Assert.Contains(server.Logs.Entries, entry => entry.Message.Contains("28x28, bf16 inference"));
        AssertClose(fp32, answer!["predictions"]!.AsArray());
    }

    [Fact]
    public async Task Fp32_IsTheDefault()
    {
        await using RunningServer server = await RunningServer.StartAsync(new ServeOptions { ModelDirectory = fixture.ModelDirectory, PredictionLogEnabled = false });

        JsonNode description = JsonNode.Parse(await server.Client.GetStringAsync("/v1/model"))!;

        Assert.Equal("fp32", description["inference_precision"]!.GetValue<string>());
        Assert.Contains(server.Logs.Entries, entry => entry.Message.Contains("28x28, fp32 inference"));
    }

    [Fact]
    public async Task Reload_KeepsBf16()
    {
        string folder = fixture.CopyModel();
        ModelManifest original = ModelManifest.Read(folder);
        JsonObject body = ServerTestData.PixelsBody(Enumerable.Range(0, Count).Select(fixture.Pixels));
        JsonArray fp32 = await PredictAsync(InferencePrecision.Float32, body);
        await using RunningServer server = await RunningServer.StartAsync(new ServeOptions
        {
            ModelDirectory = folder,
            PredictionLogEnabled = false,
            ReloadInterval = TimeSpan.Zero,
            Precision = InferencePrecision.BFloat16,
        });
        ModelReloader reloader = server.Server.Services.GetRequiredService<ModelReloader>();

        (original with { Version = "reloaded-bf16" }).Write(folder);
        bool firstPoll = reloader.Poll();
        bool secondPoll = reloader.Poll();
        (int status, JsonNode? answer) = await ServerTestData.PostAsync(server.Client, body);
        JsonNode description = JsonNode.Parse(await server.Client.GetStringAsync("/v1/model"))!;

        Assert.False(firstPoll, "the first poll that sees a change waits for a second one");
        Assert.True(secondPoll, "the second poll did not reload the changed folder");
        Assert.Equal("reloaded-bf16", description["version"]!.GetValue<string>());
        Assert.Equal("bf16", description["inference_precision"]!.GetValue<string>());
        Assert.Same(InferencePrecision.BFloat16, server.Server.Services.GetRequiredService<ModelHolder>().Current.Precision);
        Assert.Contains(server.Logs.Entries, entry => entry.Message.Contains("reloaded-bf16, bf16 inference"));
        Assert.Equal(200, status);
        Assert.Equal("reloaded-bf16", answer!["model"]!["version"]!.GetValue<string>());
        AssertClose(fp32, answer["predictions"]!.AsArray());
    }

    [Fact]
    public void CpuWithoutBf16_IsRejectedAtCreate()
    {
        var options = new ServeOptions { ModelDirectory = fixture.ModelDirectory, PredictionLogEnabled = false, Precision = InferencePrecision.BFloat16 };
        CpuFeatures cpu = CpuFeatures.Parse("processor\t: 0\nflags\t\t: fpu avx2 avx512f\n", "simulated cpuinfo");

        var exception = Assert.Throws<UserInputException>(() => ModelServer.Create(options, cpu: cpu));

        Assert.Equal("--precision bf16 needs a CPU with AVX-512 BF16 or AMX-BF16, but the flags in simulated cpuinfo have neither avx512_bf16 nor amx_bf16, so oneDNN would emulate bfloat16 slowly; use --precision fp32", exception.Message);
    }

    private async Task<JsonArray> PredictAsync(InferencePrecision precision, JsonObject body)
    {
        await using RunningServer server = await RunningServer.StartAsync(new ServeOptions { ModelDirectory = fixture.ModelDirectory, PredictionLogEnabled = false, Precision = precision });
        (int status, JsonNode? answer) = await ServerTestData.PostAsync(server.Client, body);
        Assert.Equal(200, status);
        return answer!["predictions"]!.AsArray();
    }

    private static void AssertClose(JsonArray expected, JsonArray actual)
    {
        Assert.Equal(expected.Count, actual.Count);
        int sameLabel = 0;
        for (int i = 0; i < expected.Count; i++)
        {
            JsonObject expectedProbabilities = expected[i]!["probabilities"]!.AsObject();
            JsonObject actualProbabilities = actual[i]!["probabilities"]!.AsObject();
            Assert.Equal(expectedProbabilities.Count, actualProbabilities.Count);
            foreach ((string label, JsonNode? probability) in expectedProbabilities)
            {
                double difference = Math.Abs(probability!.GetValue<double>() - actualProbabilities[label]!.GetValue<double>());
                Assert.True(difference <= Tolerance, $"input {i}, class {label}: bf16 probability differs from fp32 by {difference}");
            }
            sameLabel += expected[i]!["label"]!.GetValue<string>() == actual[i]!["label"]!.GetValue<string>() ? 1 : 0;
        }
        Assert.True(sameLabel >= expected.Count - 2, $"bf16 changed the label of {expected.Count - sameLabel} of {expected.Count} inputs");
    }
}
