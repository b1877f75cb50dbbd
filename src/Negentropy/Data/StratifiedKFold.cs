namespace Negentropy.Data;

/// <summary>
/// Assigns each sample to one of K folds, class by class, so every fold keeps each class's share. The
/// same labels, K and seed always give the same folds.
/// </summary>
public static class StratifiedKFold
{
    /// <summary>Returns the fold (0 to <paramref name="folds"/> − 1) of each sample.</summary>
    public static int[] Assign(IReadOnlyList<int> labels, int folds, int seed)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(folds, 2);
        var fold = new int[labels.Count];
        var random = new Random(seed);
        // Each class continues where the previous one stopped, so fold sizes differ by at most one.
        int next = 0;
        foreach (IGrouping<int, int> group in Enumerable.Range(0, labels.Count).GroupBy(i => labels[i]).OrderBy(g => g.Key))
        {
            int[] members = group.ToArray();
            random.Shuffle(members);
            foreach (int member in members)
            {
                fold[member] = next;
                next = (next + 1) % folds;
            }
        }
        return fold;
    }
}
