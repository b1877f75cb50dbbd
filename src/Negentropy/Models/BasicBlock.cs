using TorchSharp;
using static TorchSharp.torch;
using static TorchSharp.torch.nn;
using TorchSharp.Modules;

namespace Negentropy.Models;

/// <summary>
/// A residual block of two 3×3 convolutions with batch norm (He et al., 2016). When the stride or the
/// channel count changes, the shortcut is a 1×1 convolution with batch norm.
/// </summary>
public sealed class BasicBlock : Module<Tensor, Tensor>
{
    private readonly Module<Tensor, Tensor> conv1;
    private readonly BatchNorm2d bn1;
    private readonly Module<Tensor, Tensor> conv2;
    private readonly BatchNorm2d bn2;
    private readonly Module<Tensor, Tensor>? downsample;

    public BasicBlock(int inChannels, int outChannels, int stride)
        : base("BasicBlock")
    {
        conv1 = Conv2d(inChannels, outChannels, 3, stride: stride, padding: 1, bias: false);
        bn1 = BatchNorm2d(outChannels);
        conv2 = Conv2d(outChannels, outChannels, 3, padding: 1, bias: false);
        bn2 = BatchNorm2d(outChannels);
        if (stride != 1 || inChannels != outChannels)
        {
            downsample = Sequential(
                ("0", Conv2d(inChannels, outChannels, 1, stride: stride, bias: false)),
                ("1", BatchNorm2d(outChannels)));
        }
        RegisterComponents();
    }

    /// <summary>The batch norm that ends the residual branch; zeroing its weight starts the block as an identity.</summary>
    public BatchNorm2d LastNorm => bn2;

    public override Tensor forward(Tensor input)
    {
        using var scope = NewDisposeScope();
        // In-place ReLUs, as in torchvision: batch norm's backward pass reads its input, not its output.
        Tensor branch = bn1.forward(conv1.forward(input)).relu_();
        branch = bn2.forward(conv2.forward(branch));
        // With gradients on, the 1×1 shortcut runs on an NCHW copy: libtorch 2.10's oneDNN corrupts the heap in the
        // channels-last weight gradient of a strided 1×1 convolution with few channels, 2 threads and an odd batch.
        Tensor shortcut = downsample is null ? input : downsample.forward(torch.is_grad_enabled() ? input.contiguous() : input);
        return branch.add_(shortcut).relu_().MoveToOuterDisposeScope();
    }
}
