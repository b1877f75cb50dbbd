using System.Collections.Concurrent;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Negentropy.Tests.Serving;

/// <summary>A webhook receiver on 127.0.0.1 that keeps every JSON body posted to /alerts.</summary>
public sealed class LoopbackWebhook : IAsyncDisposable
{
    private readonly WebApplication app;

    private LoopbackWebhook(WebApplication app, ConcurrentQueue<JsonNode> received)
    {
        this.app = app;
        Received = received;
    }

    public ConcurrentQueue<JsonNode> Received { get; }

    public string Url => app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.Single() + "/alerts";

    public static async Task<LoopbackWebhook> StartAsync()
    {
        WebApplicationBuilder builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Logging.ClearProviders();
        WebApplication app = builder.Build();
        var received = new ConcurrentQueue<JsonNode>();
        app.MapPost("/alerts", async (HttpRequest request) =>
        {
            received.Enqueue((await JsonNode.ParseAsync(request.Body))!);
            return Results.Ok();
        });
        await app.StartAsync();
        return new LoopbackWebhook(app, received);
    }

    public async ValueTask DisposeAsync()
    {
        await app.StopAsync();
        await app.DisposeAsync();
    }
}
