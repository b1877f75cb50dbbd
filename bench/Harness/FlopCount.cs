using Negentropy.Models;

namespace Negentropy.Bench;

/// <summary>
/// Floating-point operations of one forward pass per sample, summed over the layers that dominate each
/// model as <see cref="ConvNet"/>, <see cref="ResNet"/>, <see cref="TextCnn"/> and <see cref="FastTextClassifier"/>
/// build them. A multiply-add counts as 2. Training costs about 3 times the forward pass: the backward
/// pass computes gradients for both the inputs and the weights of each layer.
/// </summary>
/// <remarks>
/// Image models: the convolution and linear layers. Batch norm, activations, pooling and the loss are left
/// out: a few operations per activation, an estimated 2–3% of the total for these models.
/// <para>
/// textcnn: each 1-D convolution at all of its output positions, length − filter size + 1, whether or not
/// the mask later drops them. A row shorter than the widest filter is padded to it first. The linear layer is added.
/// </para>
/// <para>
/// fasttext: the mean of the embeddings counts one FLOP per element for each of the row's token
/// positions: (length − 1) additions and one division per element. The count covers the whole row
/// including padding ids, which the EmbeddingBag skips, so it is an upper bound for padded rows. The
/// linear layer is added.
/// </para>
/// <para>
/// Embedding lookups are memory reads and count as no FLOPs. ReLU, the masks, max-pooling over time and
/// dropout are left out as well.
/// </para>
/// </remarks>
public static class FlopCount
{
    public const double TrainingFactor = 3;

    /// <summary>Returns the forward FLOPs per sample of the model <paramref name="spec"/> describes, with <see cref="ModelSpec.MaxLength"/> tokens per text.</summary>
    public static double Forward(ModelSpec spec) => spec.Architecture switch
    {
        "cnn" => ConvNetForward(spec),
        "resnet" => ResNetForward(spec),
        "textcnn" => TextCnnForward(spec),
        "fasttext" => FastTextForward(spec),
        _ => throw new ArgumentException($"FLOP counting covers cnn, resnet, textcnn and fasttext, not {spec.Architecture}", nameof(spec)),
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

    private static double TextCnnForward(ModelSpec spec)
    {
        int length = Math.Max(spec.MaxLength, TextCnn.FilterSizes.Max());
        double flops = 0;
        foreach (int size in TextCnn.FilterSizes)
        {
            int positions = length - size + 1;
            flops += 2.0 * spec.Width * TextCnn.FiltersPerSize * size * positions;
        }
        return flops + Linear(TextCnn.FiltersPerSize * TextCnn.FilterSizes.Count, spec.Outputs);
    }

    private static double FastTextForward(ModelSpec spec) =>
        ((double)spec.MaxLength * spec.Width) + Linear(spec.Width, spec.Outputs);
}
