using System.Globalization;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Negentropy.Models;

/// <summary>
/// Loads a state dict from disk into a freshly built model (<c>negentropy train --init-from</c>). Keys map
/// by identity: torchvision's names are the native names of resnet18 and resnet34, and Negentropy's own
/// saved weights use the names of the model that wrote them.
/// </summary>
/// <remarks>
/// The values are copied under no_grad into the model's existing parameters and buffers, so the model
/// keeps its contiguous tensors (TorchSharp saves and loads only contiguous ones) and an optimizer built
/// before the load still updates the right parameters. A strict load fails unless every key matches with
/// the same shape. The one exception is num_batches_tracked: when the file lacks it, the count is set to 0,
/// as PyTorch 1.13's batch norm does for state dicts without version metadata (_NormBase._load_from_state_dict).
/// That count only matters for batch norms with momentum None, which Negentropy does not build.
/// </remarks>
public static class PretrainedWeights
{
    private const string BatchCountSuffix = "num_batches_tracked";

    /// <summary>Reads <paramref name="path"/> (see <see cref="StateDictionaryFile.Read"/>) and loads it into <paramref name="model"/>.</summary>
    /// <param name="strict">Fail on any missing key, unexpected key or shape conflict; when false, load the matching tensors and report the rest.</param>
    /// <param name="replaceHead">Leave the classifier (see <see cref="HeadKeys"/>) out of the load and of the check, keeping its fresh initialization.</param>
    /// <exception cref="UserInputException">The file cannot be read, or a strict load finds a mismatch; the message lists every mismatched key.</exception>
    public static InitialWeights Load(nn.Module model, string path, bool strict = true, bool replaceHead = false)
    {
        using StateDictionaryFile file = StateDictionaryFile.Read(path);
        return Load(model, file, strict, replaceHead);
    }

    /// <summary>Loads the tensors of <paramref name="file"/> into <paramref name="model"/>; see <see cref="Load(nn.Module, string, bool, bool)"/>.</summary>
    public static InitialWeights Load(nn.Module model, StateDictionaryFile file, bool strict, bool replaceHead)
    {
        Dictionary<string, Tensor> target = model.state_dict();
        IReadOnlyList<string> head = replaceHead ? HeadKeys(model) : Array.Empty<string>();
        var missing = new List<string>();
        var absentBatchCounts = new List<string>();
        var conflicts = new List<ShapeConflict>();
        var matches = new List<(Tensor Target, Tensor Source)>();
        using var scope = NewDisposeScope();
        foreach ((string key, Tensor tensor) in target)
        {
            if (head.Contains(key))
            {
                continue;
            }
            if (!file.Tensors.TryGetValue(key, out Tensor? source))
            {
                (key.EndsWith("." + BatchCountSuffix, StringComparison.Ordinal) || key == BatchCountSuffix ? absentBatchCounts : missing).Add(key);
                continue;
            }
            Tensor? shaped = Reshaped(source, tensor.shape);
            if (shaped is null)
            {
                conflicts.Add(new ShapeConflict(key, tensor.shape, source.shape));
                continue;
            }
            matches.Add((tensor, shaped));
        }
        string[] unexpected = file.Tensors.Keys.Where(key => !target.ContainsKey(key) && !head.Contains(key)).Order(StringComparer.Ordinal).ToArray();

        if (strict && (missing.Count > 0 || unexpected.Length > 0 || conflicts.Count > 0))
        {
            throw new UserInputException(MismatchMessage(file, missing, unexpected, conflicts, ClassifierKeys(model, replaceHead)));
        }

        using (torch.no_grad())
        {
            foreach ((Tensor targetTensor, Tensor source) in matches)
            {
                targetTensor.copy_(source);
            }
            foreach (string key in absentBatchCounts)
            {
                target[key].zero_();
            }
        }
        return new InitialWeights
        {
            Source = file.Path,
            Format = file.Format,
            Strict = strict,
            Loaded = matches.Count,
            ModelTensors = target.Count,
            ReplacedHead = head,
            Missing = missing,
            Unexpected = unexpected,
            ShapeConflicts = conflicts,
            AbsentBatchCounts = absentBatchCounts,
        };
    }

    /// <summary>
    /// Returns the state-dict keys of the classifier: the last linear layer that <paramref name="model"/>
    /// registers (fc for resnet, resnet18 and resnet34, classifier.fc2 for cnn).
    /// </summary>
    /// <exception cref="UserInputException">The model has no linear layer.</exception>
    public static IReadOnlyList<string> HeadKeys(nn.Module model)
    {
        string? name = model.named_modules().Where(entry => entry.module is Linear).Select(entry => entry.name).LastOrDefault();
        if (name is null)
        {
            throw new UserInputException($"--replace-head: the {model.GetName()} model has no linear classifier layer to re-create");
        }
        string prefix = name + ".";
        return model.state_dict().Keys.Where(key => key.StartsWith(prefix, StringComparison.Ordinal) && !key[prefix.Length..].Contains('.')).ToArray();
    }

    // Returns source itself when its shape is the model's. TorchSharp.PyBridge 1.4.4 unpickles a 0-dim
    // tensor (such as num_batches_tracked) as shape [1], so a one-element tensor also fits a 0-dim target.
    // The reshaped view belongs to the caller's dispose scope.
    private static Tensor? Reshaped(Tensor source, long[] shape)
    {
        if (source.shape.SequenceEqual(shape))
        {
            return source;
        }
        return shape.Length == 0 && source.numel() == 1 ? source.reshape(shape) : null;
    }

    private static string MismatchMessage(StateDictionaryFile file, List<string> missing, string[] unexpected, List<ShapeConflict> conflicts,
        IReadOnlyList<string> classifier)
    {
        var parts = new List<string>();
        if (missing.Count > 0)
        {
            parts.Add(Count(missing.Count, "missing key") + " (in the model, not in the file): " + string.Join(", ", missing));
        }
        if (unexpected.Length > 0)
        {
            parts.Add(Count(unexpected.Length, "unexpected key") + " (in the file, not in the model): " + string.Join(", ", unexpected));
        }
        if (conflicts.Count > 0)
        {
            parts.Add(Count(conflicts.Count, "shape conflict") + ": " + string.Join("; ", conflicts));
        }

        string source = file.Architecture is null ? "" : $" (a {file.Architecture} model folder)";
        bool onlyClassifierDiffers = missing.Count == 0 && conflicts.Count > 0 && conflicts.All(conflict => classifier.Contains(conflict.Key));
        string hint = onlyClassifierDiffers
            ? "pass --replace-head to re-create the classifier for this data's classes, or --strict false to load only the matching tensors"
            : "pass weights saved from the same architecture and width, or --strict false to load only the matching tensors";
        return $"{file.Path}{source}: the state dict does not match the model: {string.Join("; ", parts)}; {hint}";
    }

    // The classifier's keys for the hint about --replace-head; empty when it is already replaced or the model has none.
    private static IReadOnlyList<string> ClassifierKeys(nn.Module model, bool replaceHead) =>
        replaceHead || !model.named_modules().Any(entry => entry.module is Linear) ? Array.Empty<string>() : HeadKeys(model);

    private static string Count(int count, string noun) =>
        string.Create(CultureInfo.InvariantCulture, $"{count} {noun}{(count == 1 ? "" : "s")}");
}
