using System.Text.Json.Serialization;

namespace Negentropy.Data;

/// <summary>
/// Per-channel mean and standard deviation of pixel values scaled to [0, 1]. A pixel p becomes
/// (p / 255 − Mean[c]) / Std[c].
/// </summary>
public sealed record ChannelNormalization(
    [property: JsonPropertyName("mean")] double[] Mean,
    [property: JsonPropertyName("std")] double[] Std)
{
    /// <summary>Computes the statistics of <paramref name="dataset"/> (population standard deviation).</summary>
    public static ChannelNormalization Compute(ImageDataset dataset)
    {
        int channels = dataset.Channels;
        int planeSize = dataset.Height * dataset.Width;
        var sum = new double[channels];
        var sumOfSquares = new double[channels];
        byte[] pixels = dataset.Pixels;
        for (int image = 0; image < dataset.Count; image++)
        {
            for (int channel = 0; channel < channels; channel++)
            {
                long start = ((long)image * channels + channel) * planeSize;
                long channelSum = 0;
                long channelSquares = 0;
                for (int k = 0; k < planeSize; k++)
                {
                    int value = pixels[start + k];
                    channelSum += value;
                    channelSquares += value * value;
                }
                sum[channel] += channelSum;
                sumOfSquares[channel] += channelSquares;
            }
        }

        double count = (double)dataset.Count * planeSize;
        var mean = new double[channels];
        var std = new double[channels];
        for (int channel = 0; channel < channels; channel++)
        {
            double meanRaw = sum[channel] / count;
            double variance = Math.Max(0, (sumOfSquares[channel] / count) - (meanRaw * meanRaw));
            mean[channel] = meanRaw / 255.0;
            // A constant channel would divide by zero; 1 leaves it centred but unscaled.
            std[channel] = variance > 0 ? Math.Sqrt(variance) / 255.0 : 1.0;
        }
        return new ChannelNormalization(mean, std);
    }
}
