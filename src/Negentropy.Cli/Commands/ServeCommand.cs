using System.CommandLine;
using Negentropy.Models;
using Negentropy.Serving;

namespace Negentropy.Cli.Commands;

/// <summary><c>negentropy serve --model DIR</c>: serves predictions over HTTP until Ctrl-C or SIGTERM.</summary>
public sealed class ServeCommand
{
    private readonly Option<string> model = new("--model") { Description = "The --out folder of a finished training run", Required = true };
    private readonly Option<string> urls = new("--urls")
    {
        Description = $"Addresses to listen on, separated by ';' (default {ServeOptions.DefaultUrls}: this machine only)",
        DefaultValueFactory = _ => ServeOptions.DefaultUrls,
    };
    private readonly Option<int> maxBatchSize = NumberOptions.Integer("--max-batch-size", $"Most inputs per forward pass (default {ServeOptions.DefaultMaxBatchSize})", ServeOptions.DefaultMaxBatchSize);
    private readonly Option<double> maxBatchDelay = NumberOptions.Real("--max-batch-delay-ms", $"How long a batch waits for more inputs, in ms (default {ServeOptions.DefaultMaxBatchDelayMs})", ServeOptions.DefaultMaxBatchDelayMs);
    private readonly Option<int> maxInputs = NumberOptions.Integer("--max-inputs", $"Most inputs per request (default {ServeOptions.DefaultMaxInputs})", ServeOptions.DefaultMaxInputs);
    private readonly Option<int> maxBodyBytes = NumberOptions.Integer("--max-body-bytes", $"Largest request body; larger ones get 413 (default {ServeOptions.DefaultMaxBodyBytes})", (int)ServeOptions.DefaultMaxBodyBytes);
    private readonly Option<double?> abstainThreshold = NumberOptions.OptionalReal("--abstain-threshold", "Entropy in bits above which predictions are flagged abstain (default: the threshold chosen at training time, in model.json)");
    private readonly Option<double> reloadSeconds = NumberOptions.Real("--reload-seconds", $"How often to check the model folder for a new model; 0 turns reloading off (default {ServeOptions.DefaultReloadSeconds})", ServeOptions.DefaultReloadSeconds);
    private readonly Option<string?> alerts = new("--alerts") { Description = "Alert rules as JSON (default: class-share PSI above 0.2, entropy PSI above 0.2)" };
    private readonly Option<string?> logDb = new("--log-db") { Description = $"SQLite prediction log (default: {ServeOptions.DefaultLogFileName} in the model folder)" };
    private readonly Option<bool> noLog = new("--no-log") { Description = "Do not log predictions" };
    private readonly Option<int> retentionDays = NumberOptions.Integer("--log-retention-days", $"Days of predictions to keep; 0 keeps all (default {ServeOptions.DefaultLogRetentionDays})", ServeOptions.DefaultLogRetentionDays);
    private readonly Option<int?> threads = NumberOptions.OptionalInteger("--threads", "libtorch threads (default: one per processor)");
    private readonly Option<string> precision = new("--precision")
    {
        Description = "Number format of inference, for the first model and every reloaded one: fp32 or bf16 (bfloat16, faster on CPUs with AVX-512 BF16 or AMX-BF16; not for transformer models)",
        DefaultValueFactory = _ => InferencePrecision.Float32.Name,
    };

    public ServeCommand(Option<bool> verbose)
    {
        Command = new Command("serve", "Serve a trained model over HTTP: predictions with entropy and an abstain flag, Prometheus metrics, drift alerts and a prediction log")
        {
            model, urls, maxBatchSize, maxBatchDelay, maxInputs, maxBodyBytes, abstainThreshold, reloadSeconds, alerts, logDb, noLog, retentionDays, threads, precision,
        };
        Command.SetAction(parseResult => CommandRunner.Run(cancellationToken =>
        {
            var options = new ServeOptions
            {
                ModelDirectory = parseResult.GetValue(model)!,
                Urls = parseResult.GetValue(urls)!,
                MaxBatchSize = parseResult.GetValue(maxBatchSize),
                MaxBatchDelay = TimeSpan.FromMilliseconds(parseResult.GetValue(maxBatchDelay)),
                MaxInputs = parseResult.GetValue(maxInputs),
                MaxBodyBytes = parseResult.GetValue(maxBodyBytes),
                AbstainThreshold = parseResult.GetValue(abstainThreshold),
                ReloadInterval = TimeSpan.FromSeconds(parseResult.GetValue(reloadSeconds)),
                AlertConfigPath = parseResult.GetValue(alerts),
                PredictionLogPath = parseResult.GetValue(logDb),
                PredictionLogEnabled = !parseResult.GetValue(noLog),
                LogRetentionDays = parseResult.GetValue(retentionDays),
                Threads = parseResult.GetValue(threads),
                Precision = InferencePrecision.Parse(parseResult.GetValue(precision)!),
            };
            return Serve(options, cancellationToken).GetAwaiter().GetResult();
        }, parseResult.GetValue(verbose), Console.Error, interruptHint: "the server completed the requests in flight and flushed its prediction log",
            stopping: "completing the requests in flight and flushing the prediction log"));
    }

    public Command Command { get; }

    private static async Task<int> Serve(ServeOptions options, CancellationToken cancellationToken)
    {
        await using ModelServer server = ModelServer.Create(options);
        await server.StartAsync(cancellationToken).ConfigureAwait(false);
        Console.Out.WriteLine($"serving on {string.Join(", ", server.Addresses)}; POST /v1/predict, GET /metrics, /healthz, /readyz, /openapi/v1.json; Ctrl-C stops");
        await server.WaitForShutdownAsync(cancellationToken).ConfigureAwait(false);
        return ExitCodes.Success;
    }
}
