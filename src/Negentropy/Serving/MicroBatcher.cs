using System.Diagnostics;
using System.Threading.Channels;
using Microsoft.Extensions.Logging;

namespace Negentropy.Serving;

/// <summary>
/// Gathers inputs from concurrent requests into batches for one inference thread. A batch closes when it
/// contains <see cref="ServeOptions.MaxBatchSize"/> inputs, when its first input has waited
/// <see cref="ServeOptions.MaxBatchDelay"/>, or when the next queued input belongs to another model (after a
/// hot reload); inputs of one request may be split across batches.
/// </summary>
public sealed class MicroBatcher : IDisposable
{
    // Not SingleReader: a timed-out wait leaves its WaitToReadAsync pending while the next one starts.
    private readonly Channel<WorkItem> queue = Channel.CreateUnbounded<WorkItem>(new UnboundedChannelOptions { SingleReader = false });
    private readonly int maxBatchSize;
    private readonly TimeSpan maxDelay;
    private readonly ServingMetrics metrics;
    private readonly ILogger<MicroBatcher> logger;
    private readonly Thread worker;
    private WorkItem? carried;

    public MicroBatcher(ServeOptions options, ServingMetrics metrics, ILogger<MicroBatcher> logger)
    {
        maxBatchSize = options.MaxBatchSize;
        maxDelay = options.MaxBatchDelay;
        this.metrics = metrics;
        this.logger = logger;
        worker = new Thread(Run) { IsBackground = true, Name = "negentropy-inference" };
        worker.Start();
    }

    /// <summary>Queues <paramref name="inputs"/> for <paramref name="model"/>, which the caller holds a reference to, and returns their predictions in order.</summary>
    public Task<RawPrediction[]> PredictAsync(ServedModel model, IReadOnlyList<ModelInput> inputs)
    {
        var pending = new Task<RawPrediction>[inputs.Count];
        for (int i = 0; i < inputs.Count; i++)
        {
            var item = new WorkItem(model, inputs[i]);
            if (!queue.Writer.TryWrite(item))
            {
                throw new InvalidOperationException("the server is shutting down");
            }
            pending[i] = item.Done.Task;
        }
        return Task.WhenAll(pending);
    }

    /// <summary>Stops taking inputs, predicts those already queued, and waits for the inference thread.</summary>
    public void Dispose()
    {
        queue.Writer.TryComplete();
        worker.Join();
    }

    private void Run()
    {
        var batch = new List<WorkItem>(maxBatchSize);
        while (NextBatch(batch))
        {
            try
            {
                RawPrediction[] predictions = batch[0].Model.Predict(batch.Select(item => item.Input).ToArray());
                metrics.BatchSize.Observe(batch.Count);
                for (int i = 0; i < batch.Count; i++)
                {
                    batch[i].Done.TrySetResult(predictions[i]);
                }
            }
            catch (Exception exception)
            {
                // Inputs are validated before they are queued, so this is a fault in the model or libtorch.
                logger.LogError(exception, "inference failed for a batch of {Count} inputs", batch.Count);
                foreach (WorkItem item in batch)
                {
                    item.Done.TrySetException(exception);
                }
            }
        }
    }

    // Fills batch with inputs of one model; returns false once the queue is completed and empty.
    private bool NextBatch(List<WorkItem> batch)
    {
        batch.Clear();
        WorkItem? first = carried ?? Read(Timeout.InfiniteTimeSpan);
        carried = null;
        if (first is null)
        {
            return false;
        }
        batch.Add(first);
        long deadline = Stopwatch.GetTimestamp() + (long)(maxDelay.TotalSeconds * Stopwatch.Frequency);
        while (batch.Count < maxBatchSize)
        {
            TimeSpan remaining = TimeSpan.FromSeconds((deadline - Stopwatch.GetTimestamp()) / (double)Stopwatch.Frequency);
            WorkItem? next = null;
            if (queue.Reader.TryRead(out WorkItem? queued))
            {
                next = queued;
            }
            else if (remaining > TimeSpan.Zero)
            {
                next = Read(remaining);
            }
            if (next is null)
            {
                break;
            }
            if (!ReferenceEquals(next.Model, first.Model))
            {
                carried = next;
                break;
            }
            batch.Add(next);
        }
        return true;
    }

    // Waits up to timeout for one input; null on timeout or when the queue is completed and empty.
    private WorkItem? Read(TimeSpan timeout)
    {
        while (true)
        {
            if (queue.Reader.TryRead(out WorkItem? item))
            {
                return item;
            }
            Task<bool> ready = queue.Reader.WaitToReadAsync().AsTask();
            if (!ready.Wait(timeout) || !ready.Result)
            {
                return null;
            }
        }
    }

    private sealed class WorkItem(ServedModel model, ModelInput input)
    {
        public ServedModel Model { get; } = model;

        public ModelInput Input { get; } = input;

        public TaskCompletionSource<RawPrediction> Done { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
    }
}
