using System.Text.Json.Nodes;
using Negentropy.Evaluation;
using Negentropy.Training;

namespace Negentropy.Reporting;

/// <summary>
/// report.json (format version 1) and classification_report.txt. report.json nests scikit-learn's
/// <c>output_dict=True</c> structure under "classification_report", beside the run's test figures,
/// data sizes and training summary; the text file is scikit-learn's layout with 4 digits.
/// </summary>
public static class RunReport
{
    public const int FormatVersion = 1;
    public const string JsonFileName = "report.json";
    public const string TextFileName = "classification_report.txt";
    public const int TextDigits = 4;

    /// <summary>Sizes of the splits the run used.</summary>
    public sealed record DataSummary(string Source, int TrainSamples, int ValidationSamples, int TestSamples);

    public static void Write(string folder, ModelManifest manifest, DataSummary data, TrainingState state,
        PredictionSet test, ClassificationReport report, double trainingSeconds)
    {
        var warnings = new JsonArray();
        if (report.IllDefinedClasses.Count > 0)
        {
            warnings.Add($"precision or recall is ill-defined (no predicted or no true samples) for {string.Join(", ", report.IllDefinedClasses)}; set to 0 as scikit-learn's zero_division default does");
        }

        var json = new JsonObject
        {
            ["format_version"] = FormatVersion,
            ["model"] = new JsonObject { ["name"] = manifest.Name, ["version"] = manifest.Version, ["architecture"] = manifest.Spec.Architecture, ["parameter_count"] = manifest.ParameterCount },
            ["data"] = new JsonObject
            {
                ["source"] = data.Source,
                ["train_samples"] = data.TrainSamples,
                ["val_samples"] = data.ValidationSamples,
                ["test_samples"] = data.TestSamples,
            },
            ["training"] = new JsonObject
            {
                ["epochs_completed"] = state.EpochsCompleted,
                ["best_epoch"] = state.BestEpoch,
                ["best_val_loss"] = state.BestValidationLoss,
                ["stopped_early"] = state.StoppedEarly,
                ["seconds"] = trainingSeconds,
            },
            ["test"] = new JsonObject
            {
                ["samples"] = test.Count,
                ["accuracy"] = report.Accuracy,
                ["log_loss"] = test.MeanLoss,
                ["mean_entropy_bits"] = test.MeanEntropyBits,
            },
            ["classification_report"] = report.ToJson(),
            ["warnings"] = warnings,
        };

        AtomicFile.WriteAllText(Path.Combine(folder, JsonFileName), json.ToJsonString(JsonFormats.Indented) + "\n");
        AtomicFile.WriteAllText(Path.Combine(folder, TextFileName), report.ToText(TextDigits));
    }
}
