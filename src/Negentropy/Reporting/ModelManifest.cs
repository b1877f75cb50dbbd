using System.Text.Json;
using System.Text.Json.Serialization;
using Negentropy.Data;
using Negentropy.Evaluation;
using Negentropy.Models;
using Negentropy.Training;

namespace Negentropy.Reporting;

/// <summary>
/// model.json (format version 1): what a saved model is and how to feed it. The weights are in the
/// file named by <see cref="WeightsFile"/> beside it, in TorchSharp's Module.save format.
/// An input image becomes a tensor [1, channels, height, width] of (pixel / 255 − mean[c]) / std[c].
/// </summary>
public sealed record ModelManifest
{
    public const int CurrentFormatVersion = 1;
    public const string FileName = "model.json";
    public const string DefaultWeightsFile = "model.bin";

    [JsonPropertyName("format_version")] public int FormatVersion { get; init; } = CurrentFormatVersion;

    /// <summary>Model name: the dataset and architecture, such as "fashion-mnist-cnn".</summary>
    [JsonPropertyName("name")] public required string Name { get; init; }

    /// <summary>Version: the UTC creation time as yyyyMMddTHHmmssZ.</summary>
    [JsonPropertyName("version")] public required string Version { get; init; }

    [JsonPropertyName("created_utc")] public required DateTimeOffset CreatedUtc { get; init; }

    [JsonPropertyName("architecture")] public required ModelSpec Spec { get; init; }

    [JsonPropertyName("initialization")] public string Initialization { get; init; } = ModelInitialization.Description;

    /// <summary>The weights the training started from (--init-from); absent for a fresh initialization.</summary>
    [JsonPropertyName("initial_weights"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public InitialWeights? InitialWeights { get; init; }

    [JsonPropertyName("parameter_count")] public long ParameterCount { get; init; }

    [JsonPropertyName("class_names")] public required IReadOnlyList<string> ClassNames { get; init; }

    /// <summary>Pixel values are divided by this before normalization.</summary>
    [JsonPropertyName("pixel_scale")] public double PixelScale { get; init; } = 255;

    [JsonPropertyName("normalization")] public required ChannelNormalization Normalization { get; init; }

    /// <summary>The training run's hyper-parameters.</summary>
    [JsonPropertyName("training")] public required TrainingOptions Training { get; init; }

    /// <summary>The epoch whose weights were saved (lowest validation loss).</summary>
    [JsonPropertyName("best_epoch")] public int BestEpoch { get; init; }

    [JsonPropertyName("epochs_completed")] public int EpochsCompleted { get; init; }

    /// <summary>
    /// Temperature fitted on the validation split by minimizing NLL; dividing the logits by it gives
    /// calibrated probabilities. The weights themselves are not scaled. Null when none was fitted.
    /// </summary>
    [JsonPropertyName("temperature")] public double? Temperature { get; init; }

    /// <summary>
    /// The abstention rule: the entropy threshold above which the model abstains, chosen on the
    /// validation split. Null in model.json files written before abstention existed.
    /// </summary>
    [JsonPropertyName("abstention")] public AbstentionPolicy? Abstention { get; init; }

    [JsonPropertyName("weights")] public string WeightsFile { get; init; } = DefaultWeightsFile;

    [JsonPropertyName("weights_format")] public string WeightsFormat { get; init; } = "torchsharp-module-save";

    public void Write(string folder) =>
        AtomicFile.WriteAllText(Path.Combine(folder, FileName), JsonSerializer.Serialize(this, JsonFormats.Indented) + "\n");

    /// <summary>Reads folder/model.json, with an error that names the file when it is missing or invalid.</summary>
    public static ModelManifest Read(string folder)
    {
        string path = Path.Combine(folder, FileName);
        if (!File.Exists(path))
        {
            throw new UserInputException($"{path}: model manifest not found; pass the --out folder of a finished training run");
        }
        ModelManifest? manifest;
        try
        {
            manifest = JsonSerializer.Deserialize<ModelManifest>(File.ReadAllText(path), JsonFormats.Indented);
        }
        catch (JsonException exception)
        {
            throw new UserInputException($"{path}: invalid model manifest at line {exception.LineNumber + 1}: {exception.Message}", exception);
        }
        if (manifest is null)
        {
            throw new UserInputException($"{path}: model manifest is empty");
        }
        if (manifest.FormatVersion != CurrentFormatVersion)
        {
            throw new UserInputException($"{path}: model format version {manifest.FormatVersion} is not supported: this build reads version {CurrentFormatVersion}");
        }
        return manifest;
    }
}
