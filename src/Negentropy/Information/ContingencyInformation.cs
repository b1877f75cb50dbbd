namespace Negentropy.Information;

/// <summary>
/// Information between true labels Y and predicted labels Ŷ, from their contingency table
/// (rows Y, columns Ŷ): entropies, conditional entropy H(Y|Ŷ) and mutual information I(Y;Ŷ).
/// </summary>
/// <remarks>
/// Plug-in estimates use the empirical frequencies (scikit-learn's mutual_info_score). The
/// Miller–Madow correction (Miller, 1955) adds (m − 1)/(2N) nats to each plug-in entropy, where m is
/// the number of non-empty cells, so I_MM = I + ((m_Y − 1) + (m_Ŷ − 1) − (m_YŶ − 1))/(2N). The correction
/// can take I_MM below 0 on small samples; it is returned as computed.
/// </remarks>
public sealed class ContingencyInformation
{
    private readonly long[,] counts;

    public ContingencyInformation(long[,] counts)
    {
        this.counts = counts;
        Total = 0;
        foreach (long count in counts)
        {
            if (count < 0)
            {
                throw new ArgumentException("contingency counts must be non-negative", nameof(counts));
            }
            Total += count;
        }
    }

    /// <summary>Builds the table of <paramref name="targets"/> against <paramref name="preds"/> over classes 0..numClasses−1.</summary>
    public static ContingencyInformation FromLabels(IReadOnlyList<int> targets, IReadOnlyList<int> preds, int numClasses)
    {
        if (targets.Count != preds.Count)
        {
            throw new ArgumentException($"targets has {targets.Count} entries but preds has {preds.Count}; they must be the same length", nameof(preds));
        }
        var counts = new long[numClasses, numClasses];
        for (int i = 0; i < targets.Count; i++)
        {
            counts[targets[i], preds[i]]++;
        }
        return new ContingencyInformation(counts);
    }

    public long Total { get; }

    /// <summary>Plug-in entropy H(Y) of the row marginal.</summary>
    public double TargetEntropy(LogBase unit = LogBase.Bits) => EntropyOfCounts(RowSums(), Total) * unit.FromNats();

    /// <summary>Plug-in entropy H(Ŷ) of the column marginal.</summary>
    public double PredictionEntropy(LogBase unit = LogBase.Bits) => EntropyOfCounts(ColumnSums(), Total) * unit.FromNats();

    /// <summary>Plug-in joint entropy H(Y, Ŷ).</summary>
    public double JointEntropy(LogBase unit = LogBase.Bits) => EntropyOfCounts(Cells(), Total) * unit.FromNats();

    /// <summary>Plug-in mutual information I(Y;Ŷ) = H(Y) + H(Ŷ) − H(Y,Ŷ), never below 0.</summary>
    public double MutualInformation(LogBase unit = LogBase.Bits)
    {
        if (Total == 0)
        {
            return 0;
        }
        long[] rows = RowSums();
        long[] columns = ColumnSums();
        double nats = 0;
        for (int i = 0; i < counts.GetLength(0); i++)
        {
            for (int j = 0; j < counts.GetLength(1); j++)
            {
                long n = counts[i, j];
                if (n > 0)
                {
                    // p(y,ŷ)·log(p(y,ŷ) / (p(y)·p(ŷ))) with the N factors folded into one ratio.
                    nats += (double)n / Total * Math.Log((double)n * Total / ((double)rows[i] * columns[j]));
                }
            }
        }
        return Math.Max(0, nats) * unit.FromNats();
    }

    /// <summary>Miller–Madow bias-corrected mutual information.</summary>
    public double MutualInformationMillerMadow(LogBase unit = LogBase.Bits)
    {
        if (Total == 0)
        {
            return 0;
        }
        int rowCells = RowSums().Count(n => n > 0);
        int columnCells = ColumnSums().Count(n => n > 0);
        int jointCells = Cells().Count(n => n > 0);
        double correction = ((rowCells - 1) + (columnCells - 1) - (jointCells - 1)) / (2.0 * Total);
        return (MutualInformation(LogBase.Nats) + correction) * unit.FromNats();
    }

    /// <summary>Conditional entropy H(Y|Ŷ) = H(Y) − I(Y;Ŷ): the uncertainty about Y left after seeing the prediction.</summary>
    public double ConditionalEntropy(LogBase unit = LogBase.Bits) => Math.Max(0, TargetEntropy(unit) - MutualInformation(unit));

    private static double EntropyOfCounts(IEnumerable<long> cellCounts, long total)
    {
        if (total == 0)
        {
            return 0;
        }
        double nats = 0;
        foreach (long n in cellCounts)
        {
            if (n > 0)
            {
                double p = (double)n / total;
                nats -= p * Math.Log(p);
            }
        }
        return nats;
    }

    private long[] RowSums()
    {
        var sums = new long[counts.GetLength(0)];
        for (int i = 0; i < counts.GetLength(0); i++)
        {
            for (int j = 0; j < counts.GetLength(1); j++)
            {
                sums[i] += counts[i, j];
            }
        }
        return sums;
    }

    private long[] ColumnSums()
    {
        var sums = new long[counts.GetLength(1)];
        for (int i = 0; i < counts.GetLength(0); i++)
        {
            for (int j = 0; j < counts.GetLength(1); j++)
            {
                sums[j] += counts[i, j];
            }
        }
        return sums;
    }

    private IEnumerable<long> Cells()
    {
        foreach (long count in counts)
        {
            yield return count;
        }
    }
}
