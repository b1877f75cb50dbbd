using TorchSharp;
using static TorchSharp.torch;

namespace Negentropy.Models;

/// <summary>
/// Parameter initialization shared by the models:
/// convolutions get Kaiming-normal weights (fan_out, ReLU gain) and zero biases;
/// batch norms get weight 1 and bias 0;
/// linear layers keep TorchSharp's default, as in PyTorch: weights and biases uniform in ±1/√fan_in.
/// </summary>
public static class ModelInitialization
{
    public const string Description =
        "conv: Kaiming normal (fan_out, ReLU), zero bias; batch norm: weight 1, bias 0; linear: uniform ±1/sqrt(fan_in) (PyTorch default)";

    /// <summary>Initializes every convolution and batch norm below <paramref name="root"/>.</summary>
    public static void Apply(nn.Module root)
    {
        using var noGrad = torch.no_grad();
        foreach ((string _, nn.Module module) in root.named_modules())
        {
            switch (module)
            {
                case TorchSharp.Modules.Conv2d conv:
                    nn.init.kaiming_normal_(conv.weight, mode: nn.init.FanInOut.FanOut, nonlinearity: nn.init.NonlinearityType.ReLU);
                    if (conv.bias is not null)
                    {
                        nn.init.zeros_(conv.bias);
                    }
                    break;
                case TorchSharp.Modules.BatchNorm2d norm:
                    nn.init.ones_(norm.weight);
                    nn.init.zeros_(norm.bias);
                    break;
            }
        }
    }
}
