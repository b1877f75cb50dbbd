namespace Negentropy.Data;

/// <summary>
/// Splits sample indices into training and validation parts, class by class, so each class keeps its
/// share. The same labels, fraction and seed always give the same split.
/// </summary>
public static class StratifiedSplit
{
    /// <summary>Returns sorted training and validation indices.</summary>
    /// <param name="labels">Class index per sample.</param>
    /// <param name="validationFraction">Share of each class that goes to validation, in [0, 1).</param>
    /// <param name="seed">Seed of the shuffle within each class.</param>
    public static (int[] Train, int[] Validation) Split(IReadOnlyList<int> labels, double validationFraction, int seed)
    {
        if (validationFraction is < 0 or >= 1 || double.IsNaN(validationFraction))
        {
            throw new ArgumentOutOfRangeException(nameof(validationFraction), validationFraction, "must be in [0, 1)");
        }

        var train = new List<int>(labels.Count);
        var validation = new List<int>();
        var random = new Random(seed);
        foreach (IGrouping<int, int> group in Enumerable.Range(0, labels.Count).GroupBy(i => labels[i]).OrderBy(g => g.Key))
        {
            int[] members = group.ToArray();
            random.Shuffle(members);
            int validationCount = (int)Math.Round(members.Length * validationFraction, MidpointRounding.AwayFromZero);
            validation.AddRange(members.Take(validationCount));
            train.AddRange(members.Skip(validationCount));
        }

        train.Sort();
        validation.Sort();
        return (train.ToArray(), validation.ToArray());
    }
}
