using System.Collections.Concurrent;
using System.Text.Json.Nodes;
using Microsoft.Extensions.Logging;
using Negentropy.Models;
using Negentropy.Reporting;
using Negentropy.Serving;
using TorchSharp;
using Xunit;
using static TorchSharp.torch;

namespace Negentropy.Tests.Serving;

/// <summary>A model folder swapped while clients send requests: no request fails, and a broken model never replaces a working one.</summary>
[Collection(ServingCollection.Name)]
public sealed class HotReloadTests(ServingFixture fixture)
{
    private const int Clients = 6;

    [Fact]
    public async Task Swap_UnderLoad_FailsNoRequest()
    {
        string folder = fixture.CopyModel();
        await using RunningServer server = await RunningServer.StartAsync(new ServeOptions
        {
            ModelDirectory = folder,
            PredictionLogEnabled = false,
            ReloadInterval = TimeSpan.FromMilliseconds(100),
        });
        ModelManifest original = ModelManifest.Read(folder);
        string body = ServerTestData.PixelsBody(Enumerable.Range(0, 4).Select(fixture.Pixels)).ToJsonString();
        var answers = new ConcurrentDictionary<string, double>();
        var failures = new ConcurrentQueue<string>();
        int requests = 0;
        using var stop = new CancellationTokenSource();
        Task[] clients = Enumerable.Range(0, Clients).Select(_ => Task.Run(async () =>
        {
            while (!stop.IsCancellationRequested)
            {
                try
                {
                    (int status, JsonNode? answer) = await ServerTestData.PostAsync(server.Client, body);
                    Interlocked.Increment(ref requests);
                    if (status != 200)
                    {
                        failures.Enqueue($"status {status}: {answer?.ToJsonString()}");
                        continue;
                    }
                    // The first entropy per version is kept: a poll may catch new weights under the old model.json for a moment.
                    answers.TryAdd(answer!["model"]!["version"]!.GetValue<string>(), answer["predictions"]![0]!["entropy_bits"]!.GetValue<double>());
                }
                catch (Exception exception) when (exception is HttpRequestException or TaskCanceledException)
                {
                    failures.Enqueue(exception.Message);
                }
            }
        })).ToArray();

        await WaitFor(() => answers.ContainsKey(original.Version), "the first model's answers");
        // New weights with a new version, written the way training writes them: weights first, then model.json.
        using (nn.Module<Tensor, Tensor> fresh = ModelFactory.Create(original.Spec))
        {
            torch.manual_seed(5);
            SavedModel.Save(folder, original with { Version = "reloaded-1" }, fresh);
        }
        await WaitFor(() => answers.ContainsKey("reloaded-1"), "answers from the reloaded model");
        AtomicFile.WriteAllText(Path.Combine(folder, ModelManifest.FileName), "{ \"format_version\": 1, broken");
        await WaitFor(async () => (await server.Client.GetStringAsync("/metrics")).Contains("negentropy_model_reloads_total{result=\"failed\"} 1"), "the failed reload");
        int afterFailure = Volatile.Read(ref requests);
        await WaitFor(() => Volatile.Read(ref requests) > afterFailure + 20, "answers after the failed reload");
        (original with { Version = "reloaded-2" }).Write(folder);
        await WaitFor(() => answers.ContainsKey("reloaded-2"), "answers after the folder was repaired");
        stop.Cancel();
        await Task.WhenAll(clients);

        Assert.True(failures.IsEmpty, $"{failures.Count} of {requests} requests failed: {string.Join(" | ", failures.Take(3))}");
        Assert.True(requests > 50, $"only {requests} requests were sent");
        Assert.NotEqual(answers[original.Version], answers["reloaded-1"]);
        Assert.Single(server.Logs.Entries, e => e.Level == LogLevel.Error && e.Message.Contains("model reload from"));
        Assert.Contains(server.Logs.Entries, e => e.Message.Contains("-> " + original.Name + " reloaded-2"));
    }

    private static Task WaitFor(Func<bool> condition, string what) => WaitFor(() => Task.FromResult(condition()), what);

    private static async Task WaitFor(Func<Task<bool>> condition, string what)
    {
        DateTime deadline = DateTime.UtcNow.AddSeconds(30);
        while (!await condition())
        {
            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException($"waited 30 s for {what}");
            }
            await Task.Delay(50);
        }
    }
}
