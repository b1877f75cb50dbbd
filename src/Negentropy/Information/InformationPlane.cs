using System.Text.Json.Serialization;
using static TorchSharp.torch;

namespace Negentropy.Information;

/// <summary>
/// The information plane (Shwartz-Ziv &amp; Tishby, 2017): for each hidden layer T, estimates of I(X;T)
/// and I(T;Y) in bits on a fixed probe set, with two estimators.
/// </summary>
/// <remarks>
/// "binning": each activation is put in one of 30 equal-width bins over the layer's observed range, as
/// in the paper; since the probe inputs are distinct, I(X;T) = H(T) of the binned vectors, and
/// I(T;Y) = H(T) − H(T|Y). "kde" is the pairwise-distance upper bound for a Gaussian mixture
/// (Kolchinsky &amp; Tracey, 2017, as used by Saxe et al., 2018), with noise variance 0.1 added to T.
/// It gives I(X;T) ≤ −(1/N) Σᵢ log (1/N) Σⱼ exp(−‖tᵢ − tⱼ‖² / 2σ²), and I(T;Y) is that bound minus its
/// class-conditional average. Both estimates depend on the estimator, the bin count or noise variance,
/// and the activation function (Saxe et al., 2018); they describe trends, not exact quantities.
/// NOTE: on layers with thousands of units (the cnn's conv blocks) every probe vector falls in its own
/// bin pattern, so binning gives I(X;T) = log₂ N and I(T;Y) = H(Y) at every epoch; so does the KDE bound
/// when pairwise distances dwarf the noise variance. Narrow layers are where the trajectories move.
/// </remarks>
public static class InformationPlane
{
    public const int DefaultProbeSize = 1000;
    public const int DefaultBins = 30;
    public const double KdeNoiseVariance = 0.1;

    /// <summary>One estimate for one layer at one epoch (a line of information_plane.jsonl, format version 1).</summary>
    public sealed record Point(
        [property: JsonPropertyName("epoch")] int Epoch,
        [property: JsonPropertyName("layer")] string Layer,
        [property: JsonPropertyName("estimator")] string Estimator,
        [property: JsonPropertyName("parameter")] double Parameter,
        [property: JsonPropertyName("i_xt_bits")] double MutualInformationXT,
        [property: JsonPropertyName("i_ty_bits")] double MutualInformationTY);

    /// <summary>Estimates both quantities with both estimators for every layer's activations [N, …] of the probe set.</summary>
    public static IReadOnlyList<Point> Measure(IReadOnlyList<(string Layer, Tensor Activation)> activations, int[] labels, int epoch)
    {
        var points = new List<Point>();
        foreach ((string layer, Tensor activation) in activations)
        {
            using var scope = NewDisposeScope();
            Tensor flat = activation.detach().reshape(activation.shape[0], -1).to_type(ScalarType.Float32);
            float[] values = flat.data<float>().ToArray();
            int dimensions = (int)flat.shape[1];
            (double binnedXT, double binnedTY) = Binning(values, labels, dimensions, DefaultBins);
            points.Add(new Point(epoch, layer, "binning", DefaultBins, binnedXT, binnedTY));
            (double kdeXT, double kdeTY) = KdeUpperBound(flat, labels, KdeNoiseVariance);
            points.Add(new Point(epoch, layer, "kde", KdeNoiseVariance, kdeXT, kdeTY));
        }
        return points;
    }

    /// <summary>Binning estimates in bits for activations [samples, dimensions], row-major.</summary>
    public static (double MutualInformationXT, double MutualInformationTY) Binning(float[] values, int[] labels, int dimensions, int bins)
    {
        float min = values.Length == 0 ? 0 : values.Min();
        float max = values.Length == 0 ? 0 : values.Max();
        double width = (max - min) / bins;
        int samples = labels.Length;
        var hashes = new ulong[samples];
        for (int i = 0; i < samples; i++)
        {
            // FNV-1a over the bin indices identifies each binned vector.
            ulong hash = 14695981039346656037UL;
            for (int d = 0; d < dimensions; d++)
            {
                int bin = width <= 0 ? 0 : Math.Min(bins - 1, (int)((values[(i * dimensions) + d] - min) / width));
                hash = (hash ^ (ulong)bin) * 1099511628211UL;
            }
            hashes[i] = hash;
        }

        double entropy = EntropyOfKeys(hashes);
        double conditional = 0;
        foreach (IGrouping<int, int> group in Enumerable.Range(0, samples).GroupBy(i => labels[i]))
        {
            ulong[] classHashes = group.Select(i => hashes[i]).ToArray();
            conditional += (double)classHashes.Length / samples * EntropyOfKeys(classHashes);
        }
        return (entropy, entropy - conditional);
    }

    /// <summary>KDE upper-bound estimates in bits for activations [samples, dimensions].</summary>
    public static (double MutualInformationXT, double MutualInformationTY) KdeUpperBound(Tensor activations, int[] labels, double noiseVariance)
    {
        using var scope = NewDisposeScope();
        double informationXT = PairwiseBound(activations, noiseVariance);
        double conditional = 0;
        foreach (IGrouping<int, int> group in Enumerable.Range(0, labels.Length).GroupBy(i => labels[i]))
        {
            Tensor members = activations.index_select(0, tensor(group.Select(i => (long)i).ToArray()));
            conditional += (double)group.Count() / labels.Length * PairwiseBound(members, noiseVariance);
        }
        return (informationXT, Math.Max(0, informationXT - conditional));
    }

    // −(1/N) Σᵢ log (1/N) Σⱼ exp(−‖tᵢ − tⱼ‖² / 2σ²), in bits.
    private static double PairwiseBound(Tensor activations, double noiseVariance)
    {
        long count = activations.shape[0];
        if (count < 2)
        {
            return 0;
        }
        // Distances are float64, and each point's distance to itself is exactly 0, which float32 cdist
        // can miss. Without that the bound could exceed its ceiling, log₂ N.
        Tensor points = activations.to_type(ScalarType.Float64);
        Tensor squared = cdist(points, points).pow(2).mul(ones(count, count, ScalarType.Float64).sub(eye(count, dtype: ScalarType.Float64)));
        Tensor logKernel = squared.div(-2 * noiseVariance).logsumexp(1).sub(Math.Log(count));
        return -logKernel.mean().item<double>() / Math.Log(2);
    }

    private static double EntropyOfKeys(ulong[] keys)
    {
        double bits = 0;
        foreach (IGrouping<ulong, ulong> group in keys.GroupBy(k => k))
        {
            double p = (double)group.Count() / keys.Length;
            bits -= p * Math.Log2(p);
        }
        return bits;
    }
}
