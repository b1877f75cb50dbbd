namespace Negentropy.Evaluation;

/// <summary>Counts of (true class, predicted class) pairs: rows are targets, columns are predictions, as in scikit-learn.</summary>
public sealed class ConfusionMatrix
{
    private readonly long[,] counts;

    private ConfusionMatrix(long[,] counts)
    {
        this.counts = counts;
    }

    public int NumClasses => counts.GetLength(0);

    public long this[int target, int prediction] => counts[target, prediction];

    /// <summary>Counts <paramref name="targets"/> against <paramref name="preds"/> for classes 0 to numClasses − 1.</summary>
    public static ConfusionMatrix Compute(IReadOnlyList<int> targets, IReadOnlyList<int> preds, int numClasses)
    {
        if (targets.Count != preds.Count)
        {
            throw new ArgumentException($"targets has {targets.Count} entries but preds has {preds.Count}; they must be the same length", nameof(preds));
        }
        var counts = new long[numClasses, numClasses];
        for (int i = 0; i < targets.Count; i++)
        {
            int target = targets[i];
            int prediction = preds[i];
            if ((uint)target >= (uint)numClasses || (uint)prediction >= (uint)numClasses)
            {
                throw new ArgumentOutOfRangeException(nameof(targets), $"sample {i}: target {target} or prediction {prediction} is outside 0..{numClasses - 1}");
            }
            counts[target, prediction]++;
        }
        return new ConfusionMatrix(counts);
    }

    /// <summary>
    /// Returns the matrix divided by its row sums ("true"), column sums ("pred") or total ("all"). An
    /// empty row, column or matrix gives 0, as in scikit-learn.
    /// </summary>
    public double[,] Normalized(string normalize)
    {
        var result = new double[NumClasses, NumClasses];
        long total = Total;
        for (int i = 0; i < NumClasses; i++)
        {
            for (int j = 0; j < NumClasses; j++)
            {
                long divisor = normalize switch
                {
                    "true" => Support(i),
                    "pred" => PredictedCount(j),
                    "all" => total,
                    _ => throw new ArgumentException($"normalize '{normalize}' is unknown: expected true, pred or all", nameof(normalize)),
                };
                result[i, j] = divisor == 0 ? 0 : (double)counts[i, j] / divisor;
            }
        }
        return result;
    }

    /// <summary>Samples whose target is <paramref name="target"/> (the row sum).</summary>
    public long Support(int target)
    {
        long sum = 0;
        for (int j = 0; j < NumClasses; j++)
        {
            sum += counts[target, j];
        }
        return sum;
    }

    /// <summary>Samples predicted as <paramref name="prediction"/> (the column sum).</summary>
    public long PredictedCount(int prediction)
    {
        long sum = 0;
        for (int i = 0; i < NumClasses; i++)
        {
            sum += counts[i, prediction];
        }
        return sum;
    }

    public long Total
    {
        get
        {
            long sum = 0;
            foreach (long count in counts)
            {
                sum += count;
            }
            return sum;
        }
    }

    /// <summary>Correct predictions (the trace).</summary>
    public long Correct
    {
        get
        {
            long sum = 0;
            for (int k = 0; k < NumClasses; k++)
            {
                sum += counts[k, k];
            }
            return sum;
        }
    }
}
