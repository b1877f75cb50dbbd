using System.Security.Cryptography;
using System.Text.Json.Nodes;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Logging;
using Negentropy.Reporting;
using Negentropy.Serving;
using Negentropy.Tests.Monitoring;
using Xunit;

namespace Negentropy.Tests.Serving;

/// <summary>/metrics, the prediction log and an alert fired by a surge of one class, end to end.</summary>
[Collection(ServingCollection.Name)]
public sealed class MonitoringTests(ServingFixture fixture)
{
    [Fact]
    public async Task Metrics_CountPredictions()
    {
        string alerts = WriteAlerts(fixture.NewFolder(), webhookUrl: null);
        await using RunningServer server = await RunningServer.StartAsync(new ServeOptions { ModelDirectory = fixture.ModelDirectory, PredictionLogEnabled = false, AlertConfigPath = alerts });
        ModelManifest manifest = ModelManifest.Read(fixture.ModelDirectory);
        var labels = new List<string>();
        for (int request = 0; request < 6; request++)
        {
            (int status, JsonNode? body) = await ServerTestData.PostAsync(server.Client, ServerTestData.PixelsBody(Enumerable.Range(request * 10, 10).Select(fixture.Pixels)));
            Assert.Equal(200, status);
            labels.AddRange(body!["predictions"]!.AsArray().Select(p => p!["label"]!.GetValue<string>()));
        }
        await ServerTestData.PostAsync(server.Client, "{}");
        await Task.Delay(400);

        string metrics = await server.Client.GetStringAsync("/metrics");

        foreach (IGrouping<string, string> group in labels.GroupBy(label => label))
        {
            Assert.Contains($"negentropy_predictions_total{{class=\"{group.Key}\"}} {group.Count()}\n", metrics);
        }
        Assert.Contains($"negentropy_prediction_entropy_bits_count {labels.Count}\n", metrics);
        Assert.Contains("negentropy_http_requests_total{endpoint=\"/v1/predict\",status=\"200\"} 6\n", metrics);
        Assert.Contains("negentropy_http_requests_total{endpoint=\"/v1/predict\",status=\"400\"} 1\n", metrics);
        Assert.Contains("negentropy_http_request_duration_seconds_bucket{endpoint=\"/v1/predict\",le=\"+Inf\"} 7\n", metrics);
        Assert.Contains($"negentropy_model_info{{name=\"{manifest.Name}\",version=\"{manifest.Version}\"}} 1\n", metrics);
        Assert.Contains("negentropy_abstentions_total ", metrics);
        Assert.Contains("negentropy_window_predictions{window=\"count\"} 60\n", metrics);
        Assert.Contains("negentropy_drift_score{window=\"count\",metric=\"class_psi\"} ", metrics);
        Assert.Contains("negentropy_drift_score{window=\"time\",metric=\"entropy_ks_p\"} ", metrics);
        Assert.Contains("negentropy_abstention_rate{window=\"count\"} ", metrics);
        Assert.Contains("negentropy_class_share_z{window=\"count\",class=\"Trouser\"} ", metrics);
        Assert.Contains("negentropy_batch_size_sum 60\n", metrics);
    }

    [Fact]
    public async Task ClassSurge_FiresAlert()
    {
        await using AlertListener webhook = await AlertListener.StartAsync(200);
        string folder = fixture.NewFolder();
        string database = Path.Combine(folder, "predictions.db");
        await using (RunningServer server = await RunningServer.StartAsync(new ServeOptions
        {
            ModelDirectory = fixture.ModelDirectory,
            PredictionLogPath = database,
            AlertConfigPath = WriteAlerts(folder, webhook.Url.ToString()),
        }))
        {
            // A mixed stream like the validation split first: the rule must stay quiet.
            await PostImages(server, Enumerable.Range(0, 100));
            await Task.Delay(500);
            Assert.Empty(webhook.Requests);

            int[] trousers = Enumerable.Range(0, ServingFixture.TestImages).Where(i => fixture.Test.Labels[i] == 1).ToArray();
            await PostImages(server, Enumerable.Range(0, 100).Select(i => trousers[i % trousers.Length]));
            DateTime deadline = DateTime.UtcNow.AddSeconds(20);
            while (webhook.Requests.Count == 0 && DateTime.UtcNow < deadline)
            {
                await Task.Delay(50);
            }

            Assert.True(webhook.Requests.Count == 1, $"the webhook got {webhook.Requests.Count} posts");
            JsonNode alert = JsonNode.Parse(webhook.Requests.Single().Body)!;
            Assert.Equal("trouser-surge", alert["rule"]!.GetValue<string>());
            Assert.Equal("class_share_z", alert["metric"]!.GetValue<string>());
            Assert.Equal("Trouser", alert["class_name"]!.GetValue<string>());
            Assert.True(alert["value"]!.GetValue<double>() > 4);
            Assert.Contains("negentropy_alerts_total{rule=\"trouser-surge\"} 1\n", await server.Client.GetStringAsync("/metrics"));
            Assert.Contains(server.Logs.Entries, e => e.Level == LogLevel.Warning && e.Message.Contains("trouser-surge"));
        }

        // The server has stopped, so the log is flushed.
        using var connection = new SqliteConnection($"Data Source={database};Mode=ReadOnly;Pooling=False");
        connection.Open();
        Assert.Equal(200L, Scalar(connection, "SELECT COUNT(*) FROM predictions"));
        Assert.Equal("trouser-surge", Scalar(connection, "SELECT rule FROM alerts"));
        string expectedHash = Convert.ToHexStringLower(SHA256.HashData(fixture.Pixels(0)));
        Assert.Equal(expectedHash, Scalar(connection, "SELECT input_hash FROM predictions ORDER BY id LIMIT 1"));
        Assert.Equal(ModelManifest.Read(fixture.ModelDirectory).Version, Scalar(connection, "SELECT DISTINCT model_version FROM predictions"));
    }

    private static object? Scalar(SqliteConnection connection, string sql)
    {
        using SqliteCommand command = connection.CreateCommand();
        command.CommandText = sql;
        return command.ExecuteScalar();
    }

    private async Task PostImages(RunningServer server, IEnumerable<int> indices)
    {
        foreach (int[] chunk in indices.Chunk(10))
        {
            (int status, _) = await ServerTestData.PostAsync(server.Client, ServerTestData.PixelsBody(chunk.Select(fixture.Pixels)));
            Assert.Equal(200, status);
        }
    }

    private static string WriteAlerts(string folder, string? webhookUrl)
    {
        var config = new JsonObject
        {
            ["evaluate_every_seconds"] = 0.1,
            ["windows"] = new JsonObject { ["count"] = 100, ["seconds"] = 600, ["min_count"] = 50 },
            ["cooldown_seconds"] = 300,
            ["rules"] = new JsonArray(new JsonObject { ["name"] = "trouser-surge", ["metric"] = "class_share_z", ["class"] = "Trouser", ["above"] = 4 }),
        };
        if (webhookUrl is not null)
        {
            config["webhook"] = new JsonObject { ["url"] = webhookUrl, ["max_attempts"] = 3, ["initial_backoff_ms"] = 100, ["timeout_ms"] = 5000 };
        }
        string path = Path.Combine(folder, "alerts.json");
        File.WriteAllText(path, config.ToJsonString());
        return path;
    }
}
