using TorchSharp;
using static TorchSharp.torch;
using static TorchSharp.torch.nn;
using TorchSharp.Modules;

namespace Negentropy.Models;

/// <summary>
/// The "resnet" model for small images (He et al., 2016, the CIFAR layout): a 3×3 stem, three stages
/// of n <see cref="BasicBlock"/>s with Width, 2·Width and 4·Width channels (the last two stride 2),
/// global average pooling and a linear classifier. Depth is 6n+2 layers.
/// </summary>
/// <remarks>
/// Initialization: see <see cref="ModelInitialization"/>; in addition the last batch norm of each
/// residual branch starts with weight 0, so every block starts as an identity (Goyal et al., 2017).
/// Activations are kept channels-last (<see cref="ChannelsLast"/>).
/// </remarks>
public sealed class ResNet : Module<Tensor, Tensor>, ILayerActivations
{
    private readonly Sequential stem;
    private readonly Sequential layers;
    private readonly Sequential head;

    public ResNet(ModelSpec spec)
        : base("ResNet")
    {
        if (spec.Depth < 8 || (spec.Depth - 2) % 6 != 0)
        {
            throw new ArgumentOutOfRangeException(nameof(spec), spec.Depth, "resnet depth must be 6n+2 with n ≥ 1 (8, 14, 20, …)");
        }

        int blocksPerStage = (spec.Depth - 2) / 6;
        stem = Sequential(
            ("conv", Conv2d(spec.InputChannels, spec.Width, 3, padding: 1, bias: false)),
            ("bn", BatchNorm2d(spec.Width)),
            ("relu", ReLU(inplace: true)));

        var blocks = new List<(string, Module<Tensor, Tensor>)>();
        int inChannels = spec.Width;
        for (int stage = 0; stage < 3; stage++)
        {
            int outChannels = spec.Width << stage;
            for (int i = 0; i < blocksPerStage; i++)
            {
                int stride = stage > 0 && i == 0 ? 2 : 1;
                blocks.Add(($"stage{stage}_{i}", new BasicBlock(inChannels, outChannels, stride)));
                inChannels = outChannels;
            }
        }
        layers = Sequential(blocks);

        head = Sequential(
            ("pool", AdaptiveAvgPool2d(1)),
            ("flatten", Flatten()),
            ("dropout", Dropout(spec.Dropout)),
            ("fc", Linear(inChannels, spec.Outputs)));
        RegisterComponents();

        ModelInitialization.Apply(this);
        using var noGrad = torch.no_grad();
        foreach (BasicBlock block in modules().OfType<BasicBlock>())
        {
            init.zeros_(block.LastNorm.weight);
        }
    }

    /// <inheritdoc/>
    /// <remarks>Layers: the output of each stage's last block, and "penultimate" (the pooled features).</remarks>
    public Tensor ForwardWithActivations(Tensor input, IList<(string Layer, Tensor Activation)> activations)
    {
        Tensor hidden = stem.forward(ChannelsLast.Input(input));
        var children = layers.named_children().ToList();
        for (int i = 0; i < children.Count; i++)
        {
            hidden = ((Module<Tensor, Tensor>)children[i].module).forward(hidden);
            string stage = children[i].name.Split('_')[0];
            bool lastOfStage = i + 1 == children.Count || children[i + 1].name.Split('_')[0] != stage;
            if (lastOfStage)
            {
                activations.Add((stage, hidden));
            }
        }
        foreach ((string name, nn.Module layer) in head.named_children())
        {
            // call() runs the layer's forward hooks, as Sequential.forward does, so LoRA adapters take part.
            hidden = ((Module<Tensor, Tensor>)layer).call(hidden);
            if (name == "flatten")
            {
                activations.Add(("penultimate", hidden));
            }
        }
        return hidden;
    }

    public override Tensor forward(Tensor input)
    {
        // input: [B, C, H, W] → stem: [B, Width, H, W] → layers: [B, 4·Width, H/4, W/4] → logits: [B, K]
        using var scope = NewDisposeScope();
        Tensor hidden = layers.forward(stem.forward(ChannelsLast.Input(input)));
        return head.forward(hidden).MoveToOuterDisposeScope();
    }
}
