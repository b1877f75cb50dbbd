using System.Text.Json.Nodes;
using Negentropy.Data;
using Negentropy.Models;
using Negentropy.Reporting;
using Negentropy.Serving;
using Negentropy.Training;
using SkiaSharp;
using TorchSharp;
using Xunit;
using static TorchSharp.torch;

namespace Negentropy.Tests.Serving;

/// <summary>POST /v1/predict on a trained Fashion-MNIST CNN: the predictions agree with offline evaluation.</summary>
[Collection(ServingCollection.Name)]
public sealed class PredictTests(ServingFixture fixture)
{
    private const int Count = 200;

    [Fact]
    public async Task Pixels_MatchOfflineEvaluation()
    {
        await using RunningServer server = await RunningServer.StartAsync(new ServeOptions { ModelDirectory = fixture.ModelDirectory, PredictionLogEnabled = false });
        ModelManifest manifest = ModelManifest.Read(fixture.ModelDirectory);
        double threshold = manifest.Abstention!.ThresholdBits;
        PredictionSet offline = Offline(Count);

        (int status, JsonNode? body) = await ServerTestData.PostAsync(server.Client, ServerTestData.PixelsBody(Enumerable.Range(0, Count).Select(fixture.Pixels)));

        Assert.Equal(200, status);
        Assert.Equal(manifest.Name, body!["model"]!["name"]!.GetValue<string>());
        Assert.Equal(manifest.Version, body["model"]!["version"]!.GetValue<string>());
        JsonArray predictions = body["predictions"]!.AsArray();
        Assert.Equal(Count, predictions.Count);
        int correct = 0;
        for (int i = 0; i < Count; i++)
        {
            JsonObject prediction = predictions[i]!.AsObject();
            Assert.Equal(new[] { "label", "probabilities", "entropy_bits", "normalized_entropy", "abstain" }, prediction.Select(p => p.Key).ToArray());
            double[] expected = offline.Probabilities.AsSpan(i * 10, 10).ToArray();
            int expectedClass = Array.IndexOf(expected, expected.Max());
            Assert.Equal(manifest.ClassNames[expectedClass], prediction["label"]!.GetValue<string>());
            JsonObject probabilities = prediction["probabilities"]!.AsObject();
            Assert.Equal(10, probabilities.Count);
            double[] served = probabilities.Select(p => p.Value!.GetValue<double>()).ToArray();
            Assert.True(served.Zip(served.Skip(1)).All(pair => pair.First >= pair.Second), $"input {i}: probabilities are not sorted by value");
            for (int k = 0; k < 10; k++)
            {
                Assert.Equal(expected[k], probabilities[manifest.ClassNames[k]]!.GetValue<double>(), 1e-5);
            }
            double entropy = -expected.Where(p => p > 0).Sum(p => p * Math.Log2(p));
            Assert.Equal(entropy, prediction["entropy_bits"]!.GetValue<double>(), 1e-5);
            Assert.Equal(entropy / Math.Log2(10), prediction["normalized_entropy"]!.GetValue<double>(), 1e-5);
            Assert.Equal(prediction["entropy_bits"]!.GetValue<double>() > threshold, prediction["abstain"]!.GetValue<bool>());
            correct += expectedClass == fixture.Test.Labels[i] ? 1 : 0;
        }
        Assert.True(correct >= Count * 0.7, $"{correct} of {Count} test images right; the fixture model should reach 70%");
    }

    [Fact]
    public async Task PngAndJpeg_MatchPixels()
    {
        await using RunningServer server = await RunningServer.StartAsync(new ServeOptions { ModelDirectory = fixture.ModelDirectory, PredictionLogEnabled = false });
        int[] indices = { 0, 1, 2, 3, 4, 5 };

        (_, JsonNode? fromPixels) = await ServerTestData.PostAsync(server.Client, ServerTestData.PixelsBody(indices.Select(fixture.Pixels)));
        (int pngStatus, JsonNode? fromPng) = await ServerTestData.PostAsync(server.Client, ServerTestData.ImageBody(indices.Select(i => ServerTestData.Encode(fixture.Pixels(i)))));
        (int jpegStatus, JsonNode? fromJpeg) = await ServerTestData.PostAsync(server.Client,
            ServerTestData.ImageBody(indices.Select(i => ServerTestData.Encode(fixture.Pixels(i), SKEncodedImageFormat.Jpeg))));

        Assert.Equal(200, pngStatus);
        Assert.Equal(200, jpegStatus);
        for (int i = 0; i < indices.Length; i++)
        {
            // PNG is lossless, so the decoded pixels and the prediction are the same.
            Assert.Equal(fromPixels!["predictions"]![i]!["entropy_bits"]!.GetValue<double>(), fromPng!["predictions"]![i]!["entropy_bits"]!.GetValue<double>(), 1e-9);
            Assert.Equal(fromPixels["predictions"]![i]!["label"]!.GetValue<string>(), fromPng["predictions"]![i]!["label"]!.GetValue<string>());
            Assert.Equal(10, fromJpeg!["predictions"]![i]!["probabilities"]!.AsObject().Count);
        }
    }

    [Fact]
    public async Task TopK_ReturnsTheKMostProbableClasses()
    {
        await using RunningServer server = await RunningServer.StartAsync(new ServeOptions { ModelDirectory = fixture.ModelDirectory, PredictionLogEnabled = false });
        JsonObject body = ServerTestData.PixelsBody(new[] { fixture.Pixels(0) });

        (_, JsonNode? all) = await ServerTestData.PostAsync(server.Client, body.DeepClone());
        (int status, JsonNode? top) = await ServerTestData.PostAsync(server.Client, body, "/v1/predict?top_k=3");

        Assert.Equal(200, status);
        string[] allClasses = all!["predictions"]![0]!["probabilities"]!.AsObject().Select(p => p.Key).ToArray();
        string[] topClasses = top!["predictions"]![0]!["probabilities"]!.AsObject().Select(p => p.Key).ToArray();
        Assert.Equal(allClasses.Take(3), topClasses);
        Assert.Equal(top["predictions"]![0]!["label"]!.GetValue<string>(), topClasses[0]);
        Assert.Equal(all["predictions"]![0]!["entropy_bits"]!.GetValue<double>(), top["predictions"]![0]!["entropy_bits"]!.GetValue<double>());
    }

    [Fact]
    public async Task ThresholdOverride_FlagsUncertainInputs()
    {
        await using RunningServer server = await RunningServer.StartAsync(new ServeOptions { ModelDirectory = fixture.ModelDirectory, PredictionLogEnabled = false, AbstainThreshold = 0 });

        (_, JsonNode? body) = await ServerTestData.PostAsync(server.Client, ServerTestData.PixelsBody(Enumerable.Range(0, 20).Select(fixture.Pixels)));

        foreach (JsonNode? prediction in body!["predictions"]!.AsArray())
        {
            Assert.Equal(prediction!["entropy_bits"]!.GetValue<double>() > 0, prediction["abstain"]!.GetValue<bool>());
        }
        (_, JsonNode? description) = await GetJsonAsync(server.Client, "/v1/model");
        Assert.Equal(0, description!["abstain_threshold_bits"]!.GetValue<double>());
        Assert.Equal("--abstain-threshold", description["abstain_threshold_source"]!.GetValue<string>());
    }

    [Fact]
    public async Task HealthReadinessOpenApi_Return200()
    {
        await using RunningServer server = await RunningServer.StartAsync(new ServeOptions { ModelDirectory = fixture.ModelDirectory, PredictionLogEnabled = false });

        using HttpResponseMessage health = await server.Client.GetAsync("/healthz");
        using HttpResponseMessage ready = await server.Client.GetAsync("/readyz");
        (int openApiStatus, JsonNode? openApi) = await GetJsonAsync(server.Client, "/openapi/v1.json");

        Assert.Equal(200, (int)health.StatusCode);
        Assert.Equal(200, (int)ready.StatusCode);
        Assert.Contains(ModelManifest.Read(fixture.ModelDirectory).Version, await ready.Content.ReadAsStringAsync());
        Assert.Equal(200, openApiStatus);
        JsonObject predict = openApi!["paths"]!["/v1/predict"]!["post"]!.AsObject();
        Assert.NotNull(predict["requestBody"]);
        Assert.NotNull(predict["responses"]!["200"]);
        Assert.NotNull(predict["responses"]!["400"]);
        Assert.NotNull(predict["responses"]!["413"]);
        Assert.NotNull(openApi["components"]!["schemas"]!["PredictResponse"]);
    }

    internal static async Task<(int Status, JsonNode? Body)> GetJsonAsync(HttpClient client, string path)
    {
        using HttpResponseMessage response = await client.GetAsync(path);
        return ((int)response.StatusCode, JsonNode.Parse(await response.Content.ReadAsStringAsync()));
    }

    private PredictionSet Offline(int count)
    {
        (ModelManifest manifest, nn.Module<Tensor, Tensor> model) = SavedModel.Load(fixture.ModelDirectory);
        using (model)
        {
            using var images = new ImageTensors(fixture.Test.Take(count), manifest.Normalization);
            return Evaluator.Predict(model, images, manifest.ClassNames.Count);
        }
    }
}
