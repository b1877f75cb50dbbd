using System.Text.Json;
using Microsoft.Extensions.Logging;
using Negentropy.Monitoring;
using Xunit;

namespace Negentropy.Tests.Monitoring;

public sealed class WebhookAlertSinkTests : IDisposable
{
    private static readonly Alert SampleAlert = new(
        MonitoringTestData.Start,
        "spam-surge",
        "class_share_z",
        "spam",
        5.25,
        4,
        "above",
        "count",
        500,
        "2025.03.1",
        "spam-surge: class_share_z[spam] = 5.25 is above 4");

    private readonly HttpClient httpClient = new();
    private readonly ListLogger logger = new();

    public void Dispose() => httpClient.Dispose();

    [Fact]
    public async Task Publish_RetriesServerErrorsThenDelivers()
    {
        await using AlertListener listener = await AlertListener.StartAsync(500, 500, 200);
        var sink = new WebhookAlertSink(httpClient, Options(listener, maxAttempts: 4), logger);

        sink.Publish(SampleAlert);
        await sink.DisposeAsync();

        Assert.Equal(3, listener.Requests.Count);
        Assert.Equal(1, sink.DeliveredCount);
        Assert.Equal(0, sink.FailedCount);
        Assert.Equal(2, logger.Entries.Count(entry => entry.Level == LogLevel.Information && entry.Message.Contains("retrying")));
        Assert.DoesNotContain(logger.Entries, entry => entry.Level >= LogLevel.Warning);

        (string body, string? contentType) = listener.Requests[^1];
        Assert.Equal("application/json; charset=utf-8", contentType);
        using JsonDocument document = JsonDocument.Parse(body);
        JsonElement root = document.RootElement;
        Assert.Equal("2025-03-01T12:00:00+00:00", root.GetProperty("timestamp_utc").GetString());
        Assert.Equal("spam-surge", root.GetProperty("rule").GetString());
        Assert.Equal("class_share_z", root.GetProperty("metric").GetString());
        Assert.Equal("spam", root.GetProperty("class_name").GetString());
        Assert.Equal(5.25, root.GetProperty("value").GetDouble());
        Assert.Equal(4, root.GetProperty("threshold").GetDouble());
        Assert.Equal("above", root.GetProperty("comparison").GetString());
        Assert.Equal("count", root.GetProperty("window").GetString());
        Assert.Equal(500, root.GetProperty("window_count").GetInt32());
        Assert.Equal("2025.03.1", root.GetProperty("model_version").GetString());
        Assert.Equal(SampleAlert.Message, root.GetProperty("message").GetString());
        Assert.Equal(11, root.EnumerateObject().Count());
    }

    [Fact]
    public async Task Publish_GivesUpAfterMaxAttempts()
    {
        await using AlertListener listener = await AlertListener.StartAsync(503);
        var sink = new WebhookAlertSink(httpClient, Options(listener, maxAttempts: 3), logger);

        sink.Publish(SampleAlert);
        await sink.DisposeAsync();

        Assert.Equal(3, listener.Requests.Count);
        Assert.Equal(0, sink.DeliveredCount);
        Assert.Equal(1, sink.FailedCount);
        string warning = Assert.Single(logger.Entries, entry => entry.Level == LogLevel.Warning).Message;
        Assert.Contains("gave up on alert spam-surge after 3 attempts", warning);
        Assert.Contains("HTTP 503", warning);
        Assert.DoesNotContain("/alerts", warning);
    }

    [Fact]
    public async Task Publish_DoesNotRetryClientError()
    {
        await using AlertListener listener = await AlertListener.StartAsync(400);
        var sink = new WebhookAlertSink(httpClient, Options(listener, maxAttempts: 4), logger);

        sink.Publish(SampleAlert);
        await sink.DisposeAsync();

        Assert.Single(listener.Requests);
        Assert.Equal(1, sink.FailedCount);
        Assert.Contains("HTTP 400", Assert.Single(logger.Entries, entry => entry.Level == LogLevel.Warning).Message);
    }

    [Fact]
    public async Task Publish_RetriesTimeoutAndTooManyRequests()
    {
        await using AlertListener listener = await AlertListener.StartAsync(async (n, aborted) =>
        {
            if (n == 1)
            {
                await Task.Delay(TimeSpan.FromSeconds(30), aborted).ContinueWith(_ => { });
            }
            return n == 2 ? 429 : 204;
        });
        var options = Options(listener, maxAttempts: 3) with { Timeout = TimeSpan.FromMilliseconds(300) };
        var sink = new WebhookAlertSink(httpClient, options, logger);

        sink.Publish(SampleAlert);
        await sink.DisposeAsync();

        Assert.Equal(3, listener.Requests.Count);
        Assert.Equal(1, sink.DeliveredCount);
        Assert.Contains(logger.Entries, entry => entry.Message.Contains("timed out after 300 ms"));
        Assert.Contains(logger.Entries, entry => entry.Message.Contains("HTTP 429"));
    }

    [Fact]
    public async Task DisposeAsync_StopsAtDrainDeadline()
    {
        await using AlertListener listener = await AlertListener.StartAsync(async (_, aborted) =>
        {
            await Task.Delay(TimeSpan.FromSeconds(30), aborted).ContinueWith(_ => { });
            return 200;
        });
        var sink = new WebhookAlertSink(httpClient, Options(listener, maxAttempts: 1), logger, drainTimeout: TimeSpan.FromMilliseconds(300));
        sink.Publish(SampleAlert);
        sink.Publish(SampleAlert with { Rule = "second" });

        var started = DateTime.UtcNow;
        await sink.DisposeAsync();
        TimeSpan elapsed = DateTime.UtcNow - started;

        Assert.True(elapsed < TimeSpan.FromSeconds(10), $"dispose took {elapsed}");
        Assert.Equal(0, sink.DeliveredCount);
        Assert.Equal(2, sink.FailedCount);
        Assert.Contains("2 alerts undelivered", Assert.Single(logger.Entries, entry => entry.Level == LogLevel.Warning).Message);
    }

    [Fact]
    public async Task Publish_AfterDisposeCountsFailure()
    {
        await using AlertListener listener = await AlertListener.StartAsync(200);
        var sink = new WebhookAlertSink(httpClient, Options(listener, maxAttempts: 1), logger);
        await sink.DisposeAsync();

        sink.Publish(SampleAlert);
        sink.Publish(SampleAlert);

        Assert.Equal(2, sink.FailedCount);
        Assert.Single(logger.Entries, entry => entry.Level == LogLevel.Warning);
        Assert.Empty(listener.Requests);
    }

    [Fact]
    public void LoggingSink_WritesOneWarning()
    {
        new LoggingAlertSink(logger).Publish(SampleAlert);

        (LogLevel level, string message, _) = Assert.Single(logger.Entries);
        Assert.Equal(LogLevel.Warning, level);
        Assert.Contains("Drift alert spam-surge fired: class_share_z spam = 5.25 is above 4 over the count window of 500 predictions", message);
        Assert.DoesNotContain('\n', message);
    }

    private static WebhookOptions Options(AlertListener listener, int maxAttempts) =>
        new(listener.Url, maxAttempts, TimeSpan.FromMilliseconds(20), TimeSpan.FromSeconds(5));
}
