using System.Globalization;
using System.Text.Json.Serialization;

namespace Negentropy.Models;

/// <summary>
/// Where a model's initial weights came from and what of them was loaded: the outcome of
/// <see cref="PretrainedWeights"/>, stored in model.json as "initial_weights" and in report.json.
/// </summary>
public sealed record InitialWeights
{
    /// <summary>The full path of the file or model folder that was read.</summary>
    [JsonPropertyName("source")] public required string Source { get; init; }

    /// <summary>The format read: see <see cref="StateDictionaryFile.Format"/>.</summary>
    [JsonPropertyName("format")] public required string Format { get; init; }

    /// <summary>True when any missing key, unexpected key or shape conflict would have failed the load.</summary>
    [JsonPropertyName("strict")] public bool Strict { get; init; }

    /// <summary>Tensors copied from the file into the model.</summary>
    [JsonPropertyName("loaded")] public int Loaded { get; init; }

    /// <summary>Tensors of the model's state dict: parameters and buffers.</summary>
    [JsonPropertyName("model_tensors")] public int ModelTensors { get; init; }

    /// <summary>The classifier's keys, re-created for this data's classes and left out of the load (--replace-head); empty otherwise.</summary>
    [JsonPropertyName("replaced_head")] public IReadOnlyList<string> ReplacedHead { get; init; } = Array.Empty<string>();

    /// <summary>Model keys absent from the file, which keep their fresh initialization (non-strict loads only).</summary>
    [JsonPropertyName("missing")] public IReadOnlyList<string> Missing { get; init; } = Array.Empty<string>();

    /// <summary>File keys with no tensor of that name in the model, which were not used (non-strict loads only).</summary>
    [JsonPropertyName("unexpected")] public IReadOnlyList<string> Unexpected { get; init; } = Array.Empty<string>();

    /// <summary>Keys whose shapes differ between the model and the file, which keep their fresh initialization (non-strict loads only).</summary>
    [JsonPropertyName("shape_conflicts")] public IReadOnlyList<ShapeConflict> ShapeConflicts { get; init; } = Array.Empty<ShapeConflict>();

    /// <summary>
    /// Batch-norm num_batches_tracked buffers that the file lacks. They are set to 0, as PyTorch's batch
    /// norm does for state dicts without version metadata, and do not fail a strict load.
    /// </summary>
    [JsonPropertyName("absent_batch_counts")] public IReadOnlyList<string> AbsentBatchCounts { get; init; } = Array.Empty<string>();

    /// <summary>Describes the load for the train log, such as "1 of 122 tensors from /tmp/w.pth (pytorch-zip-pickle), strict".</summary>
    public string Describe()
    {
        string head = ReplacedHead.Count > 0 ? $"; head re-created: {string.Join(", ", ReplacedHead)}" : "";
        return string.Create(CultureInfo.InvariantCulture, $"{Loaded} of {ModelTensors} tensors from {Source} ({Format}), {(Strict ? "strict" : "non-strict")}{head}");
    }
}
