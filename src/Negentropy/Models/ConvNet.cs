using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;
using static TorchSharp.torch.nn;

namespace Negentropy.Models;

/// <summary>
/// The "cnn" model: <c>Depth</c> blocks of [conv 3×3 → batch norm → ReLU → max-pool 2×2] with
/// Width, 2·Width, 4·Width … channels, then flatten → dropout → linear (4·Width units) → ReLU →
/// dropout → linear classifier. Initialization: see <see cref="ModelInitialization"/>. Activations are
/// kept channels-last (<see cref="ChannelsLast"/>).
/// </summary>
public sealed class ConvNet : Module<Tensor, Tensor>, ILayerActivations
{
    private readonly Sequential features;
    private readonly Sequential classifier;

    public ConvNet(ModelSpec spec)
        : base("ConvNet")
    {
        if (spec.Depth is < 1 or > 4)
        {
            throw new ArgumentOutOfRangeException(nameof(spec), spec.Depth, "cnn depth (conv blocks) must be 1 to 4");
        }

        var blocks = new List<(string, Module<Tensor, Tensor>)>();
        int channels = spec.InputChannels;
        int height = spec.InputHeight;
        int width = spec.InputWidth;
        for (int block = 0; block < spec.Depth; block++)
        {
            int outChannels = spec.Width << block;
            blocks.Add(($"block{block}", Sequential(
                ("conv", Conv2d(channels, outChannels, 3, padding: 1, bias: false)),
                ("bn", BatchNorm2d(outChannels)),
                ("relu", ReLU(inplace: true)),
                ("pool", MaxPool2d(2)))));
            channels = outChannels;
            height /= 2;
            width /= 2;
        }
        if (height < 1 || width < 1)
        {
            throw new ArgumentOutOfRangeException(nameof(spec), spec.Depth, $"cnn depth {spec.Depth} pools a {spec.InputHeight}x{spec.InputWidth} input below 1x1");
        }

        int hidden = 4 * spec.Width;
        features = Sequential(blocks);
        classifier = Sequential(
            ("flatten", Flatten()),
            ("dropout1", Dropout(spec.Dropout)),
            ("fc1", Linear(channels * height * width, hidden)),
            ("relu", ReLU(inplace: true)),
            ("dropout2", Dropout(spec.Dropout)),
            ("fc2", Linear(hidden, spec.Outputs)));
        RegisterComponents();
        ModelInitialization.Apply(this);
    }

    /// <inheritdoc/>
    /// <remarks>Layers: block0, block1, … (after pooling) and "penultimate" (the hidden linear layer after ReLU).</remarks>
    public Tensor ForwardWithActivations(Tensor input, IList<(string Layer, Tensor Activation)> activations)
    {
        Tensor hidden = ChannelsLast.Input(input);
        foreach ((string name, nn.Module block) in features.named_children())
        {
            hidden = ((Module<Tensor, Tensor>)block).forward(hidden);
            activations.Add((name, hidden));
        }
        foreach ((string name, nn.Module layer) in classifier.named_children())
        {
            // call() runs the layer's forward hooks, as Sequential.forward does, so LoRA adapters take part.
            hidden = ((Module<Tensor, Tensor>)layer).call(hidden);
            if (name == "relu")
            {
                activations.Add(("penultimate", hidden));
            }
        }
        return hidden;
    }

    public override Tensor forward(Tensor input)
    {
        // input: [B, C, H, W] → features: [B, Width·2^(Depth−1), H/2^Depth, W/2^Depth] → logits: [B, K]
        using Tensor channelsLast = ChannelsLast.Input(input);
        using Tensor hidden = features.forward(channelsLast);
        return classifier.forward(hidden);
    }
}
