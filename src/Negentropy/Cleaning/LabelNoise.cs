namespace Negentropy.Cleaning;

/// <summary>Flips a known share of labels, for measuring how well label issues are found.</summary>
public static class LabelNoise
{
    /// <summary>
    /// Returns a copy of <paramref name="labels"/> in which round(<paramref name="rate"/> × N) samples, chosen
    /// uniformly with <paramref name="seed"/>, carry another class drawn uniformly, and the sorted flipped indices.
    /// </summary>
    public static (int[] Labels, int[] Flipped) FlipUniform(IReadOnlyList<int> labels, int numClasses, double rate, int seed)
    {
        if (!(rate is >= 0 and <= 1))
        {
            throw new ArgumentOutOfRangeException(nameof(rate), rate, "must be in [0, 1]");
        }
        ArgumentOutOfRangeException.ThrowIfLessThan(numClasses, 2);
        int[] noisy = labels.ToArray();
        int[] order = Enumerable.Range(0, noisy.Length).ToArray();
        var random = new Random(seed);
        random.Shuffle(order);
        int[] flipped = order.Take((int)Math.Round(rate * noisy.Length, MidpointRounding.AwayFromZero)).Order().ToArray();
        foreach (int index in flipped)
        {
            // A draw from the other numClasses − 1 classes.
            int other = random.Next(numClasses - 1);
            noisy[index] = other >= noisy[index] ? other + 1 : other;
        }
        return (noisy, flipped);
    }
}
