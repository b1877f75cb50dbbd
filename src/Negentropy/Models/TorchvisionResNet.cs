using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;
using static TorchSharp.torch.nn;

namespace Negentropy.Models;

/// <summary>
/// The "resnet18" and "resnet34" models in torchvision's ImageNet layout (He et al., 2016): conv1 7×7
/// stride 2 → bn1 → relu → maxpool 3×3 stride 2, then layer1 to layer4 of <see cref="BasicBlock"/>s
/// ([2, 2, 2, 2] or [3, 4, 6, 3]) with Width, 2·Width, 4·Width and 8·Width channels (layer2 to layer4
/// start with stride 2 and a downsample of a 1×1 convolution and batch norm), avgpool, dropout and fc.
/// Width 64 is torchvision's resnet18 and resnet34.
/// </summary>
/// <remarks>
/// The module names give exactly torchvision's state-dict keys (conv1.weight, layer1.0.bn1.running_mean,
/// layer2.0.downsample.0.weight, fc.bias, …), so a torchvision state dict loads without renaming. As in
/// torchvision, each batch norm has a num_batches_tracked buffer, an int64 scalar. The dropout has no
/// state and is off in eval mode, so eval-mode logits equal torchvision's. The optional
/// <see cref="InputAdapter"/> in the spec runs first. Initialization as torchvision's: see
/// <see cref="ModelInitialization"/>, and no zero-initialized residual batch norm. Activations are kept
/// channels-last (<see cref="ChannelsLast"/>).
/// </remarks>
public sealed class TorchvisionResNet : Module<Tensor, Tensor>, ILayerActivations
{
    private readonly Conv2d conv1;
    private readonly BatchNorm2d bn1;
    private readonly ReLU relu;
    private readonly MaxPool2d maxpool;
    private readonly Sequential layer1;
    private readonly Sequential layer2;
    private readonly Sequential layer3;
    private readonly Sequential layer4;
    private readonly AdaptiveAvgPool2d avgpool;
    private readonly Dropout dropout;
    private readonly Linear fc;
    private readonly InputAdapter? adapter;

    public TorchvisionResNet(ModelSpec spec)
        : base("TorchvisionResNet")
    {
        int[] blocks = BlocksPerStage(spec.Architecture);
        adapter = spec.InputAdapter;
        int stemChannels = adapter?.Channels ?? spec.InputChannels;
        if (stemChannels != 3 || (adapter is not null && adapter.InputChannels != spec.InputChannels))
        {
            throw new ArgumentException(
                $"{spec.Architecture} takes 3-channel images; {spec.InputChannels}-channel input needs an input adapter to 3 channels in the spec", nameof(spec));
        }

        conv1 = Conv2d(3, spec.Width, 7, stride: 2, padding: 3, bias: false);
        bn1 = BatchNorm2d(spec.Width);
        relu = ReLU(inplace: true);
        maxpool = MaxPool2d(3, stride: 2, padding: 1);
        layer1 = MakeLayer(spec.Width, spec.Width, blocks[0], stride: 1);
        layer2 = MakeLayer(spec.Width, 2 * spec.Width, blocks[1], stride: 2);
        layer3 = MakeLayer(2 * spec.Width, 4 * spec.Width, blocks[2], stride: 2);
        layer4 = MakeLayer(4 * spec.Width, 8 * spec.Width, blocks[3], stride: 2);
        avgpool = AdaptiveAvgPool2d(1);
        dropout = Dropout(spec.Dropout);
        fc = Linear(8 * spec.Width, spec.Outputs);
        RegisterComponents();
        ModelInitialization.Apply(this);
    }

    /// <summary>Returns the BasicBlock count of layer1 to layer4: [2, 2, 2, 2] for resnet18, [3, 4, 6, 3] for resnet34.</summary>
    public static int[] BlocksPerStage(string architecture) => architecture switch
    {
        "resnet18" => new[] { 2, 2, 2, 2 },
        "resnet34" => new[] { 3, 4, 6, 3 },
        _ => throw new ArgumentException($"'{architecture}' is not an ImageNet-layout ResNet: expected resnet18 or resnet34", nameof(architecture)),
    };

    /// <inheritdoc/>
    /// <remarks>Layers: layer1 to layer4 (each stage's output) and "penultimate" (the pooled features).</remarks>
    public Tensor ForwardWithActivations(Tensor input, IList<(string Layer, Tensor Activation)> activations)
    {
        Tensor hidden = Stem(input);
        foreach ((string name, Sequential layer) in new[] { ("layer1", layer1), ("layer2", layer2), ("layer3", layer3), ("layer4", layer4) })
        {
            hidden = layer.forward(hidden);
            activations.Add((name, hidden));
        }
        hidden = avgpool.forward(hidden).flatten(1);
        activations.Add(("penultimate", hidden));
        return fc.forward(dropout.forward(hidden));
    }

    public override Tensor forward(Tensor input)
    {
        // input: [B, C, H, W] → adapter: [B, 3, H', W'] → stem: [B, Width, H'/4, W'/4] → layer4: [B, 8·Width, H'/32, W'/32] → logits: [B, K]
        using var scope = NewDisposeScope();
        Tensor hidden = layer4.forward(layer3.forward(layer2.forward(layer1.forward(Stem(input)))));
        Tensor pooled = avgpool.forward(hidden).flatten(1);
        return fc.forward(dropout.forward(pooled)).MoveToOuterDisposeScope();
    }

    private Tensor Stem(Tensor input)
    {
        using var scope = NewDisposeScope();
        Tensor adapted = adapter is null ? input.alias() : adapter.Apply(input);
        Tensor hidden = maxpool.forward(relu.forward(bn1.forward(conv1.forward(ChannelsLast.Input(adapted)))));
        return hidden.MoveToOuterDisposeScope();
    }

    private static Sequential MakeLayer(int inChannels, int outChannels, int blockCount, int stride)
    {
        var blocks = new List<(string, Module<Tensor, Tensor>)>();
        for (int i = 0; i < blockCount; i++)
        {
            // torchvision's _make_layer: the first block strides and, when the shape changes, downsamples the shortcut.
            blocks.Add((i.ToString(System.Globalization.CultureInfo.InvariantCulture), new BasicBlock(i == 0 ? inChannels : outChannels, outChannels, i == 0 ? stride : 1)));
        }
        return Sequential(blocks);
    }
}
