using TorchSharp;
using static TorchSharp.torch;

namespace Negentropy.Data;

/// <summary>
/// Applies <see cref="AugmentationOptions"/> to a batch of normalized images [B, C, H, W]. Every random
/// draw comes from the <see cref="Random"/> passed in, so a batch seeded by (seed, epoch, step) is the
/// same in a resumed run.
/// </summary>
/// <remarks>
/// Flip, crop and rotation are one affine map per image, sampled bilinearly, and integer crop offsets move
/// pixels exactly. Pixels that come from outside the image are black (0 before normalization). Erased
/// rectangles are set to 0 after normalization, which is the channel mean.
/// </remarks>
public sealed class ImageAugmenter
{
    private const int ErasingAttempts = 10;
    private const double ErasingMinArea = 0.02;
    private const double ErasingMaxArea = 0.33;
    private const double ErasingMinAspect = 0.3;

    private readonly AugmentationOptions options;
    private readonly float[] blackLevel;

    public ImageAugmenter(AugmentationOptions options, ChannelNormalization normalization)
    {
        this.options = options;
        blackLevel = normalization.Mean.Zip(normalization.Std, (mean, std) => (float)(-mean / std)).ToArray();
    }

    public AugmentationOptions Options => options;

    /// <summary>A generator for one batch, fixed by the run's seed, the epoch and the step.</summary>
    public static Random BatchRandom(int seed, int epoch, int step) =>
        new(unchecked((seed * 1_000_003) ^ (epoch * 7_919) ^ (step * 104_729) ^ 0x0A06));

    /// <summary>Returns an augmented copy of <paramref name="images"/>, in the caller's dispose scope.</summary>
    public Tensor Apply(Tensor images, Random random)
    {
        if (!options.IsEnabled)
        {
            return images.alias();
        }
        int batch = (int)images.shape[0];
        int height = (int)images.shape[2];
        int width = (int)images.shape[3];
        Tensor result = images;
        if (options.HorizontalFlip || options.CropPadding > 0 || options.RotationDegrees > 0)
        {
            result = Warp(images, AffineParameters(batch, height, width, random));
        }
        if (options.ErasingProbability > 0)
        {
            float[]? keep = ErasingMask(batch, height, width, random);
            if (keep is not null)
            {
                result = result.mul(tensor(keep, new long[] { batch, 1, height, width }));
            }
        }
        return ReferenceEquals(result, images) ? images.alias() : result;
    }

    // θ per image maps output coordinates to input coordinates, both normalized to [-1, 1] (align_corners false).
    private float[] AffineParameters(int batch, int height, int width, Random random)
    {
        var theta = new float[batch * 6];
        for (int b = 0; b < batch; b++)
        {
            double angle = options.RotationDegrees > 0 ? (random.NextDouble() * 2 - 1) * options.RotationDegrees * Math.PI / 180 : 0;
            double mirror = options.HorizontalFlip && random.NextDouble() < 0.5 ? -1 : 1;
            int shiftX = options.CropPadding > 0 ? random.Next(-options.CropPadding, options.CropPadding + 1) : 0;
            int shiftY = options.CropPadding > 0 ? random.Next(-options.CropPadding, options.CropPadding + 1) : 0;
            double cos = Math.Cos(angle);
            double sin = Math.Sin(angle);
            // Rotation acts on pixel coordinates, so the aspect ratio enters the normalized form.
            double aspect = (double)height / width;
            int o = b * 6;
            theta[o] = (float)(cos * mirror);
            theta[o + 1] = (float)(-sin * aspect);
            theta[o + 2] = (float)(2.0 * shiftX / width);
            theta[o + 3] = (float)(sin * mirror / aspect);
            theta[o + 4] = (float)cos;
            theta[o + 5] = (float)(2.0 * shiftY / height);
        }
        return theta;
    }

    private Tensor Warp(Tensor images, float[] theta)
    {
        long[] shape = images.shape;
        Tensor affine = tensor(theta, new long[] { shape[0], 2, 3 });
        Tensor grid = nn.functional.affine_grid(affine, shape, align_corners: false);
        // grid_sample fills with 0, so shifting by the black level first makes the fill black instead.
        Tensor black = tensor(blackLevel, new long[] { 1, shape[1], 1, 1 });
        Tensor sampled = nn.functional.grid_sample(images.sub(black), grid,
            mode: GridSampleMode.Bilinear, padding_mode: GridSamplePaddingMode.Zeros, align_corners: false);
        return sampled.add_(black);
    }

    // 1 keeps a pixel and 0 erases it. The mask is null when no image in the batch is erased.
    private float[]? ErasingMask(int batch, int height, int width, Random random)
    {
        float[]? keep = null;
        double area = (double)height * width;
        for (int b = 0; b < batch; b++)
        {
            if (random.NextDouble() >= options.ErasingProbability)
            {
                continue;
            }
            for (int attempt = 0; attempt < ErasingAttempts; attempt++)
            {
                double target = area * (ErasingMinArea + random.NextDouble() * (ErasingMaxArea - ErasingMinArea));
                double aspect = Math.Exp(Math.Log(ErasingMinAspect) + random.NextDouble() * (Math.Log(1 / ErasingMinAspect) - Math.Log(ErasingMinAspect)));
                int h = (int)Math.Round(Math.Sqrt(target * aspect));
                int w = (int)Math.Round(Math.Sqrt(target / aspect));
                if (h < 1 || w < 1 || h >= height || w >= width)
                {
                    continue;
                }
                int top = random.Next(height - h + 1);
                int left = random.Next(width - w + 1);
                if (keep is null)
                {
                    keep = new float[batch * height * width];
                    Array.Fill(keep, 1f);
                }
                for (int y = top; y < top + h; y++)
                {
                    Array.Clear(keep, (b * height + y) * width + left, w);
                }
                break;
            }
        }
        return keep;
    }
}
