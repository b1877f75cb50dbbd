using TorchSharp;
using static TorchSharp.torch;

namespace Negentropy.Models;

/// <summary>Creates models by architecture name and counts their parameters.</summary>
public static class ModelFactory
{
    public static IReadOnlyList<string> Architectures { get; } = new[] { "cnn", "resnet" };

    /// <summary>Default width (first-stage channels) per architecture.</summary>
    public static int DefaultWidth(string architecture) => architecture == "resnet" ? 16 : 32;

    /// <summary>Default depth per architecture: 2 conv blocks for cnn, 14 layers for resnet.</summary>
    public static int DefaultDepth(string architecture) => architecture == "resnet" ? 14 : 2;

    /// <summary>Builds the model that <paramref name="spec"/> describes, with freshly initialized weights.</summary>
    public static nn.Module<Tensor, Tensor> Create(ModelSpec spec) => spec.Architecture switch
    {
        "cnn" => new ConvNet(spec),
        "resnet" => new ResNet(spec),
        _ => throw new UserInputException($"unknown model '{spec.Architecture}': expected one of {string.Join(", ", Architectures)}"),
    };

    /// <summary>Returns the number of trainable parameters.</summary>
    public static long CountParameters(nn.Module module) =>
        module.parameters().Where(p => p.requires_grad).Sum(p => p.numel());
}
