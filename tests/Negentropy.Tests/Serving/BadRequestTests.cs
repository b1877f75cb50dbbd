using System.Net;
using System.Text;
using System.Text.Json.Nodes;
using Microsoft.Extensions.Logging;
using Negentropy.Serving;
using Xunit;

namespace Negentropy.Tests.Serving;

/// <summary>Every kind of bad predict request gets a problem-details response, and the server keeps serving.</summary>
[Collection(ServingCollection.Name)]
public sealed class BadRequestTests(ServingFixture fixture)
{
    public static TheoryData<string, string, int?, string> BadBodies()
    {
        string pixels = string.Join(",", Enumerable.Repeat("0", 784));
        string good = $"{{\"pixels\":[{pixels}]}}";
        return new TheoryData<string, string, int?, string>
        {
            { "{\"inputs\": [", "malformed_json", null, "not valid JSON" },
            { "[1, 2]", "not_an_object", null, "send an object" },
            { "{\"instances\": []}", "missing_inputs", null, "no \"inputs\" field" },
            { "{\"inputs\": {}}", "inputs_not_array", null, "must be an array" },
            { "{\"inputs\": []}", "empty_inputs", null, "at least one input" },
            { $"{{\"inputs\": [{good}, {{\"text\": \"a shirt\"}}]}}", "wrong_input_kind", 1, "inputs[1] is \"text\"" },
            { $"{{\"inputs\": [{good}, {good}, {{\"pixels\": [1, 2, 3]}}]}}", "wrong_pixel_count", 2, "inputs[2].pixels has 3 values" },
            { $"{{\"inputs\": [{{\"pixels\": [{pixels.Substring(2)},256]}}]}}", "bad_pixel_value", 0, "inputs[0].pixels[783] is 256" },
            { $"{{\"inputs\": [{{\"pixels\": [{pixels.Substring(2)},1.5]}}]}}", "bad_pixel_value", 0, "integers 0–255" },
            { "{\"inputs\": [{\"image\": \"not base64!\"}]}", "bad_base64", 0, "inputs[0].image is not a base64 string" },
            { $"{{\"inputs\": [{{\"image\": \"{Convert.ToBase64String(Encoding.ASCII.GetBytes("GIF-ish nonsense"))}\"}}]}}", "undecodable_image", 0, "inputs[0].image cannot be decoded" },
            { $"{{\"inputs\": [{good}, {{\"pixels\": [], \"text\": \"x\"}}]}}", "bad_input", 1, "exactly one of" },
            { "{\"inputs\": [42]}", "bad_input", 0, "inputs[0] is a JSON number" },
            { "{\"inputs\": [{\"image\": \"\\ud800\"}]}", "invalid_unicode", 0, "inputs[0] has a field name or string that is not valid Unicode" },
            { "{\"inp\\ud800uts\": []}", "invalid_unicode", null, "not valid Unicode" },
            { $"{{\"inputs\": [{string.Join(",", Enumerable.Repeat(good, 5))}]}}", "too_many_inputs", null, "contains 5 inputs, more than the 4" },
        };
    }

    [Theory]
    [MemberData(nameof(BadBodies))]
    public async Task BadBody_Gets400ProblemDetailsNamingTheInput(string body, string reason, int? index, string detailPart)
    {
        await using RunningServer server = await RunningServer.StartAsync(new ServeOptions { ModelDirectory = fixture.ModelDirectory, PredictionLogEnabled = false, MaxInputs = 4 });

        using var content = new StringContent(body, Encoding.UTF8, "application/json");
        using HttpResponseMessage response = await server.Client.PostAsync("/v1/predict", content);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        JsonObject problem = JsonNode.Parse(await response.Content.ReadAsStringAsync())!.AsObject();
        Assert.Equal(400, problem["status"]!.GetValue<int>());
        Assert.Equal(reason, problem["reason"]!.GetValue<string>());
        Assert.Contains(detailPart, problem["detail"]!.GetValue<string>());
        Assert.Equal(index, problem["input_index"]?.GetValue<int>());
        await AssertStillServes(server);
    }

    [Fact]
    public async Task OversizedBody_Gets413WithOrWithoutContentLength()
    {
        await using RunningServer server = await RunningServer.StartAsync(new ServeOptions { ModelDirectory = fixture.ModelDirectory, PredictionLogEnabled = false, MaxBodyBytes = 4096 });
        string body = ServerTestData.PixelsBody(Enumerable.Range(0, 3).Select(fixture.Pixels)).ToJsonString();

        using var sized = new StringContent(body, Encoding.UTF8, "application/json");
        using HttpResponseMessage withLength = await server.Client.PostAsync("/v1/predict", sized);
        using var streamed = new StreamContent(new NonSeekableStream(Encoding.UTF8.GetBytes(body)));
        streamed.Headers.ContentType = new System.Net.Http.Headers.MediaTypeHeaderValue("application/json");
        using HttpResponseMessage chunked = await server.Client.PostAsync("/v1/predict", streamed);

        using var waiting = new HttpRequestMessage(HttpMethod.Post, "/v1/predict") { Content = new StringContent(body, Encoding.UTF8, "application/json") };
        waiting.Headers.ExpectContinue = true;
        using HttpResponseMessage expectContinue = await server.Client.SendAsync(waiting);

        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, expectContinue.StatusCode);
        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, withLength.StatusCode);
        Assert.Contains("--max-body-bytes", JsonNode.Parse(await withLength.Content.ReadAsStringAsync())!["detail"]!.GetValue<string>());
        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, chunked.StatusCode);
        Assert.Equal("body_too_large", JsonNode.Parse(await chunked.Content.ReadAsStringAsync())!["reason"]!.GetValue<string>());
        await AssertStillServes(server);
    }

    [Fact]
    public async Task WholeNumberFloats_AreAcceptedAsPixels()
    {
        await using RunningServer server = await RunningServer.StartAsync(new ServeOptions { ModelDirectory = fixture.ModelDirectory, PredictionLogEnabled = false });
        // Whole numbers in float notation: 1e2 for the first pixel and 255.0 for the second.
        string[] values = fixture.Pixels(0).Select(p => p.ToString(System.Globalization.CultureInfo.InvariantCulture)).ToArray();
        values[0] = "1e2";
        values[1] = "255.0";
        string pixels = string.Join(",", values);

        (int status, JsonNode? body) = await ServerTestData.PostAsync(server.Client, $"{{\"inputs\": [{{\"pixels\": [{pixels}]}}]}}");

        Assert.Equal(200, status);
        Assert.Single(body!["predictions"]!.AsArray());
    }

    [Theory]
    [InlineData("/v1/predict?top_k=0")]
    [InlineData("/v1/predict?top_k=two")]
    public async Task BadTopK_Gets400(string path)
    {
        await using RunningServer server = await RunningServer.StartAsync(new ServeOptions { ModelDirectory = fixture.ModelDirectory, PredictionLogEnabled = false });

        (int status, JsonNode? problem) = await ServerTestData.PostAsync(server.Client, ServerTestData.PixelsBody(new[] { fixture.Pixels(0) }), path);

        Assert.Equal(400, status);
        Assert.Equal("bad_top_k", problem!["reason"]!.GetValue<string>());
    }

    [Fact]
    public async Task NonJsonContentType_Gets415()
    {
        await using RunningServer server = await RunningServer.StartAsync(new ServeOptions { ModelDirectory = fixture.ModelDirectory, PredictionLogEnabled = false });

        (int status, JsonNode? problem) = await ServerTestData.PostAsync(server.Client, "inputs=1", contentType: "application/x-www-form-urlencoded");

        Assert.Equal(415, status);
        Assert.Contains("application/json", problem!["detail"]!.GetValue<string>());
    }

    [Fact]
    public async Task Rejections_LoggedOncePerInterval()
    {
        await using RunningServer server = await RunningServer.StartAsync(new ServeOptions { ModelDirectory = fixture.ModelDirectory, PredictionLogEnabled = false });

        for (int i = 0; i < 25; i++)
        {
            await ServerTestData.PostAsync(server.Client, "{\"inputs\": [");
        }
        string metrics = await server.Client.GetStringAsync("/metrics");

        Assert.Contains("negentropy_rejected_requests_total{reason=\"malformed_json\"} 25", metrics);
        CapturedLogs.Entry[] warnings = server.Logs.Entries.Where(e => e.Level >= LogLevel.Warning).ToArray();
        Assert.True(warnings.Length == 1, $"{warnings.Length} warnings for 25 rejected requests within one interval: {string.Join(" | ", warnings.Select(w => w.Message))}");
        Assert.Contains("malformed_json", warnings[0].Message);
        Assert.DoesNotContain(server.Logs.Entries, e => e.Level >= LogLevel.Error);
    }

    private async Task AssertStillServes(RunningServer server)
    {
        (int status, _) = await ServerTestData.PostAsync(server.Client, ServerTestData.PixelsBody(new[] { fixture.Pixels(0) }));
        Assert.Equal(200, status);
    }

    /// <summary>A read-only stream without a length, so HttpClient sends the body chunked.</summary>
    private sealed class NonSeekableStream(byte[] bytes) : MemoryStream(bytes)
    {
        public override bool CanSeek => false;

        public override long Length => throw new NotSupportedException();

        public override long Position
        {
            get => throw new NotSupportedException();
            set => throw new NotSupportedException();
        }
    }
}
