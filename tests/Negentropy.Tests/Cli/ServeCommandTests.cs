using System.Diagnostics;
using System.Net.Sockets;
using Negentropy.Tests.Serving;
using Xunit;

namespace Negentropy.Tests.Cli;

/// <summary><c>negentropy serve</c> as a process: start, predict, stop on SIGTERM, and one-line errors for bad start-up input.</summary>
[Collection(ServingCollection.Name)]
public sealed class ServeCommandTests(ServingFixture fixture)
{
    [Fact]
    public async Task Serve_StopsCleanlyOnSigterm()
    {
        string logDb = Path.Combine(fixture.NewFolder(), "log.db");
        using Process process = Process.Start(CliProcess.StartInfo("serve", "--model", fixture.ModelDirectory, "--urls", "http://127.0.0.1:0", "--log-db", logDb, "--threads", "1"))!;
        Task<string> errors = process.StandardError.ReadToEndAsync();
        try
        {
            string? line;
            string? address = null;
            while (address is null && (line = await process.StandardOutput.ReadLineAsync().WaitAsync(TimeSpan.FromSeconds(60))) is not null)
            {
                if (line.StartsWith("serving on ", StringComparison.Ordinal))
                {
                    address = line["serving on ".Length..].Split(';')[0].Split(',')[0].Trim();
                }
            }
            Assert.NotNull(address);
            Assert.StartsWith("http://127.0.0.1:", address);
            using var client = new HttpClient { BaseAddress = new Uri(address) };
            Assert.Equal("ok\n", await client.GetStringAsync("/healthz"));
            (int status, _) = await ServerTestData.PostAsync(client, ServerTestData.PixelsBody(new[] { fixture.Pixels(0) }));
            Assert.Equal(200, status);
        }
        finally
        {
            using Process kill = Process.Start("kill", $"-TERM {process.Id}");
            kill.WaitForExit();
        }
        Assert.True(process.WaitForExit(30_000), "serve did not stop within 30 s of SIGTERM");
        Assert.True(process.ExitCode == 0, $"exit {process.ExitCode}: {await errors}");
        Assert.True(File.Exists(logDb), "the prediction log was not written");
        Assert.DoesNotContain("checkpoint", await errors);
    }

    [Fact]
    public void MissingModelFolder_FailsWithOneLine()
    {
        CliProcess.Outcome outcome = CliProcess.Run("serve", "--model", Path.Combine(fixture.NewFolder(), "absent"));

        Assert.Equal(2, outcome.ExitCode);
        Assert.Single(outcome.ErrorLines);
        Assert.Contains("--model", outcome.Error);
        Assert.Contains("folder not found", outcome.Error);
    }

    [Fact]
    public void ModelPathIsAFile_FailsWithOneLine()
    {
        string file = Path.Combine(fixture.NewFolder(), "model.png");
        File.WriteAllBytes(file, new byte[] { 1 });

        CliProcess.Outcome outcome = CliProcess.Run("serve", "--model", file);

        Assert.Equal(2, outcome.ExitCode);
        Assert.Single(outcome.ErrorLines);
        Assert.Contains($"--model {file} is a file", outcome.Error);
    }

    [Fact]
    public void FolderWithoutModel_FailsWithOneLine()
    {
        CliProcess.Outcome outcome = CliProcess.Run("serve", "--model", fixture.NewFolder());

        Assert.Equal(2, outcome.ExitCode);
        Assert.Single(outcome.ErrorLines);
        Assert.Contains("model.json", outcome.Error);
    }

    [Fact]
    public void InvalidOptions_AreListedTogether()
    {
        CliProcess.Outcome outcome = CliProcess.Run("serve", "--model", fixture.ModelDirectory, "--max-batch-size", "0", "--urls", "ftp://127.0.0.1:21", "--abstain-threshold", "-1");

        Assert.Equal(2, outcome.ExitCode);
        Assert.Single(outcome.ErrorLines);
        Assert.Contains("--max-batch-size 0", outcome.Error);
        Assert.Contains("--urls ftp://127.0.0.1:21", outcome.Error);
        Assert.Contains("--abstain-threshold -1", outcome.Error);
    }

    [Fact]
    public void BadAlertFile_NamesTheFile()
    {
        string alerts = Path.Combine(fixture.NewFolder(), "alerts.json");
        File.WriteAllText(alerts, "{\"rules\": [{\"name\": \"x\", \"metric\": \"no_such_metric\", \"above\": 1}]}");

        CliProcess.Outcome outcome = CliProcess.Run("serve", "--model", fixture.ModelDirectory, "--alerts", alerts, "--no-log");

        Assert.Equal(2, outcome.ExitCode);
        Assert.Single(outcome.ErrorLines);
        Assert.Contains(alerts, outcome.Error);
        Assert.Contains("no_such_metric", outcome.Error);
    }

    [Fact]
    public void PortInUse_FailsWithOneLine()
    {
        using var occupied = new TcpListener(System.Net.IPAddress.Loopback, 0);
        occupied.Start();
        int port = ((System.Net.IPEndPoint)occupied.LocalEndpoint).Port;

        CliProcess.Outcome outcome = CliProcess.Run("serve", "--model", fixture.ModelDirectory, "--urls", $"http://127.0.0.1:{port}", "--no-log");

        Assert.Equal(2, outcome.ExitCode);
        Assert.Single(outcome.ErrorLines);
        Assert.Contains($"127.0.0.1:{port}", outcome.Error);
        Assert.Contains("free port", outcome.Error);
    }

    [Fact]
    public void UnknownPrecision_FailsWithOneLine()
    {
        CliProcess.Outcome outcome = CliProcess.Run("serve", "--model", fixture.ModelDirectory, "--no-log", "--precision", "int8");

        Assert.Equal(2, outcome.ExitCode);
        Assert.Equal("error: --precision int8 is unknown: expected fp32 or bf16", Assert.Single(outcome.ErrorLines));
    }

    [Fact]
    public void CpuWithoutBf16_FailsWithOneLine()
    {
        string cpuInfo = Path.Combine(fixture.NewFolder(), "cpuinfo");
        File.WriteAllText(cpuInfo, "processor\t: 0\nflags\t\t: fpu sse2 avx2\n");
        var environment = new Dictionary<string, string> { ["NEGENTROPY_CPUINFO"] = cpuInfo };

        CliProcess.Outcome outcome = CliProcess.Run(TimeSpan.FromMinutes(2), environment,
            "serve", "--model", fixture.ModelDirectory, "--urls", "http://127.0.0.1:0", "--no-log", "--precision", "bf16");

        Assert.Equal(2, outcome.ExitCode);
        Assert.Equal($"error: --precision bf16 needs a CPU with AVX-512 BF16 or AMX-BF16, but the flags in {cpuInfo} have neither avx512_bf16 nor amx_bf16, so oneDNN would emulate bfloat16 slowly; use --precision fp32",
            Assert.Single(outcome.ErrorLines));
    }
}
