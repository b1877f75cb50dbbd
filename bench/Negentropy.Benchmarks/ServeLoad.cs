using System.Diagnostics;
using System.Globalization;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json.Nodes;
using Negentropy.Data;

namespace Negentropy.Benchmarks;

/// <summary>
/// A bounded load test of <c>negentropy serve</c> on 127.0.0.1: starts the server as a child process with a
/// prediction log, sends a fixed number of one-image requests from N concurrent clients, and reports
/// throughput, p50 and p99 latency, errors, and the server's resident memory sampled every second.
/// </summary>
/// <remarks>
/// Usage: --serve-load MODEL_DIR [--clients 8,64] [--requests 20000] [--soak-requests 0] [--server-threads 2].
/// The soak phase, when asked for, runs its requests at the last client count and prints the server's
/// RSS once per minute, to show whether memory stays flat. Everything stops by itself.
/// </remarks>
public static class ServeLoad
{
    public static void Run(string[] args)
    {
        string model = args[1];
        int[] clientCounts = Option(args, "--clients", "8,64").Split(',').Select(s => int.Parse(s, CultureInfo.InvariantCulture)).ToArray();
        int requests = int.Parse(Option(args, "--requests", "20000"), CultureInfo.InvariantCulture);
        int soakRequests = int.Parse(Option(args, "--soak-requests", "0"), CultureInfo.InvariantCulture);
        string serverThreads = Option(args, "--server-threads", "2");
        string root = RepositoryRoot();
        string logFolder = Directory.CreateTempSubdirectory("negentropy-serve-load-").FullName;

        byte[][] bodies = Bodies(256);
        using Process server = StartServer(root, model, serverThreads, Path.Combine(logFolder, "predictions.db"), out string address);
        using var memory = new RssSampler(server.Id);
        using var client = new HttpClient(new SocketsHttpHandler { MaxConnectionsPerServer = 1024 }) { BaseAddress = new Uri(address), Timeout = TimeSpan.FromSeconds(60) };
        try
        {
            Console.WriteLine(FormattableString.Invariant($"server {address} (pid {server.Id}, {serverThreads} libtorch threads), model {model}, log {logFolder}/predictions.db"));
            Phase(client, bodies, 8, 500, "warm-up", memory);
            Console.WriteLine("| clients | requests | seconds | requests/s | p50 ms | p99 ms | errors | server peak RSS MiB |");
            Console.WriteLine("|---:|---:|---:|---:|---:|---:|---:|---:|");
            foreach (int clients in clientCounts)
            {
                Phase(client, bodies, clients, requests, null, memory);
            }
            if (soakRequests > 0)
            {
                Soak(client, bodies, clientCounts[^1], soakRequests, memory);
            }
        }
        finally
        {
            using Process kill = Process.Start("kill", $"-TERM {server.Id}");
            kill.WaitForExit();
            server.WaitForExit(30_000);
        }
        Console.WriteLine(FormattableString.Invariant($"server exit code {server.ExitCode}; prediction log {new FileInfo(Path.Combine(logFolder, "predictions.db")).Length / 1048576.0:F1} MiB"));
    }

    private static void Phase(HttpClient client, byte[][] bodies, int clients, int requests, string? label, RssSampler memory)
    {
        memory.ResetPeak();
        (double seconds, double[] latencies, int errors) = Send(client, bodies, clients, requests, progress: null);
        Array.Sort(latencies);
        if (label is null)
        {
            Console.WriteLine(FormattableString.Invariant(
                $"| {clients} | {requests} | {seconds:F1} | {requests / seconds:F0} | {Percentile(latencies, 0.5):F2} | {Percentile(latencies, 0.99):F2} | {errors} | {memory.PeakMiB:F0} |"));
        }
        else
        {
            Console.WriteLine(FormattableString.Invariant($"{label}: {requests} requests in {seconds:F1} s, {errors} errors"));
        }
    }

    private static void Soak(HttpClient client, byte[][] bodies, int clients, int requests, RssSampler memory)
    {
        Console.WriteLine(FormattableString.Invariant($"soak: {requests} requests at {clients} clients; server RSS each minute:"));
        var started = Stopwatch.StartNew();
        int nextMinute = 1;
        (double seconds, double[] latencies, int errors) = Send(client, bodies, clients, requests, progress: () =>
        {
            if (started.Elapsed.TotalMinutes >= nextMinute)
            {
                Console.WriteLine(FormattableString.Invariant($"  minute {nextMinute}: RSS {memory.CurrentMiB:F0} MiB (peak so far {memory.PeakMiB:F0} MiB)"));
                nextMinute++;
            }
        });
        Array.Sort(latencies);
        Console.WriteLine(FormattableString.Invariant(
            $"soak: {seconds:F0} s, {requests / seconds:F0} requests/s, p50 {Percentile(latencies, 0.5):F2} ms, p99 {Percentile(latencies, 0.99):F2} ms, {errors} errors, final RSS {memory.CurrentMiB:F0} MiB, peak {memory.PeakMiB:F0} MiB"));
    }

    // Each client takes the next request number until the fixed count is reached.
    private static (double Seconds, double[] LatenciesMs, int Errors) Send(HttpClient client, byte[][] bodies, int clients, int requests, Action? progress)
    {
        var latencies = new double[requests];
        int next = -1;
        int errors = 0;
        var wall = Stopwatch.StartNew();
        Task[] workers = Enumerable.Range(0, clients).Select(_ => Task.Run(async () =>
        {
            int index;
            while ((index = Interlocked.Increment(ref next)) < requests)
            {
                long start = Stopwatch.GetTimestamp();
                try
                {
                    using var content = new ByteArrayContent(bodies[index % bodies.Length]);
                    content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
                    using HttpResponseMessage response = await client.PostAsync("/v1/predict", content).ConfigureAwait(false);
                    await response.Content.ReadAsByteArrayAsync().ConfigureAwait(false);
                    if (!response.IsSuccessStatusCode)
                    {
                        Interlocked.Increment(ref errors);
                    }
                }
                catch (Exception exception) when (exception is HttpRequestException or TaskCanceledException)
                {
                    Interlocked.Increment(ref errors);
                }
                latencies[index] = Stopwatch.GetElapsedTime(start).TotalMilliseconds;
            }
        })).ToArray();
        while (!Task.WaitAll(workers, 1000))
        {
            progress?.Invoke();
        }
        return (wall.Elapsed.TotalSeconds, latencies, errors);
    }

    private static double Percentile(double[] sorted, double q) => sorted[Math.Min(sorted.Length - 1, (int)Math.Ceiling(q * sorted.Length) - 1)];

    private static byte[][] Bodies(int count)
    {
        ImageDataset test = FashionMnist.Load().Test;
        return Enumerable.Range(0, count).Select(i =>
        {
            var pixels = new JsonArray(test.Pixels.AsSpan(i * 784, 784).ToArray().Select(p => (JsonNode)JsonValue.Create((int)p)).ToArray());
            var body = new JsonObject { ["inputs"] = new JsonArray(new JsonObject { ["pixels"] = pixels }) };
            return Encoding.UTF8.GetBytes(body.ToJsonString());
        }).ToArray();
    }

    private static Process StartServer(string root, string model, string threads, string logDb, out string address)
    {
        var start = new ProcessStartInfo(Path.Combine(root, "negentropy"))
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (string argument in new[] { "serve", "--model", model, "--urls", "http://127.0.0.1:0", "--threads", threads, "--log-db", logDb })
        {
            start.ArgumentList.Add(argument);
        }
        Process server = Process.Start(start)!;
        server.ErrorDataReceived += (_, e) =>
        {
            if (e.Data is not null)
            {
                Console.Error.WriteLine("server: " + e.Data);
            }
        };
        server.BeginErrorReadLine();
        string? line;
        while ((line = server.StandardOutput.ReadLine()) is not null)
        {
            if (line.StartsWith("serving on ", StringComparison.Ordinal))
            {
                address = line["serving on ".Length..].Split(';')[0].Split(',')[0].Trim();
                // Later lines (startup and shutdown logs) are drained so the pipe never fills.
                Process started = server;
                _ = Task.Run(() =>
                {
                    while (started.StandardOutput.ReadLine() is not null)
                    {
                    }
                });
                return server;
            }
        }
        throw new InvalidOperationException($"negentropy serve exited with code {server.ExitCode} before it listened");
    }

    private static string RepositoryRoot()
    {
        for (string? folder = AppContext.BaseDirectory; folder is not null; folder = Path.GetDirectoryName(folder))
        {
            if (File.Exists(Path.Combine(folder, "Negentropy.slnx")))
            {
                return folder;
            }
        }
        throw new InvalidOperationException("run the benchmark from inside the repository: Negentropy.slnx was not found above " + AppContext.BaseDirectory);
    }

    private static string Option(string[] args, string name, string fallback)
    {
        int index = Array.IndexOf(args, name);
        return index >= 0 && index + 1 < args.Length ? args[index + 1] : fallback;
    }
}
