using TorchSharp;
using static TorchSharp.torch;

namespace Negentropy.Models;

/// <summary>
/// Channels-last (NHWC) strides for image batches. Shapes and values stay the same; only the order of the
/// elements in memory changes.
/// </summary>
/// <remarks>
/// libtorch's oneDNN convolution returns a channels-last output when its input is channels-last, and
/// batch norm, ReLU, pooling and residual additions keep the layout they are given. So one conversion
/// of a model's input moves the whole network onto oneDNN's NHWC kernels and removes the reorders to
/// and from oneDNN's blocked layout that each NCHW convolution pays for. The one exception is the strided 1×1
/// shortcut of <see cref="BasicBlock"/>, which runs NCHW while gradients are on. The weights stay contiguous,
/// because TorchSharp saves and loads only contiguous tensors.
/// </remarks>
public static class ChannelsLast
{
    /// <summary>Returns <paramref name="batch"/> [N, C, H, W] with channels-last strides, copying only when C &gt; 1.</summary>
    public static Tensor Input(Tensor batch)
    {
        if (batch.dim() != 4 || IsChannelsLast(batch))
        {
            return batch.alias();
        }
        long[] shape = batch.shape;
        if (shape[1] == 1)
        {
            // With one channel, NCHW and NHWC order the elements the same way, so a view suffices:
            // [N, H, W, 1] permuted to [N, 1, H, W] has the strides (H·W, 1, W, 1).
            using Tensor contiguous = batch.contiguous();
            using Tensor nhwcView = contiguous.reshape(shape[0], shape[2], shape[3], 1);
            return nhwcView.permute(0, 3, 1, 2);
        }
        using Tensor nhwc = batch.permute(0, 2, 3, 1).contiguous();
        return nhwc.permute(0, 3, 1, 2);
    }

    /// <summary>
    /// True when a 4-D tensor's strides are those of a contiguous NHWC tensor of its shape, with libtorch's
    /// rule for one channel: the channel stride must be 1, which separates NHWC from NCHW.
    /// </summary>
    public static bool IsChannelsLast(Tensor tensor)
    {
        if (tensor.dim() != 4)
        {
            return false;
        }
        long[] shape = tensor.shape;
        long[] strides = tensor.stride();
        long[] expected = { shape[1] * shape[2] * shape[3], 1, shape[3] * shape[1], shape[1] };
        return strides[1] == 1 && Enumerable.Range(0, 4).All(d => shape[d] == 1 || strides[d] == expected[d]);
    }
}
