using TorchSharp;
using static TorchSharp.torch;

namespace Negentropy.Models;

/// <summary>Creates models by architecture name and counts their parameters.</summary>
public static class ModelFactory
{
    public static IReadOnlyList<string> ImageArchitectures { get; } = new[] { "cnn", "resnet", "resnet18", "resnet34" };

    /// <summary>The image architectures in torchvision's ImageNet layout, which load torchvision state dicts unchanged.</summary>
    public static IReadOnlyList<string> TorchvisionArchitectures { get; } = new[] { "resnet18", "resnet34" };

    public static IReadOnlyList<string> TextArchitectures { get; } = new[] { "fasttext", "textcnn", "bilstm", "transformer" };

    public static IReadOnlyList<string> Architectures { get; } = ImageArchitectures.Concat(TextArchitectures).ToArray();

    /// <summary>Default width per architecture: first-stage channels for images, the embedding size for text.</summary>
    public static int DefaultWidth(string architecture) => architecture switch
    {
        "resnet" => 16,
        "resnet18" or "resnet34" => 64,
        "fasttext" => 64,
        "textcnn" or "bilstm" => 128,
        "transformer" => 128,
        _ => 32,
    };

    /// <summary>Default depth per architecture: 2 conv blocks for cnn, 14 layers for resnet, 18 and 34 for resnet18 and resnet34, 1 bilstm layer, 2 transformer layers.</summary>
    public static int DefaultDepth(string architecture) => architecture switch
    {
        "resnet" => 14,
        "resnet18" => 18,
        "resnet34" => 34,
        "bilstm" => 1,
        "fasttext" or "textcnn" => 1,
        _ => 2,
    };

    /// <summary>Builds the model that <paramref name="spec"/> describes, with freshly initialized weights.</summary>
    public static nn.Module<Tensor, Tensor> Create(ModelSpec spec) => spec.Architecture switch
    {
        "cnn" => new ConvNet(spec),
        "resnet" => new ResNet(spec),
        "resnet18" or "resnet34" => new TorchvisionResNet(spec),
        "fasttext" => new FastTextClassifier(spec),
        "textcnn" => new TextCnn(spec),
        "bilstm" => new BiLstmClassifier(spec),
        "transformer" => new TransformerClassifier(spec),
        _ => throw new UserInputException($"unknown model '{spec.Architecture}': expected one of {string.Join(", ", Architectures)}"),
    };

    /// <summary>
    /// Returns <paramref name="spec"/> with the input adapter that resnet18 and resnet34 need for its input
    /// shape (see <see cref="InputAdapter.Choose"/>), resized to <paramref name="requestedSize"/> when given;
    /// returns other architectures' specs unchanged.
    /// </summary>
    public static ModelSpec WithInputAdapter(ModelSpec spec, (int Width, int Height)? requestedSize = null) =>
        TorchvisionArchitectures.Contains(spec.Architecture)
            ? spec with { InputAdapter = InputAdapter.Choose(spec.InputChannels, spec.InputHeight, spec.InputWidth, requestedSize) }
            : spec;

    /// <summary>Returns the number of trainable parameters.</summary>
    public static long CountParameters(nn.Module module) =>
        module.parameters().Where(p => p.requires_grad).Sum(p => p.numel());
}
