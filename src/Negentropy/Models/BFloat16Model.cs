using TorchSharp;
using static TorchSharp.torch;

namespace Negentropy.Models;

/// <summary>
/// A trained model converted to bfloat16 for inference. Floating inputs are cast to bfloat16, integer
/// inputs (token ids) pass unchanged, and the logits are cast back to float32, so callers compute
/// softmax, loss and entropy from float32 logits as they do with the fp32 model.
/// </summary>
/// <remarks>
/// The constructor converts the wrapped model's floating parameters and buffers in place, so the caller
/// must not use that model as an fp32 model afterwards. Integer buffers, such as batch norm's
/// num_batches_tracked, keep their type. Disposing this wrapper disposes the model.
/// </remarks>
public sealed class BFloat16Model : nn.Module<Tensor, Tensor>
{
    private readonly nn.Module<Tensor, Tensor> model;

    public BFloat16Model(nn.Module<Tensor, Tensor> model) : base(nameof(BFloat16Model))
    {
        this.model = model;
        RegisterComponents();
        this.model.to(ScalarType.BFloat16);
    }

    public override Tensor forward(Tensor input)
    {
        using var scope = NewDisposeScope();
        Tensor cast = input.is_floating_point() ? input.to_type(ScalarType.BFloat16) : input;
        return model.forward(cast).to_type(ScalarType.Float32).MoveToOuterDisposeScope();
    }
}
