namespace Negentropy.Information;

/// <summary>
/// How much label uncertainty a model removes, from its predictive distributions on a labelled set:
/// mean predictive entropy overall and on right and wrong predictions, label entropy H(Y), and bits
/// learned = H(Y) − cross-entropy, overall and per class. All in bits.
/// </summary>
/// <remarks>
/// Bits learned for class c is H(Y) minus the mean cross-entropy of the samples whose target is c: the
/// share of the label uncertainty the model removes on that class. It is NaN for a class without samples.
/// </remarks>
public sealed record EntropyLens(
    double MeanEntropyBits,
    double MeanEntropyCorrectBits,
    double MeanEntropyWrongBits,
    double NormalizedMeanEntropy,
    double LabelEntropyBits,
    double CrossEntropyBits,
    double BitsLearned,
    double[] BitsLearnedPerClass,
    double[] EntropyBits)
{
    /// <summary>Computes the lens for <paramref name="targets"/> and probabilities [rows, numClasses], row-major.</summary>
    public static EntropyLens Compute(IReadOnlyList<int> targets, ReadOnlySpan<double> probs, int numClasses)
    {
        int rows = targets.Count;
        var entropy = new double[rows];
        var classCrossEntropy = new double[numClasses];
        var classCounts = new long[numClasses];
        double entropySum = 0;
        double correctSum = 0;
        double wrongSum = 0;
        long correct = 0;
        double crossEntropySum = 0;
        double bitsPerNat = LogBase.Bits.FromNats();

        for (int i = 0; i < rows; i++)
        {
            ReadOnlySpan<double> row = probs.Slice(i * numClasses, numClasses);
            double nats = 0;
            int best = 0;
            for (int k = 0; k < numClasses; k++)
            {
                if (row[k] > 0)
                {
                    nats -= row[k] * Math.Log(row[k]);
                }
                best = row[k] > row[best] ? k : best;
            }
            double bits = nats * bitsPerNat;
            entropy[i] = bits;
            entropySum += bits;
            if (best == targets[i])
            {
                correctSum += bits;
                correct++;
            }
            else
            {
                wrongSum += bits;
            }

            // The same clipping as the log loss keeps a confident wrong 0 finite.
            double crossEntropy = -Math.Log(Math.Max(row[targets[i]], Evaluation.ProbabilityMetrics.LogLossEpsilon)) * bitsPerNat;
            crossEntropySum += crossEntropy;
            classCrossEntropy[targets[i]] += crossEntropy;
            classCounts[targets[i]]++;
        }

        double labelEntropy = LabelEntropy(classCounts, rows);
        double meanCrossEntropy = rows == 0 ? double.NaN : crossEntropySum / rows;
        var perClass = new double[numClasses];
        for (int k = 0; k < numClasses; k++)
        {
            perClass[k] = classCounts[k] == 0 ? double.NaN : labelEntropy - (classCrossEntropy[k] / classCounts[k]);
        }
        double meanEntropy = rows == 0 ? double.NaN : entropySum / rows;
        return new EntropyLens(
            meanEntropy,
            correct == 0 ? double.NaN : correctSum / correct,
            rows - correct == 0 ? double.NaN : wrongSum / (rows - correct),
            numClasses < 2 ? double.NaN : meanEntropy / Math.Log2(numClasses),
            labelEntropy,
            meanCrossEntropy,
            labelEntropy - meanCrossEntropy,
            perClass,
            entropy);
    }

    private static double LabelEntropy(long[] counts, int rows)
    {
        if (rows == 0)
        {
            return double.NaN;
        }
        double bits = 0;
        foreach (long count in counts)
        {
            if (count > 0)
            {
                double p = (double)count / rows;
                bits -= p * Math.Log2(p);
            }
        }
        return bits;
    }
}
