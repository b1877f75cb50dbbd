using System.Collections.Concurrent;
using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Negentropy.Tests.Monitoring;

/// <summary>A Kestrel server on 127.0.0.1 and a free port that records POSTs to /alerts and replies with scripted statuses.</summary>
internal sealed class AlertListener : IAsyncDisposable
{
    private readonly WebApplication app;
    private readonly ConcurrentQueue<(string Body, string? ContentType)> requests = new();

    private AlertListener(WebApplication app, Uri url)
    {
        this.app = app;
        Url = url;
    }

    public Uri Url { get; }

    public IReadOnlyList<(string Body, string? ContentType)> Requests => requests.ToArray();

    /// <param name="respond">Returns the status for the n-th request (1-based) after an optional delay.</param>
    public static async Task<AlertListener> StartAsync(Func<int, CancellationToken, Task<int>> respond)
    {
        WebApplicationBuilder builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseKestrel(options => options.Listen(IPAddress.Loopback, 0));
        builder.Logging.ClearProviders();
        WebApplication app = builder.Build();
        AlertListener? listener = null;
        int count = 0;
        app.MapPost("/alerts", async (HttpContext context) =>
        {
            using var reader = new StreamReader(context.Request.Body);
            string body = await reader.ReadToEndAsync(context.RequestAborted);
            listener!.requests.Enqueue((body, context.Request.ContentType));
            context.Response.StatusCode = await respond(Interlocked.Increment(ref count), context.RequestAborted);
        });
        await app.StartAsync();
        string address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.Single();
        listener = new AlertListener(app, new Uri(new Uri(address), "/alerts"));
        return listener;
    }

    public static Task<AlertListener> StartAsync(params int[] statuses) =>
        StartAsync((n, _) => Task.FromResult(statuses[Math.Min(n, statuses.Length) - 1]));

    public async ValueTask DisposeAsync()
    {
        await app.StopAsync();
        await app.DisposeAsync();
    }
}
