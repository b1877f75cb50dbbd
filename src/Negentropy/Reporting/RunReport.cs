using System.Text.Json;
using System.Text.Json.Nodes;
using Negentropy.Data;
using Negentropy.Evaluation;
using Negentropy.Training;

namespace Negentropy.Reporting;

/// <summary>
/// report.json (format version 1) and classification_report.txt of a training run. report.json is the
/// JSON of <c>negentropy eval --json</c> for test_predictions.csv (see <see cref="EvaluationReport"/>),
/// with more sections: "model", "data", "training" (with the fine-tuning mode, parameter counts and mean
/// seconds per epoch), "temperature_scaling", and from runs that chose an
/// abstention threshold, "abstention" (as in model.json) and "risk_coverage" (the validation risk–coverage
/// curve, at most <see cref="RiskCoverage.MaxStoredPoints"/> points, see <see cref="RiskCoverage.Curve.ToJson"/>). The text file is
/// <see cref="EvaluationReport.ToText"/>: scikit-learn's classification report, then the other figures.
/// </summary>
public static class RunReport
{
    public const string JsonFileName = "report.json";
    public const string TextFileName = "classification_report.txt";

    /// <summary>Sizes of the splits the run used, the training samples left out with --exclude, and the --classes selection.</summary>
    public sealed record DataSummary(string Source, int TrainSamples, int ValidationSamples, int TestSamples, Exclusion? Excluded = null, ClassSubset? Classes = null);

    /// <summary>Training samples removed before the split: the file that listed them, their indices, and their count per given class.</summary>
    public sealed record Exclusion(string File, IReadOnlyList<int> Indices, IReadOnlyDictionary<string, int> PerClass);

    public static void Write(string folder, ModelManifest manifest, DataSummary data, TrainingState state,
        EvaluationReport evaluation, TemperatureScaling.Summary temperature, double trainingSeconds, RiskCoverage.Curve? riskCoverage = null,
        FineTuning.Summary? fineTuning = null)
    {
        JsonObject json = evaluation.ToJson();
        json["model"] = new JsonObject
        {
            ["name"] = manifest.Name,
            ["version"] = manifest.Version,
            ["architecture"] = manifest.Spec.Architecture,
            ["parameter_count"] = manifest.ParameterCount,
        };
        if (manifest.InitialWeights is Models.InitialWeights initialWeights)
        {
            json["model"]!["initial_weights"] = JsonSerializer.SerializeToNode(initialWeights, JsonFormats.Indented);
        }
        json["data"] = new JsonObject
        {
            ["source"] = data.Source,
            ["train_samples"] = data.TrainSamples,
            ["val_samples"] = data.ValidationSamples,
            ["test_samples"] = data.TestSamples,
        };
        if (data.Excluded is Exclusion excluded)
        {
            json["data"]!["excluded_file"] = excluded.File;
            json["data"]!["excluded_samples"] = excluded.Indices.Count;
            json["data"]!["excluded_per_class"] = new JsonObject(excluded.PerClass.Select(pair => KeyValuePair.Create(pair.Key, (JsonNode?)JsonValue.Create(pair.Value))));
            json["data"]!["excluded_indices"] = new JsonArray(excluded.Indices.Select(index => (JsonNode?)JsonValue.Create(index)).ToArray());
        }
        if (data.Classes is ClassSubset classes)
        {
            // Label i of this run is class source_class_indices[i] of the data.
            json["data"]!["classes"] = classes.Value;
            json["data"]!["source_class_indices"] = new JsonArray(classes.SourceIndices.Select(index => (JsonNode?)JsonValue.Create(index)).ToArray());
        }
        json["training"] = new JsonObject
        {
            ["epochs_completed"] = state.EpochsCompleted,
            ["best_epoch"] = state.BestEpoch,
            ["best_val_loss"] = state.BestValidationLoss,
            ["stopped_early"] = state.StoppedEarly,
            ["seconds"] = trainingSeconds,
        };
        if (fineTuning is not null)
        {
            json["training"]!["finetune"] = fineTuning.Mode;
            json["training"]!["trainable_parameters"] = fineTuning.TrainableParameters;
            json["training"]!["total_parameters"] = fineTuning.TotalParameters;
            json["training"]!["seconds_per_epoch"] = state.History.Count == 0 ? null : (double?)state.History.Average(epoch => epoch.Seconds);
        }
        json["temperature_scaling"] = temperature.ToJson();
        if (manifest.Abstention is AbstentionPolicy abstention)
        {
            json["abstention"] = JsonSerializer.SerializeToNode(abstention, JsonFormats.Indented);
        }
        if (riskCoverage is not null)
        {
            json["risk_coverage"] = riskCoverage.Downsample().ToJson();
        }

        AtomicFile.WriteAllText(Path.Combine(folder, JsonFileName), json.ToJsonString(JsonFormats.Indented) + "\n");
        AtomicFile.WriteAllText(Path.Combine(folder, TextFileName), evaluation.ToText() + TemperatureText(temperature) + AbstentionText(manifest.Abstention));
    }

    /// <summary>Formats the abstention line of the text report; empty when the run has no abstention policy.</summary>
    public static string AbstentionText(AbstentionPolicy? abstention) =>
        abstention is null ? "" : $"abstention: {abstention.Describe()}\n";

    /// <summary>Formats the temperature-scaling lines of the text report.</summary>
    public static string TemperatureText(TemperatureScaling.Summary temperature)
    {
        bool atBound = temperature.Temperature <= TemperatureScaling.MinTemperature * 1.001 || temperature.Temperature >= TemperatureScaling.MaxTemperature * 0.999;
        string bound = atBound ? " (at the edge of the search range 0.01 to 100: the validation predictions are separable or constant)" : "";
        return FormattableString.Invariant(
            $"temperature scaling: T = {temperature.Temperature:F4}{bound} fitted on {temperature.ValidationSamples} validation samples; test NLL {temperature.TestNllBefore:F4} -> {temperature.TestNllAfter:F4} nats, test ECE {temperature.TestEceBefore:F4} -> {temperature.TestEceAfter:F4}\n");
    }
}
