using Negentropy.Monitoring;
using Negentropy.Reporting;

namespace Negentropy.Training;

/// <summary>The files and folders a training run writes, and the checks before a run writes them.</summary>
internal static class RunOutputs
{
    private static readonly string[] RunOutputNames =
    {
        ModelManifest.FileName, ModelManifest.DefaultWeightsFile, MetricsLog.FileName, PredictionsCsv.FileName,
        PredictionsCsv.ValidationFileName, RunReport.JsonFileName, RunReport.TextFileName, HtmlReport.FileName, InformationPlaneLog.FileName,
        TextTrainingRun.EncoderFileName, MonitoringReference.FileName,
    };

    /// <summary>Throws when <paramref name="outputDirectory"/> cannot be created, or contains a run and <paramref name="overwrite"/> is false.</summary>
    internal static void RequireUsableOutputFolder(string outputDirectory, bool overwrite)
    {
        OutputFolder.RequireCreatable(outputDirectory);
        bool containsRun = Directory.Exists(Path.Combine(outputDirectory, TrainingRun.CheckpointFolderName))
            || RunOutputNames.Any(name => File.Exists(Path.Combine(outputDirectory, name)));
        if (containsRun && !overwrite)
        {
            throw new UserInputException(
                $"--out {outputDirectory} already contains a training run; pass --resume {outputDirectory} to continue it, --overwrite to replace it, or another --out folder");
        }
    }

    /// <summary>Deletes the outputs and checkpoints of an earlier run in <paramref name="outputDirectory"/>.</summary>
    internal static void DeleteRunOutputs(string outputDirectory)
    {
        if (!Directory.Exists(outputDirectory))
        {
            return;
        }
        foreach (string folder in new[] { TensorBoardLog.FolderName, RunPlots.FolderName })
        {
            string path = Path.Combine(outputDirectory, folder);
            if (Directory.Exists(path))
            {
                Directory.Delete(path, recursive: true);
            }
        }
        foreach (string name in RunOutputNames)
        {
            File.Delete(Path.Combine(outputDirectory, name));
        }
        string checkpoints = Path.Combine(outputDirectory, TrainingRun.CheckpointFolderName);
        if (Directory.Exists(checkpoints))
        {
            Directory.Delete(checkpoints, recursive: true);
        }
    }
}
