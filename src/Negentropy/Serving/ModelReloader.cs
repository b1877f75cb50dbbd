using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Negentropy.Serving;

/// <summary>
/// Polls the model folder and swaps in a new model when its contents change. A change is loaded once
/// two polls in a row see the same new fingerprint, so a folder caught halfway through a copy is not
/// loaded. A model that fails to load is logged once, and the current model keeps serving.
/// </summary>
public sealed class ModelReloader : BackgroundService
{
    private readonly ModelHolder holder;
    private readonly ServeOptions options;
    private readonly ServingMetrics metrics;
    private readonly ILogger<ModelReloader> logger;
    private readonly TimeProvider time;
    private ModelFolderFingerprint? loaded;
    private ModelFolderFingerprint? pending;
    private ModelFolderFingerprint? failed;

    public ModelReloader(ModelHolder holder, ServeOptions options, ServingMetrics metrics, ILogger<ModelReloader> logger, TimeProvider time)
    {
        this.holder = holder;
        this.options = options;
        this.metrics = metrics;
        this.logger = logger;
        this.time = time;
        loaded = ModelFolderFingerprint.Read(options.ModelDirectory);
    }

    /// <summary>Checks the folder once and reloads when it changed; returns true when a new model was swapped in.</summary>
    public bool Poll()
    {
        ModelFolderFingerprint? seen = ModelFolderFingerprint.Read(options.ModelDirectory);
        if (seen is null || seen == loaded || seen == failed)
        {
            pending = null;
            return false;
        }
        if (seen != pending)
        {
            pending = seen;
            return false;
        }

        pending = null;
        ServedModel next;
        try
        {
            next = ServedModel.Load(options.ModelDirectory, options.AbstainThreshold, options.Precision);
        }
        catch (Exception exception)
        {
            // A half-written or foreign folder can throw anything, and the server must keep serving the old model.
            failed = seen;
            metrics.ModelReloads.WithLabels("failed").Inc();
            logger.LogError("model reload from {Folder} failed, still serving {Name} {Version}: {Reason}",
                options.ModelDirectory, holder.Current.Name, holder.Current.Version, exception.Message);
            return false;
        }
        ServedModel previous = holder.Current;
        holder.Swap(next);
        loaded = seen;
        failed = null;
        metrics.ModelReloads.WithLabels("loaded").Inc();
        metrics.SetModel(next);
        logger.LogInformation("model reloaded from {Folder}: {OldName} {OldVersion} -> {Name} {Version}, {Precision} inference",
            options.ModelDirectory, previous.Name, previous.Version, next.Name, next.Version, next.Precision.Name);
        return true;
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (options.ReloadInterval <= TimeSpan.Zero)
        {
            return;
        }
        using var timer = new PeriodicTimer(options.ReloadInterval, time);
        while (await timer.WaitForNextTickAsync(stoppingToken).ConfigureAwait(false))
        {
            try
            {
                Poll();
            }
            catch (Exception exception)
            {
                // An exception here would stop the host; the next tick checks the folder again.
                logger.LogError(exception, "checking {Folder} for a new model failed", options.ModelDirectory);
            }
        }
    }
}
