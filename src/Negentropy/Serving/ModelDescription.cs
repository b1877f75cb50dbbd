using System.Text.Json.Serialization;

namespace Negentropy.Serving;

/// <summary>The response of GET /v1/model.</summary>
public sealed record ModelDescription(
    [property: JsonPropertyName("name")] string Name,
    [property: JsonPropertyName("version")] string Version,
    [property: JsonPropertyName("architecture")] string Architecture,
    [property: JsonPropertyName("class_names")] IReadOnlyList<string> ClassNames,
    [property: JsonPropertyName("input")] string Input,
    [property: JsonPropertyName("input_shape")] IReadOnlyList<int> InputShape,
    [property: JsonPropertyName("abstain_threshold_bits")] double AbstainThresholdBits,
    [property: JsonPropertyName("abstain_threshold_source")] string AbstainThresholdSource,
    [property: JsonPropertyName("max_entropy_bits")] double MaxEntropyBits,
    [property: JsonPropertyName("monitoring_reference")] bool MonitoringReference,
    [property: JsonPropertyName("inference_precision")] string InferencePrecision)
{
    public static ModelDescription Of(ServedModel model)
    {
        var spec = model.Manifest.Spec;
        return new ModelDescription(model.Name, model.Version, spec.Architecture, model.ClassNames,
            model.IsText ? "text" : "image",
            model.IsText ? new[] { spec.MaxLength } : new[] { spec.InputChannels, spec.InputHeight, spec.InputWidth },
            model.AbstainThresholdBits, model.ThresholdSource, model.MaxEntropyBits, model.Reference is not null, model.Precision.Name);
    }
}
