using Negentropy.Training;
using Xunit;

namespace Negentropy.Tests.Training;

/// <summary>Validation of --init-from, --strict, --replace-head, --input-size and the fixed depth of resnet18 and resnet34.</summary>
public sealed class InitFromOptionsTests
{
    [Fact]
    public void InitFromOptions_AcceptedForImageModels()
    {
        var options = new TrainingOptions { Model = "resnet34", InitFrom = "weights.pth", Strict = false, ReplaceHead = true, InputSize = "96x64" };

        Assert.Empty(options.Validate());
    }

    [Fact]
    public void InputSize_RejectedForOtherModels()
    {
        var options = new TrainingOptions { Model = "cnn", InputSize = "64" };

        Assert.Contains("--input-size applies to resnet18 and resnet34, not to cnn; drop --input-size", options.Validate());
    }

    [Fact]
    public void StrictFalse_NeedsInitFrom()
    {
        var options = new TrainingOptions { Model = "resnet18", Strict = false };

        Assert.Contains("--strict and --replace-head go with --init-from; add --init-from FILE or drop them", options.Validate());
    }

    [Fact]
    public void InitFrom_RejectedForTextModels()
    {
        var options = new TrainingOptions { Model = "textcnn", InitFrom = "model" };

        Assert.Contains("--init-from works with the image models, not the text model textcnn", options.Validate());
    }

    [Theory]
    [InlineData("resnet18", 20, "--depth 20 is invalid for resnet18: its depth is fixed at 18, so leave --depth out")]
    [InlineData("resnet34", 18, "--depth 18 is invalid for resnet34: its depth is fixed at 34, so leave --depth out")]
    public void Depth_FixedForTorchvisionModels(string model, int depth, string expected)
    {
        var options = new TrainingOptions { Model = model, Depth = depth };

        Assert.Contains(expected, options.Validate());
    }
}
