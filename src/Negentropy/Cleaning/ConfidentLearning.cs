namespace Negentropy.Cleaning;

/// <summary>
/// Confident learning (Northcutt, Jiang &amp; Chuang, JAIR 2021): from out-of-sample predicted
/// probabilities and the given labels, estimates the joint distribution of given and true labels and
/// finds the examples whose given label is most likely wrong.
/// </summary>
/// <remarks>
/// Steps: per-class thresholds tⱼ = mean of p̂ⱼ over the examples labelled j; the confident joint C[i, j]
/// counts examples labelled i whose p̂ⱼ ≥ tⱼ (the largest such p̂ⱼ when several pass); each row of C is
/// calibrated to the number of examples labelled i, and the result normalized to the joint Q. Prune by
/// noise rate: for each i ≠ j, the round(N·Q[i, j]) examples labelled i with the largest margin
/// p̂ⱼ − p̂ᵢ are label issues, except those whose most probable class is the given one.
/// </remarks>
public static class ConfidentLearning
{
    /// <summary>How issues are ordered, most likely wrong first.</summary>
    public enum Ranking
    {
        /// <summary>By p̂ of the given label, ascending.</summary>
        SelfConfidence,

        /// <summary>By p̂ of the given label minus the largest other p̂, ascending.</summary>
        NormalizedMargin,
    }

    /// <summary>The estimates and the issues found.</summary>
    /// <param name="Thresholds">tⱼ per class.</param>
    /// <param name="ConfidentJoint">C[given, true] counts before calibration.</param>
    /// <param name="Joint">Q[given, true], calibrated and normalized to sum to 1.</param>
    /// <param name="NoiseRates">Per given class i, the estimated share of its examples whose true label differs: 1 − Q[i, i] / Σⱼ Q[i, j].</param>
    /// <param name="Issues">Label issues, ranked.</param>
    public sealed record Result(double[] Thresholds, long[,] ConfidentJoint, double[,] Joint, double[] NoiseRates, IReadOnlyList<LabelIssue> Issues)
    {
        /// <summary>The estimated noise matrix P(given = i | true = j): each column of Q divided by its sum (a column without mass stays 0).</summary>
        public double[,] NoiseMatrix()
        {
            int classes = Thresholds.Length;
            var matrix = new double[classes, classes];
            for (int j = 0; j < classes; j++)
            {
                double column = Enumerable.Range(0, classes).Sum(i => Joint[i, j]);
                for (int i = 0; i < classes && column > 0; i++)
                {
                    matrix[i, j] = Joint[i, j] / column;
                }
            }
            return matrix;
        }

        /// <summary>Estimated share of all examples whose given label is wrong: 1 − trace(Q).</summary>
        public double NoiseRate => 1 - Enumerable.Range(0, Thresholds.Length).Sum(k => Joint[k, k]);
    }

    /// <summary>A label issue: the example's index in the data as given, its labels, and the ranking score (lower is more likely wrong).</summary>
    public sealed record LabelIssue(int Index, int GivenLabel, int SuggestedLabel, double Quality);

    /// <summary>Runs confident learning on probabilities [rows, numClasses], row-major, and the given labels.</summary>
    /// <param name="maxSelfConfidence">Issues whose p̂ of the given label is at or above this are dropped; 1 keeps every issue.</param>
    public static Result Find(IReadOnlyList<int> givenLabels, ReadOnlySpan<double> probs, int numClasses, Ranking ranking = Ranking.SelfConfidence,
        double maxSelfConfidence = 1.0)
    {
        int rows = givenLabels.Count;
        if (probs.Length != rows * numClasses)
        {
            throw new ArgumentException($"probs has {probs.Length} values, expected {rows} rows × {numClasses} classes", nameof(probs));
        }

        double[] thresholds = Thresholds(givenLabels, probs, numClasses);
        long[,] confidentJoint = ConfidentJoint(givenLabels, probs, numClasses, thresholds);
        double[,] joint = CalibratedJoint(confidentJoint, givenLabels, numClasses);
        var noiseRates = new double[numClasses];
        for (int i = 0; i < numClasses; i++)
        {
            double rowSum = Enumerable.Range(0, numClasses).Sum(j => joint[i, j]);
            noiseRates[i] = rowSum == 0 ? 0 : 1 - (joint[i, i] / rowSum);
        }

        IReadOnlyList<LabelIssue> issues = PruneByNoiseRate(givenLabels, probs, numClasses, joint, ranking, maxSelfConfidence);
        return new Result(thresholds, confidentJoint, joint, noiseRates, issues);
    }

    /// <summary>tⱼ: the mean predicted probability of class j over the examples labelled j (0 for a class without examples).</summary>
    public static double[] Thresholds(IReadOnlyList<int> givenLabels, ReadOnlySpan<double> probs, int numClasses)
    {
        var sums = new double[numClasses];
        var counts = new long[numClasses];
        for (int i = 0; i < givenLabels.Count; i++)
        {
            int label = givenLabels[i];
            sums[label] += probs[(i * numClasses) + label];
            counts[label]++;
        }
        return Enumerable.Range(0, numClasses).Select(j => counts[j] == 0 ? 0 : sums[j] / counts[j]).ToArray();
    }

    /// <summary>C[given, true]: each example counts once, under the class with the largest p̂ among those at or above their threshold.</summary>
    public static long[,] ConfidentJoint(IReadOnlyList<int> givenLabels, ReadOnlySpan<double> probs, int numClasses, double[] thresholds)
    {
        var joint = new long[numClasses, numClasses];
        for (int i = 0; i < givenLabels.Count; i++)
        {
            ReadOnlySpan<double> row = probs.Slice(i * numClasses, numClasses);
            int best = -1;
            for (int j = 0; j < numClasses; j++)
            {
                if (row[j] >= thresholds[j] && (best < 0 || row[j] > row[best]))
                {
                    best = j;
                }
            }
            if (best >= 0)
            {
                joint[givenLabels[i], best]++;
            }
        }
        return joint;
    }

    // Each row scaled to the number of examples with that given label, then all divided by the total.
    private static double[,] CalibratedJoint(long[,] confidentJoint, IReadOnlyList<int> givenLabels, int numClasses)
    {
        var labelCounts = new long[numClasses];
        foreach (int label in givenLabels)
        {
            labelCounts[label]++;
        }
        var joint = new double[numClasses, numClasses];
        double total = 0;
        for (int i = 0; i < numClasses; i++)
        {
            long rowSum = 0;
            for (int j = 0; j < numClasses; j++)
            {
                rowSum += confidentJoint[i, j];
            }
            for (int j = 0; j < numClasses; j++)
            {
                if (rowSum == 0)
                {
                    // A row with no confident example keeps its label count on the diagonal.
                    joint[i, j] = i == j ? labelCounts[i] : 0;
                }
                else
                {
                    joint[i, j] = (double)confidentJoint[i, j] / rowSum * labelCounts[i];
                }
                total += joint[i, j];
            }
        }
        for (int i = 0; i < numClasses; i++)
        {
            for (int j = 0; j < numClasses; j++)
            {
                joint[i, j] = total == 0 ? 0 : joint[i, j] / total;
            }
        }
        return joint;
    }

    private static IReadOnlyList<LabelIssue> PruneByNoiseRate(IReadOnlyList<int> givenLabels, ReadOnlySpan<double> probs, int numClasses, double[,] joint, Ranking ranking,
        double maxSelfConfidence)
    {
        int rows = givenLabels.Count;
        double[] values = probs.ToArray();
        var flagged = new HashSet<int>();
        for (int i = 0; i < numClasses; i++)
        {
            int[] members = Enumerable.Range(0, rows).Where(r => givenLabels[r] == i).ToArray();
            for (int j = 0; j < numClasses; j++)
            {
                if (j == i)
                {
                    continue;
                }
                int count = (int)Math.Round(rows * joint[i, j]);
                foreach (int r in members.OrderByDescending(r => values[(r * numClasses) + j] - values[(r * numClasses) + i]).Take(count))
                {
                    flagged.Add(r);
                }
            }
        }

        var issues = new List<LabelIssue>(flagged.Count);
        foreach (int r in flagged)
        {
            ReadOnlySpan<double> row = values.AsSpan(r * numClasses, numClasses);
            int given = givenLabels[r];
            int suggested = 0;
            double largestOther = double.NegativeInfinity;
            for (int k = 0; k < numClasses; k++)
            {
                suggested = row[k] > row[suggested] ? k : suggested;
                if (k != given)
                {
                    largestOther = Math.Max(largestOther, row[k]);
                }
            }
            if (suggested == given || (maxSelfConfidence < 1 && row[given] >= maxSelfConfidence))
            {
                // The model agrees with the given label, or doubts it too little, so the example is kept.
                continue;
            }
            double quality = ranking == Ranking.SelfConfidence ? row[given] : row[given] - largestOther;
            issues.Add(new LabelIssue(r, given, suggested, quality));
        }
        return issues.OrderBy(issue => issue.Quality).ThenBy(issue => issue.Index).ToArray();
    }
}
