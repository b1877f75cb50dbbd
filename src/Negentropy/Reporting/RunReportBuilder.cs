using System.Text.Json;
using System.Text.Json.Nodes;
using Negentropy.Data;
using Negentropy.Evaluation;
using Negentropy.Training;
using SkiaSharp;

namespace Negentropy.Reporting;

/// <summary>
/// Builds RUN/plots and RUN/report.html from the files of a run folder alone, so a finished run, an
/// interrupted one (from its last checkpoint) or one copied elsewhere can be reported again.
/// </summary>
public static class RunReportBuilder
{
    public const int MistakeCount = 20;

    /// <summary>Rebuilds the plots and the HTML page of the run in <paramref name="runFolder"/>; returns the page's path.</summary>
    public static string Build(string runFolder)
    {
        if (File.Exists(runFolder))
        {
            throw new UserInputException($"{runFolder} is a file; pass the --out folder of a training run");
        }
        if (!Directory.Exists(runFolder))
        {
            throw new UserInputException($"{runFolder}: folder not found; pass the --out folder of a training run");
        }

        string lastCheckpoint = Path.Combine(runFolder, TrainingRun.CheckpointFolderName, Trainer.LastCheckpointName);
        string manifestPath = Path.Combine(runFolder, ModelManifest.FileName);
        TrainingOptions options;
        IReadOnlyList<string> classNames;
        string title;
        if (File.Exists(manifestPath))
        {
            ModelManifest manifest = ModelManifest.Read(runFolder);
            (options, classNames, title) = (manifest.Training, manifest.ClassNames, $"Negentropy run {manifest.Name} {manifest.Version}");
        }
        else if (File.Exists(lastCheckpoint))
        {
            TrainingState state = Checkpoint.ReadState(lastCheckpoint);
            (options, classNames, title) = (state.Options, state.ClassNames, $"Negentropy run in {Path.GetFileName(Path.GetFullPath(runFolder))} (unfinished)");
        }
        else
        {
            throw new UserInputException($"{runFolder}: neither {ModelManifest.FileName} nor a checkpoint is there; pass the --out folder of a training run");
        }

        IReadOnlyList<EpochMetrics> history = ReadHistory(runFolder, lastCheckpoint);
        string predictionsPath = Path.Combine(runFolder, PredictionsCsv.FileName);
        PredictionsCsvReader.Table? predictions = File.Exists(predictionsPath) ? PredictionsCsvReader.Read(predictionsPath) : null;
        EvaluationReport? test = predictions is null ? null : EvaluationReport.Compute(predictions.Targets, predictions.Probabilities, predictions.ClassNames);
        string reportPath = Path.Combine(runFolder, RunReport.JsonFileName);
        JsonObject? runJson = File.Exists(reportPath) ? JsonNode.Parse(File.ReadAllText(reportPath))?.AsObject() : null;

        (RiskCoverage.Curve? riskCoverage, AbstentionPolicy? abstention) = ReadAbstention(runJson);

        IReadOnlyList<string> plots = RunPlots.Write(runFolder, history, classNames, test, InformationPlaneLog.Read(runFolder), riskCoverage, abstention);
        (IReadOnlyList<HtmlReport.ConfidentMistake> mistakes, string? note) = predictions is null
            ? (Array.Empty<HtmlReport.ConfidentMistake>(), "No test predictions yet.")
            : ConfidentMistakes(predictions, options);
        HtmlReport.Write(new HtmlReport.Content(runFolder, title, options, classNames, history, plots, test, runJson, mistakes, note));
        return Path.Combine(runFolder, HtmlReport.FileName);
    }

    // report.json of a run from before abstention existed has neither section, and its page shows none.
    private static (RiskCoverage.Curve? Curve, AbstentionPolicy? Policy) ReadAbstention(JsonObject? runJson)
    {
        RiskCoverage.Curve? curve = runJson?["risk_coverage"] is JsonObject curveJson ? RiskCoverage.Curve.FromJson(curveJson) : null;
        AbstentionPolicy? policy = null;
        if (runJson?["abstention"] is JsonObject policyJson)
        {
            try
            {
                policy = policyJson.Deserialize<AbstentionPolicy>(JsonFormats.Indented);
            }
            catch (JsonException)
            {
                // A malformed section leaves the plot without the chosen point and the target line.
                policy = null;
            }
        }
        return (curve, policy);
    }

    private static IReadOnlyList<EpochMetrics> ReadHistory(string runFolder, string lastCheckpoint)
    {
        string metricsPath = Path.Combine(runFolder, MetricsLog.FileName);
        if (File.Exists(metricsPath))
        {
            var history = new List<EpochMetrics>();
            int lineNumber = 0;
            foreach (string line in File.ReadLines(metricsPath))
            {
                lineNumber++;
                if (line.Length == 0)
                {
                    continue;
                }
                try
                {
                    history.Add(JsonSerializer.Deserialize<EpochMetrics>(line, JsonFormats.Compact)!);
                }
                catch (JsonException exception)
                {
                    throw new UserInputException($"{metricsPath} line {lineNumber}: invalid JSON ({exception.Message})", exception);
                }
            }
            return history;
        }
        return File.Exists(lastCheckpoint) ? Checkpoint.ReadState(lastCheckpoint).History : Array.Empty<EpochMetrics>();
    }

    // The wrong predictions with the highest confidence; thumbnails come from the run's test images when they load.
    private static (IReadOnlyList<HtmlReport.ConfidentMistake> Mistakes, string? Note) ConfidentMistakes(PredictionsCsvReader.Table predictions, TrainingOptions options)
    {
        int numClasses = predictions.ClassNames.Count;
        var wrong = new List<(int Index, int Predicted, double Confidence)>();
        for (int i = 0; i < predictions.Count; i++)
        {
            ReadOnlySpan<double> row = predictions.Probabilities.AsSpan(i * numClasses, numClasses);
            int best = 0;
            for (int k = 1; k < numClasses; k++)
            {
                best = row[k] > row[best] ? k : best;
            }
            if (best != predictions.Targets[i])
            {
                wrong.Add((i, best, row[best]));
            }
        }

        ImageDataset? images = null;
        IReadOnlyList<string>? texts = null;
        string? note = null;
        try
        {
            if (Training.TextTrainingRun.IsTextData(options.Data))
            {
                texts = Training.TextTrainingRun.LoadTest(options).Texts;
                note = texts.Count == predictions.Count ? null
                    : $"The test texts at {options.Data} number {texts.Count} but the predictions have {predictions.Count} rows, so no texts are shown.";
                texts = note is null ? texts : null;
            }
            else
            {
                ImageDatasetPair pair = DataSource.Load(options.Data, options.DataDirectory, options.ImageFolder);
                ImageDataset loaded = options.Classes is string classes ? ClassSubset.Parse(classes, pair.Train.ClassNames).Apply(pair.Test) : pair.Test;
                if (loaded.Count == predictions.Count)
                {
                    images = loaded;
                }
                else
                {
                    note = $"The test set at {options.Data} has {loaded.Count} images but the predictions have {predictions.Count} rows, so no thumbnails are shown.";
                }
            }
        }
        catch (UserInputException exception)
        {
            note = $"Thumbnails and texts are not shown: the test data did not load ({exception.Message}).";
        }

        var mistakes = wrong.OrderByDescending(w => w.Confidence).Take(MistakeCount).Select(w =>
        {
            double entropy = Information.Distributions.Entropy(predictions.Probabilities.AsSpan(w.Index * numClasses, numClasses), Information.LogBase.Bits, normalize: true);
            return new HtmlReport.ConfidentMistake(w.Index, predictions.ClassNames[predictions.Targets[w.Index]], predictions.ClassNames[w.Predicted],
                w.Confidence, entropy, images is null ? null : Thumbnail(images, w.Index), texts?[w.Index]);
        }).ToArray();
        return (mistakes, mistakes.Length == 0 ? "Every test prediction is right." : note);
    }

    /// <summary>Encodes image <paramref name="index"/> as a PNG; the page scales it up without smoothing.</summary>
    public static byte[] Thumbnail(ImageDataset images, int index)
    {
        int size = images.ImageSize;
        int plane = images.Height * images.Width;
        using var bitmap = new SKBitmap(new SKImageInfo(images.Width, images.Height, SKColorType.Rgba8888, SKAlphaType.Opaque));
        for (int y = 0; y < images.Height; y++)
        {
            for (int x = 0; x < images.Width; x++)
            {
                int offset = (index * size) + (y * images.Width) + x;
                byte red = images.Pixels[offset];
                byte green = images.Channels >= 3 ? images.Pixels[offset + plane] : red;
                byte blue = images.Channels >= 3 ? images.Pixels[offset + (2 * plane)] : red;
                bitmap.SetPixel(x, y, new SKColor(red, green, blue));
            }
        }
        using SKData png = bitmap.Encode(SKEncodedImageFormat.Png, 100);
        return png.ToArray();
    }
}
