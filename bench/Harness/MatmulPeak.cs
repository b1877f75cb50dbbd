using System.Diagnostics;
using TorchSharp;
using static TorchSharp.torch;

namespace Negentropy.Bench;

/// <summary>
/// The practical fp32 peak of this processor through libtorch: GFLOP/s of a square matrix product,
/// 2·n³ operations each, timed after warm-up at the current libtorch thread count.
/// </summary>
public static class MatmulPeak
{
    public const int DefaultSize = 2048;

    /// <summary>Returns the median GFLOP/s of <paramref name="repeats"/> products of two n×n matrices.</summary>
    public static double Measure(int size = DefaultSize, int repeats = 7)
    {
        using var scope = NewDisposeScope();
        using var noGrad = torch.no_grad();
        var generator = new Generator(1);
        Tensor a = randn(new long[] { size, size }, generator: generator);
        Tensor b = randn(new long[] { size, size }, generator: generator);
        for (int i = 0; i < 2; i++)
        {
            using Tensor warm = a.matmul(b);
        }
        var rates = new double[repeats];
        for (int i = 0; i < repeats; i++)
        {
            long started = Stopwatch.GetTimestamp();
            using Tensor product = a.matmul(b);
            rates[i] = 2.0 * size * size * size / Stopwatch.GetElapsedTime(started).TotalSeconds / 1e9;
        }
        Array.Sort(rates);
        return rates[repeats / 2];
    }
}
