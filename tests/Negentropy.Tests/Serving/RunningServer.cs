using Microsoft.Extensions.Logging;
using Negentropy.Serving;

namespace Negentropy.Tests.Serving;

/// <summary>A started <see cref="ModelServer"/> on a free loopback port, with a client and the captured logs.</summary>
public sealed class RunningServer : IAsyncDisposable
{
    private RunningServer(ModelServer server, CapturedLogs logs, HttpClient client)
    {
        Server = server;
        Logs = logs;
        Client = client;
    }

    public ModelServer Server { get; }

    public CapturedLogs Logs { get; }

    public HttpClient Client { get; }

    /// <summary>Starts a server for <paramref name="options"/> on 127.0.0.1 with a port the system picks.</summary>
    public static async Task<RunningServer> StartAsync(ServeOptions options, TimeProvider? time = null)
    {
        var logs = new CapturedLogs();
        ModelServer server = ModelServer.Create(options with { Urls = "http://127.0.0.1:0" }, logging => logging.AddProvider(logs).SetMinimumLevel(LogLevel.Debug), time);
        await server.StartAsync();
        string address = server.Addresses.Single();
        if (!address.StartsWith("http://127.0.0.1:", StringComparison.Ordinal))
        {
            throw new InvalidOperationException($"the server listens on {address}, not on the loopback address");
        }
        return new RunningServer(server, logs, new HttpClient { BaseAddress = new Uri(address), Timeout = TimeSpan.FromSeconds(60) });
    }

    public async ValueTask DisposeAsync()
    {
        Client.Dispose();
        await Server.StopAsync();
        await Server.DisposeAsync();
    }
}
