using Negentropy.Models;

namespace Negentropy.Bench;

/// <summary>
/// Floating-point operations of one forward pass per sample, summed over the convolution and linear
/// layers of an image model as <see cref="ConvNet"/> and <see cref="ResNet"/> build them. A multiply-add
/// counts as 2. Batch norm, activations, pooling and the loss are left out: a few operations per
/// activation, an estimated 2–3% of the total for these models. Training costs about 3 times the forward pass: the backward pass computes gradients
/// for both the inputs and the weights of each layer.
/// </summary>
public static class FlopCount
{
    public const double TrainingFactor = 3;

    /// <summary>Returns the forward FLOPs per sample of the model <paramref name="spec"/> describes.</summary>
    public static double Forward(ModelSpec spec) => spec.Architecture switch
    {
        "cnn" => ConvNetForward(spec),
        "resnet" => ResNetForward(spec),
        _ => throw new ArgumentException($"FLOP counting covers cnn and resnet, not {spec.Architecture}", nameof(spec)),
    };

    // A k×k convolution producing an outHeight×outWidth map.
    private static double Conv(int inChannels, int outChannels, int kernel, int outHeight, int outWidth) =>
        2.0 * inChannels * outChannels * kernel * kernel * outHeight * outWidth;

    private static double Linear(int inFeatures, int outFeatures) => 2.0 * inFeatures * outFeatures;

    private static double ConvNetForward(ModelSpec spec)
    {
        double flops = 0;
        int channels = spec.InputChannels;
        int height = spec.InputHeight;
        int width = spec.InputWidth;
        for (int block = 0; block < spec.Depth; block++)
        {
            // 3×3 convolution with padding 1 at the block's resolution, then a 2×2 max-pool.
            int outChannels = spec.Width << block;
            flops += Conv(channels, outChannels, 3, height, width);
            channels = outChannels;
            height /= 2;
            width /= 2;
        }
        int hidden = 4 * spec.Width;
        return flops + Linear(channels * height * width, hidden) + Linear(hidden, spec.Outputs);
    }

    private static double ResNetForward(ModelSpec spec)
    {
        int height = spec.InputHeight;
        int width = spec.InputWidth;
        double flops = Conv(spec.InputChannels, spec.Width, 3, height, width);
        int blocksPerStage = (spec.Depth - 2) / 6;
        int inChannels = spec.Width;
        for (int stage = 0; stage < 3; stage++)
        {
            int outChannels = spec.Width << stage;
            for (int i = 0; i < blocksPerStage; i++)
            {
                int stride = stage > 0 && i == 0 ? 2 : 1;
                // Padding 1 keeps ⌈size / stride⌉ for a 3×3 kernel; the 1×1 shortcut has the same output size.
                height = (height + stride - 1) / stride;
                width = (width + stride - 1) / stride;
                flops += Conv(inChannels, outChannels, 3, height, width) + Conv(outChannels, outChannels, 3, height, width);
                if (stride != 1 || inChannels != outChannels)
                {
                    flops += Conv(inChannels, outChannels, 1, height, width);
                }
                inChannels = outChannels;
            }
        }
        return flops + Linear(inChannels, spec.Outputs);
    }
}
