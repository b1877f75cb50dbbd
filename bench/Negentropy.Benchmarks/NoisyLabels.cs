using System.Globalization;
using Negentropy.Cleaning;
using Negentropy.Data;

namespace Negentropy.Benchmarks;

/// <summary>
/// Writes an IDX folder with the first N Fashion-MNIST training images, a share of their labels flipped
/// uniformly to another class, the full test set, and flipped.csv listing the flipped indices.
/// Usage: --noisy-labels OUT [RATE=0.1] [N=10000] [SEED=7].
/// </summary>
public static class NoisyLabels
{
    public static void Run(string[] args)
    {
        string folder = args[1];
        double rate = args.Length > 2 ? double.Parse(args[2], CultureInfo.InvariantCulture) : 0.1;
        int count = args.Length > 3 ? int.Parse(args[3], CultureInfo.InvariantCulture) : 10_000;
        int seed = args.Length > 4 ? int.Parse(args[4], CultureInfo.InvariantCulture) : 7;
        ImageDatasetPair pair = FashionMnist.Load();
        ImageDataset train = pair.Train.Take(count);
        (int[] labels, int[] flipped) = LabelNoise.FlipUniform(train.Labels, train.NumClasses, rate, seed);
        var noisy = new ImageDataset(train.Pixels, labels, train.Channels, train.Height, train.Width, train.ClassNames);
        IdxWriter.WriteFolder(folder, noisy, pair.Test);
        File.WriteAllLines(Path.Combine(folder, "flipped.csv"), new[] { "index,true_label,given_label" }
            .Concat(flipped.Select(i => FormattableString.Invariant($"{i},{train.Labels[i]},{labels[i]}"))));
        Console.WriteLine(FormattableString.Invariant($"wrote {folder}: {count} training images, {flipped.Length} labels flipped ({rate:P1}), seed {seed}"));
    }
}
