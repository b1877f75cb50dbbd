using System.Text;
using System.Text.Json.Nodes;
using Negentropy.Serving;
using Negentropy.Training;
using Xunit;

namespace Negentropy.Tests.Serving;

/// <summary>A text model served over HTTP: intents routed from their wording, and image inputs rejected.</summary>
public sealed class TextServingTests : IDisposable
{
    private static readonly Dictionary<string, string[]> Intents = new()
    {
        ["refund"] = new[] { "I want my money back", "how do I get a refund", "refund my order please", "the refund has not arrived" },
        ["delivery"] = new[] { "where is my parcel", "the package is late", "track my delivery", "when will my order ship" },
        ["account"] = new[] { "I forgot my password", "my account is locked", "change the email on my account", "I cannot log in" },
    };

    private readonly TemporaryFolder folder = new();

    public void Dispose() => folder.Dispose();

    [Fact]
    public async Task TextInputs_AreRoutedToTheirIntent()
    {
        var table = new StringBuilder("text,label\n");
        foreach ((string intent, string[] phrases) in Intents)
        {
            foreach (string phrase in phrases)
            {
                foreach (string prefix in new[] { "", "hello, ", "hi there, ", "excuse me, ", "good morning, " })
                {
                    table.Append('"').Append(prefix).Append(phrase).Append("\",").Append(intent).Append('\n');
                }
            }
        }
        string data = folder.Combine("intents.csv");
        File.WriteAllText(data, table.ToString());
        string model = folder.Combine("model");
        TrainingRun.Start(new TrainingOptions
        {
            Data = data,
            Model = "fasttext",
            Epochs = 30,
            LearningRate = 0.05,
            BatchSize = 8,
            Patience = 0,
            Threads = 1,
            TensorBoard = false,
            Text = new TextDataOptions { MinCount = 1, VocabularySize = 4096 },
        }, model, NullTrainingObserver.Instance, CancellationToken.None);
        await using RunningServer server = await RunningServer.StartAsync(new ServeOptions { ModelDirectory = model, PredictionLogEnabled = false });

        var body = new JsonObject
        {
            ["inputs"] = new JsonArray(
                new JsonObject { ["text"] = "please refund my order" },
                new JsonObject { ["text"] = "where is the parcel" },
                new JsonObject { ["text"] = "my password is forgotten" }),
        };
        (int status, JsonNode? answer) = await ServerTestData.PostAsync(server.Client, body);
        (int imageStatus, JsonNode? problem) = await ServerTestData.PostAsync(server.Client, ServerTestData.ImageBody(new[] { new byte[] { 1, 2, 3 } }));

        Assert.Equal(200, status);
        Assert.Equal(new[] { "refund", "delivery", "account" }, answer!["predictions"]!.AsArray().Select(p => p!["label"]!.GetValue<string>()).ToArray());
        Assert.Equal(400, imageStatus);
        Assert.Equal("wrong_input_kind", problem!["reason"]!.GetValue<string>());
        Assert.Contains("reads text", problem["detail"]!.GetValue<string>());
    }
}
