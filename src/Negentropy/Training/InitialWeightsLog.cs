using System.Globalization;
using Negentropy.Models;

namespace Negentropy.Training;

/// <summary>The train log's lines about the initial weights of --init-from.</summary>
internal static class InitialWeightsLog
{
    /// <summary>Logs the load as setup lines, and as warnings every tensor that a non-strict load skipped.</summary>
    public static void Write(ITrainingObserver observer, InitialWeights weights)
    {
        observer.OnDecision("initial weights", weights.Describe());
        string Invariant(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);
        if (weights.Missing.Count > 0)
        {
            observer.OnDecision("warning", Invariant($"--strict false: {weights.Missing.Count} model tensors are not in the file and keep their fresh initialization: {string.Join(", ", weights.Missing)}"));
        }
        if (weights.Unexpected.Count > 0)
        {
            observer.OnDecision("warning", Invariant($"--strict false: {weights.Unexpected.Count} file tensors have no match in the model and were skipped: {string.Join(", ", weights.Unexpected)}"));
        }
        if (weights.ShapeConflicts.Count > 0)
        {
            observer.OnDecision("warning", Invariant($"--strict false: {weights.ShapeConflicts.Count} tensors differ in shape and keep their fresh initialization: {string.Join("; ", weights.ShapeConflicts)}"));
        }
        if (weights.AbsentBatchCounts.Count > 0)
        {
            observer.OnDecision("initial weights", Invariant($"{weights.AbsentBatchCounts.Count} num_batches_tracked buffers are not in the file and are set to 0, as PyTorch does"));
        }
    }
}
