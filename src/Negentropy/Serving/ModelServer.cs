using System.Globalization;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Negentropy.Models;
using Negentropy.Monitoring;

namespace Negentropy.Serving;

/// <summary>
/// The HTTP service behind <c>negentropy serve</c>: an ASP.NET Core minimal API on Kestrel.
/// </summary>
/// <remarks>
/// Endpoints: POST /v1/predict, GET /v1/model, GET /healthz (the process is up), GET /readyz (a model is
/// loaded and the server is not stopping), GET /metrics (Prometheus text format) and GET /openapi/v1.json.
/// Errors are RFC 7807 problem details. Everything the server needs is checked before it listens, so a bad
/// model folder or alert file fails the start with one message instead of a server that returns errors.
/// </remarks>
public sealed class ModelServer : IAsyncDisposable
{
    private static readonly HashSet<string> KnownPaths = new(StringComparer.Ordinal)
    {
        "/v1/predict", "/v1/model", "/healthz", "/readyz", "/metrics", "/openapi/v1.json",
    };

    private readonly WebApplication app;

    private ModelServer(WebApplication app)
    {
        this.app = app;
    }

    /// <summary>The addresses Kestrel listens on, once started (a port 0 in the options becomes the chosen port).</summary>
    public IReadOnlyList<string> Addresses =>
        app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()?.Addresses.ToArray() ?? Array.Empty<string>();

    public IServiceProvider Services => app.Services;

    /// <summary>Loads the model and alert rules and builds the server without starting it.</summary>
    /// <param name="configureLogging">Replaces the console logger, for tests and embedding hosts.</param>
    /// <param name="time">The clock of the monitor, the prediction log and the reloader (the system clock by default).</param>
    /// <param name="cpu">The CPU that bf16 inference is checked against (<see cref="CpuFeatures.Current"/> by default).</param>
    public static ModelServer Create(ServeOptions options, Action<ILoggingBuilder>? configureLogging = null, TimeProvider? time = null, CpuFeatures? cpu = null)
    {
        options.ThrowIfInvalid();
        options.Precision.EnsureSupported(cpu);
        time ??= TimeProvider.System;
        TorchRuntime.EnsureLoaded();
        TorchSharp.torch.set_num_threads(options.Threads ?? Environment.ProcessorCount);
        ServedModel model = ServedModel.Load(options.ModelDirectory, options.AbstainThreshold, options.Precision);
        var holder = new ModelHolder(model);
        try
        {
            AlertConfig alerts = options.AlertConfigPath is string path ? AlertConfig.Load(path, model.ClassNames) : AlertConfig.Default;
            return new ModelServer(Build(options, holder, alerts, configureLogging, time));
        }
        catch
        {
            holder.Dispose();
            throw;
        }
    }

    /// <summary>Starts listening; throws <see cref="UserInputException"/> when an address is in use or cannot be bound.</summary>
    public async Task StartAsync(CancellationToken cancellationToken = default)
    {
        try
        {
            await app.StartAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (IOException exception)
        {
            throw new UserInputException($"--urls {app.Services.GetRequiredService<ServeOptions>().Urls}: {exception.Message.TrimEnd('.')}; pass a free port", exception);
        }
    }

    /// <summary>Waits until the host shuts down (Ctrl+C, SIGTERM or <see cref="StopAsync"/>).</summary>
    public Task WaitForShutdownAsync(CancellationToken cancellationToken = default) => app.WaitForShutdownAsync(cancellationToken);

    /// <summary>Stops taking requests, completes those in flight, flushes the prediction log and stops.</summary>
    public Task StopAsync(CancellationToken cancellationToken = default) => app.StopAsync(cancellationToken);

    public ValueTask DisposeAsync() => app.DisposeAsync();

    private static WebApplication Build(ServeOptions options, ModelHolder holder, AlertConfig alerts, Action<ILoggingBuilder>? configureLogging, TimeProvider time)
    {
        WebApplicationBuilder builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions
        {
            ApplicationName = "negentropy",
            ContentRootPath = AppContext.BaseDirectory,
            EnvironmentName = Environments.Production,
        });
        builder.WebHost.UseUrls(options.Urls.Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries));
        builder.WebHost.ConfigureKestrel(kestrel =>
        {
            kestrel.AddServerHeader = false;
            kestrel.Limits.MaxRequestBodySize = options.MaxBodyBytes;
        });
        builder.Logging.ClearProviders();
        if (configureLogging is null)
        {
            builder.Logging.AddSimpleConsole(console =>
            {
                console.SingleLine = true;
                console.TimestampFormat = "yyyy-MM-ddTHH:mm:ss.fffZ ";
                console.UseUtcTimestamp = true;
            });
        }
        else
        {
            configureLogging(builder.Logging);
        }
        // Per-request logs from ASP.NET Core would bypass the rate-limited rejection warning.
        builder.Logging.AddFilter("Microsoft.AspNetCore", LogLevel.Warning);
        // The webhook sink logs its own one-line outcome; HttpClient's four lines per attempt add nothing.
        builder.Logging.AddFilter("System.Net.Http.HttpClient", LogLevel.Warning);

        var metrics = new ServingMetrics(holder.Current.ClassNames.Count);
        metrics.SetModel(holder.Current);
        builder.Services.AddSingleton(options);
        builder.Services.AddSingleton(time);
        builder.Services.AddSingleton(holder);
        builder.Services.AddSingleton(metrics);
        builder.Services.AddSingleton(alerts);
        builder.Services.AddSingleton<MicroBatcher>();
        builder.Services.AddSingleton<RejectionLog>();
        builder.Services.AddSingleton<ServingMonitor>();
        builder.Services.AddSingleton<PredictEndpoint>();
        builder.Services.AddHostedService(services => services.GetRequiredService<ServingMonitor>());
        builder.Services.AddSingleton<ModelReloader>();
        builder.Services.AddHostedService(services => services.GetRequiredService<ModelReloader>());
        builder.Services.AddHttpClient(ServingMonitor.WebhookClientName);
        builder.Services.AddProblemDetails(problems => problems.CustomizeProblemDetails = context =>
        {
            // Routing returns these statuses before any handler runs, so the detail states what to send instead.
            context.ProblemDetails.Detail ??= context.ProblemDetails.Status switch
            {
                StatusCodes.Status404NotFound => $"no endpoint at {context.HttpContext.Request.Path}; see /openapi/v1.json for the endpoints",
                StatusCodes.Status405MethodNotAllowed => $"{context.HttpContext.Request.Method} is not allowed on {context.HttpContext.Request.Path}; see /openapi/v1.json",
                StatusCodes.Status415UnsupportedMediaType => $"the body is {context.HttpContext.Request.ContentType}; send application/json",
                _ => null,
            };
        });
        builder.Services.AddOpenApi();

        WebApplication app = builder.Build();
        app.UseExceptionHandler();
        app.UseStatusCodePages();
        app.UseRouting();
        app.Use(async (context, next) =>
        {
            long started = System.Diagnostics.Stopwatch.GetTimestamp();
            bool failed = true;
            try
            {
                await next(context).ConfigureAwait(false);
                failed = false;
            }
            finally
            {
                // A 405 or 415 from routing has no route endpoint, so a known path labels it instead.
                string path = context.Request.Path.Value ?? "";
                string endpoint = (context.GetEndpoint() as RouteEndpoint)?.RoutePattern.RawText ?? (KnownPaths.Contains(path) ? path : "unmatched");
                int status = failed ? StatusCodes.Status500InternalServerError : context.Response.StatusCode;
                metrics.Requests.WithLabels(endpoint, status.ToString(CultureInfo.InvariantCulture)).Inc();
                metrics.RequestDuration.WithLabels(endpoint).Observe(System.Diagnostics.Stopwatch.GetElapsedTime(started).TotalSeconds);
            }
        });
        MapEndpoints(app, holder, metrics);
        LogStartup(app, options, holder.Current, alerts);
        return app;
    }

    private static void MapEndpoints(WebApplication app, ModelHolder holder, ServingMetrics metrics)
    {
        // top_k is bound only so that the OpenAPI document lists it; the handler reads and checks it.
        app.MapPost("/v1/predict", (HttpContext context, PredictEndpoint endpoint, [FromQuery(Name = "top_k")] string? topK) => endpoint.HandleAsync(context))
            .WithName("Predict")
            .WithSummary("Classify inputs, with each prediction's entropy and an abstain flag")
            .WithDescription("Body: {\"inputs\": [{\"text\": ...} | {\"image\": base64 PNG/JPEG} | {\"pixels\": [0-255, ...]}]}. The query parameter top_k limits the probabilities returned.")
            .Accepts<PredictRequest>("application/json")
            .Produces<PredictResponse>(StatusCodes.Status200OK)
            .ProducesProblem(StatusCodes.Status400BadRequest)
            .ProducesProblem(StatusCodes.Status413PayloadTooLarge)
            .ProducesProblem(StatusCodes.Status415UnsupportedMediaType);
        app.MapGet("/v1/model", () => Results.Json(ModelDescription.Of(holder.Current)))
            .WithName("Model")
            .WithSummary("The model being served: name, version, classes, input and abstention threshold")
            .Produces<ModelDescription>();
        app.MapGet("/healthz", () => Results.Text("ok\n"))
            .WithName("Health")
            .WithSummary("200 while the process is up");
        app.MapGet("/readyz", (IHostApplicationLifetime lifetime) => lifetime.ApplicationStopping.IsCancellationRequested
                ? Results.Text("stopping\n", statusCode: StatusCodes.Status503ServiceUnavailable)
                : Results.Text($"ready: {holder.Current.Name} {holder.Current.Version}\n"))
            .WithName("Ready")
            .WithSummary("200 when a model is loaded and the server takes requests, 503 while it stops")
            .Produces<string>(StatusCodes.Status200OK, "text/plain")
            .Produces<string>(StatusCodes.Status503ServiceUnavailable, "text/plain");
        app.MapGet("/metrics", async (HttpContext context, CancellationToken cancellationToken) =>
            {
                context.Response.ContentType = "text/plain; version=0.0.4; charset=utf-8";
                await metrics.Registry.CollectAndExportAsTextAsync(context.Response.Body, cancellationToken).ConfigureAwait(false);
            })
            .WithName("Metrics")
            .WithSummary("Prometheus metrics in text format")
            .Produces<string>(StatusCodes.Status200OK, "text/plain");
        app.MapOpenApi();
    }

    private static void LogStartup(WebApplication app, ServeOptions options, ServedModel model, AlertConfig alerts)
    {
        ILogger logger = app.Services.GetRequiredService<ILoggerFactory>().CreateLogger("Negentropy.Serve");
        var spec = model.Manifest.Spec;
        string input = model.IsText
            ? FormattableString.Invariant($"text, at most {spec.MaxLength} tokens")
            : FormattableString.Invariant($"images {spec.InputChannels}x{spec.InputHeight}x{spec.InputWidth}");
        logger.LogInformation("model {Name} {Version} from {Folder}: {Architecture}, {Classes} classes, {Input}, {Precision} inference",
            model.Name, model.Version, Path.GetFullPath(options.ModelDirectory), spec.Architecture, model.ClassNames.Count, input, model.Precision.Name);
        logger.LogInformation("abstain when entropy > {Threshold:F4} bits (of at most {Max:F4}); threshold from {Source}",
            model.AbstainThresholdBits, model.MaxEntropyBits, model.ThresholdSource);
        if (model.AbstainThresholdBits >= model.MaxEntropyBits)
        {
            logger.LogWarning("the abstention threshold {Threshold} bits is not below log2 of the class count ({Max:F4} bits), so the model never abstains",
                model.AbstainThresholdBits, model.MaxEntropyBits);
        }
        logger.LogInformation("batching up to {Batch} inputs, waiting at most {Delay} ms; at most {Inputs} inputs and {Bytes} bytes per request; {Threads} libtorch threads",
            options.MaxBatchSize, options.MaxBatchDelay.TotalMilliseconds, options.MaxInputs, options.MaxBodyBytes, TorchSharp.torch.get_num_threads());
        logger.LogInformation("monitoring: {Reference}; {Rules} alert rules{Webhook}; prediction log {Log}; reload check {Reload}",
            model.Reference is null ? "no reference.json, so drift is not measured" : $"reference of {model.Reference.Count} validation predictions",
            alerts.Rules.Count, alerts.Webhook is null ? "" : $", webhook {alerts.Webhook.Url.GetLeftPart(UriPartial.Authority)}",
            options.PredictionLogEnabled ? Path.GetFullPath(options.EffectivePredictionLogPath) : "off",
            options.ReloadInterval > TimeSpan.Zero ? $"every {options.ReloadInterval.TotalSeconds:0.###} s" : "off");
    }
}
