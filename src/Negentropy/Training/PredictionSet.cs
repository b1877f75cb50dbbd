namespace Negentropy.Training;

/// <summary>
/// A model's outputs on one dataset: class probabilities [Count, NumClasses] in row-major order
/// (float64, from a float64 softmax of the logits), the targets, and summary figures.
/// </summary>
public sealed record PredictionSet(
    double[] Probabilities,
    int[] Targets,
    int NumClasses,
    double MeanLoss,
    double MeanEntropyBits)
{
    public int Count => Targets.Length;

    /// <summary>Index of the most probable class per sample; ties go to the lowest index, as argmax does.</summary>
    public int[] Preds()
    {
        var preds = new int[Count];
        for (int i = 0; i < Count; i++)
        {
            int best = 0;
            for (int k = 1; k < NumClasses; k++)
            {
                if (Probabilities[(i * NumClasses) + k] > Probabilities[(i * NumClasses) + best])
                {
                    best = k;
                }
            }
            preds[i] = best;
        }
        return preds;
    }

    public double Accuracy()
    {
        int[] preds = Preds();
        int correct = 0;
        for (int i = 0; i < Count; i++)
        {
            correct += preds[i] == Targets[i] ? 1 : 0;
        }
        return Count == 0 ? 0 : (double)correct / Count;
    }
}
