using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Negentropy.Monitoring;

namespace Negentropy.Serving;

/// <summary>POST /v1/predict: validates the body, queues the inputs for the micro-batcher and builds the response.</summary>
public sealed class PredictEndpoint
{
    /// <summary>A rejected body is read and discarded up to this many times the size limit (at least 1 MiB) before the connection is closed.</summary>
    private const int DrainFactor = 4;

    private static readonly TimeSpan DrainTimeout = TimeSpan.FromSeconds(5);

    private readonly ModelHolder holder;
    private readonly MicroBatcher batcher;
    private readonly ServeOptions options;
    private readonly ServingMetrics metrics;
    private readonly RejectionLog rejections;
    private readonly ServingMonitor monitor;
    private readonly TimeProvider time;

    public PredictEndpoint(ModelHolder holder, MicroBatcher batcher, ServeOptions options, ServingMetrics metrics, RejectionLog rejections,
        ServingMonitor monitor, TimeProvider time)
    {
        this.holder = holder;
        this.batcher = batcher;
        this.options = options;
        this.metrics = metrics;
        this.rejections = rejections;
        this.monitor = monitor;
        this.time = time;
    }

    public async Task<IResult> HandleAsync(HttpContext context)
    {
        long started = Stopwatch.GetTimestamp();
        (int? topK, InputError? queryError) = ReadTopK(context.Request.Query["top_k"]);
        if (queryError is not null)
        {
            return Reject(queryError);
        }
        // This handler enforces the size limit itself: Kestrel's limit ends the connection mid-body, and a
        // client still sending then gets a reset instead of the 413.
        if (context.Features.Get<IHttpMaxRequestBodySizeFeature>() is { IsReadOnly: false } sizeLimit)
        {
            sizeLimit.MaxRequestBodySize = null;
        }
        if (context.Request.ContentLength > options.MaxBodyBytes)
        {
            await DrainAsync(context).ConfigureAwait(false);
            return Reject(TooLarge(context.Request.ContentLength.Value));
        }

        JsonDocument body;
        try
        {
            body = await JsonDocument.ParseAsync(new BoundedReadStream(context.Request.Body, options.MaxBodyBytes), default, context.RequestAborted).ConfigureAwait(false);
        }
        catch (JsonException exception)
        {
            return Reject(new InputError(400, "malformed_json",
                FormattableString.Invariant($"the body is not valid JSON: {FirstSentence(exception.Message)} (line {exception.LineNumber + 1}, byte {exception.BytePositionInLine + 1})")));
        }
        catch (BodyTooLargeException)
        {
            await DrainAsync(context).ConfigureAwait(false);
            return Reject(TooLarge(null));
        }

        using (body)
        {
            ServedModel model = holder.Acquire();
            try
            {
                (IReadOnlyList<ModelInput>? inputs, InputError? error) = PredictRequestReader.Read(body, model, options.MaxInputs);
                if (error is not null)
                {
                    return Reject(error);
                }
                RawPrediction[] predictions = await batcher.PredictAsync(model, inputs!).ConfigureAwait(false);
                double latencyMs = Stopwatch.GetElapsedTime(started).TotalMilliseconds;
                return Results.Json(Shape(model, inputs!, predictions, topK, latencyMs));
            }
            finally
            {
                model.Release();
            }
        }
    }

    private PredictResponse Shape(ServedModel model, IReadOnlyList<ModelInput> inputs, RawPrediction[] results, int? topK, double latencyMs)
    {
        DateTimeOffset now = time.GetUtcNow();
        var predictions = new PredictionOutput[results.Length];
        for (int i = 0; i < results.Length; i++)
        {
            RawPrediction result = results[i];
            string label = model.ClassNames[result.ClassIndex];
            bool abstain = result.EntropyBits > model.AbstainThresholdBits;
            var probabilities = new OrderedDictionary<string, double>();
            foreach (int k in Enumerable.Range(0, result.Probs.Length).OrderByDescending(k => result.Probs[k]).ThenBy(k => k).Take(topK ?? result.Probs.Length))
            {
                probabilities.Add(model.ClassNames[k], result.Probs[k]);
            }
            predictions[i] = new PredictionOutput(label, probabilities, result.EntropyBits, result.EntropyBits / model.MaxEntropyBits, abstain);
            metrics.RecordPrediction(label, result.EntropyBits, abstain);
            monitor.Observe(model, new PredictionRecord(now, inputs[i].InputHash, result.ClassIndex, label, result.EntropyBits, abstain, latencyMs, model.Name, model.Version));
        }
        return new PredictResponse(new ModelInfo(model.Name, model.Version), predictions);
    }

    private (int? TopK, InputError? Error) ReadTopK(Microsoft.Extensions.Primitives.StringValues values)
    {
        if (values.Count == 0)
        {
            return (null, null);
        }
        int numClasses = holder.Current.ClassNames.Count;
        if (values.Count == 1 && ulong.TryParse(values[0], NumberStyles.None, CultureInfo.InvariantCulture, out ulong topK) && topK >= 1)
        {
            // More than the class count returns every class.
            return ((int)Math.Min(topK, (ulong)numClasses), null);
        }
        return (null, new InputError(400, "bad_top_k", $"top_k={string.Join(",", values.ToArray())} is not a whole number of at least 1; pass top_k=1 to {numClasses} (larger values return every class) or leave it out"));
    }

    // Reads and discards what is left of a rejected body, up to DrainLimit bytes and DrainTimeout, so the
    // client gets to read the response. A client that sent "Expect: 100-continue" is waiting for the response
    // before it sends the body, so nothing is read from it.
    private async Task DrainAsync(HttpContext context)
    {
        if (context.Request.Headers.Expect.ToString().Contains("100-continue", StringComparison.OrdinalIgnoreCase))
        {
            context.Response.Headers.Connection = "close";
            return;
        }
        long limit = Math.Max(options.MaxBodyBytes, 1 << 20) * DrainFactor;
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(context.RequestAborted);
        timeout.CancelAfter(DrainTimeout);
        byte[] buffer = System.Buffers.ArrayPool<byte>.Shared.Rent(1 << 16);
        try
        {
            long drained = 0;
            int read;
            while ((read = await context.Request.Body.ReadAsync(buffer, timeout.Token).ConfigureAwait(false)) > 0)
            {
                drained += read;
                if (drained > limit)
                {
                    context.Response.Headers.Connection = "close";
                    return;
                }
            }
        }
        catch (Exception exception) when (exception is OperationCanceledException or IOException or BadHttpRequestException)
        {
            context.Response.Headers.Connection = "close";
        }
        finally
        {
            System.Buffers.ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    private InputError TooLarge(long? length) => new(413, "body_too_large", length is long bytes
        ? FormattableString.Invariant($"the body is {bytes} bytes, more than the {options.MaxBodyBytes} this server reads; send fewer inputs per request or raise --max-body-bytes")
        : FormattableString.Invariant($"the body is more than the {options.MaxBodyBytes} bytes this server reads; send fewer inputs per request or raise --max-body-bytes"));

    private IResult Reject(InputError error)
    {
        metrics.Rejected.WithLabels(error.Reason).Inc();
        rejections.Record(error);
        var extensions = new Dictionary<string, object?> { ["reason"] = error.Reason };
        if (error.InputIndex is int index)
        {
            extensions["input_index"] = index;
        }
        return Results.Problem(detail: error.Detail, statusCode: error.Status, title: Title(error.Status), extensions: extensions);
    }

    private static string Title(int status) => status switch
    {
        413 => "Request body too large",
        _ => "Invalid predict request",
    };

    // System.Text.Json appends the path and position, which the message gives separately.
    private static string FirstSentence(string message)
    {
        int end = message.IndexOf(". ", StringComparison.Ordinal);
        return end < 0 ? message.TrimEnd('.') : message[..end];
    }
}
