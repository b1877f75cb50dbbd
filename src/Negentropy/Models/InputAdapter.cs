using System.Globalization;
using System.Text.Json.Serialization;
using TorchSharp;
using static TorchSharp.torch;

namespace Negentropy.Models;

/// <summary>
/// The first step of the ImageNet-layout models (resnet18, resnet34), inside their forward pass: a
/// 1-channel image is repeated to 3 channels and the image is resized (bilinear, align_corners false)
/// to <see cref="Height"/>×<see cref="Width"/>. Stored in model.json as the spec's "input_adapter", so
/// eval and serve feed the model the images it was trained on, unchanged.
/// </summary>
/// <param name="InputChannels">Channels of the images the model receives: 1 or 3.</param>
/// <param name="Channels">Channels after the adapter: always 3, as the ImageNet stem expects.</param>
/// <param name="Height">Height after the resize, in pixels.</param>
/// <param name="Width">Width after the resize, in pixels.</param>
/// <param name="Interpolation">The resize filter: "bilinear".</param>
public sealed record InputAdapter(
    [property: JsonPropertyName("input_channels")] int InputChannels,
    [property: JsonPropertyName("channels")] int Channels,
    [property: JsonPropertyName("height")] int Height,
    [property: JsonPropertyName("width")] int Width,
    [property: JsonPropertyName("interpolation")] string Interpolation = "bilinear")
{
    /// <summary>
    /// Smallest side that the adapter resizes to by default. The ImageNet layout downsamples 32 times, so
    /// a 28×28 image would reach layer4 as a 1×1 map. At 64×64 it reaches it as 2×2, for (64/28)² ≈ 5
    /// times the convolution work of 28×28, where torchvision's 224×224 would cost 64 times as much.
    /// </summary>
    public const int DefaultMinimumSide = 64;

    /// <summary>
    /// Returns the adapter for images of <paramref name="channels"/>×<paramref name="height"/>×<paramref name="width"/>,
    /// or null when they need none (3 channels and no resize). Without <paramref name="requestedSize"/>,
    /// each side below <see cref="DefaultMinimumSide"/> is resized to it and the other sides are kept.
    /// </summary>
    /// <exception cref="ArgumentException">The images have neither 1 nor 3 channels.</exception>
    public static InputAdapter? Choose(int channels, int height, int width, (int Width, int Height)? requestedSize)
    {
        if (channels is not (1 or 3))
        {
            throw new ArgumentException($"the ImageNet-layout models take 1- or 3-channel images, not {channels} channels", nameof(channels));
        }
        (int targetWidth, int targetHeight) = requestedSize
            ?? (Math.Max(width, DefaultMinimumSide), Math.Max(height, DefaultMinimumSide));
        if (channels == 3 && targetHeight == height && targetWidth == width)
        {
            return null;
        }
        return new InputAdapter(channels, 3, targetHeight, targetWidth);
    }

    /// <summary>Resizes <paramref name="input"/> [N, InputChannels, H, W] to [N, 3, Height, Width].</summary>
    public Tensor Apply(Tensor input)
    {
        using var scope = NewDisposeScope();
        Tensor resized = input.shape[2] == Height && input.shape[3] == Width
            ? input.alias()
            : nn.functional.interpolate(input, new long[] { Height, Width }, mode: InterpolationMode.Bilinear, align_corners: false);
        // expand() repeats the channel as a view with stride 0; the channels-last conversion after it makes the copy.
        Tensor adapted = resized.shape[1] == Channels ? resized : resized.expand(-1, Channels, -1, -1);
        return adapted.MoveToOuterDisposeScope();
    }

    /// <summary>Describes the adapter for the train log, such as "1 channel repeated to 3, bilinear resize 28x28 to 64x64".</summary>
    public string Describe(int inputHeight, int inputWidth)
    {
        string channels = InputChannels == Channels
            ? $"{Channels} channels"
            : $"{InputChannels} channel repeated to {Channels}";
        string resize = inputHeight == Height && inputWidth == Width
            ? "no resize"
            : string.Create(CultureInfo.InvariantCulture, $"{Interpolation} resize {inputWidth}x{inputHeight} to {Width}x{Height}");
        return $"{channels}, {resize}";
    }
}
