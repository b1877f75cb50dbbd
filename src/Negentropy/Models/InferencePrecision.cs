using static TorchSharp.torch;

namespace Negentropy.Models;

/// <summary>
/// The number format of a trained model's weights and activations at inference: fp32, the format every
/// model trains in, or bf16 (bfloat16), which oneDNN runs faster on CPUs with AVX-512 BF16 or AMX-BF16.
/// </summary>
public sealed class InferencePrecision
{
    /// <summary>32-bit floats, the training format.</summary>
    public static readonly InferencePrecision Float32 = new("fp32");

    /// <summary>bfloat16: float32's 8 exponent bits with 7 mantissa bits, about 2 to 3 significant digits.</summary>
    public static readonly InferencePrecision BFloat16 = new("bf16");

    private InferencePrecision(string name)
    {
        Name = name;
    }

    /// <summary>"fp32" or "bf16": the value of --precision and of "inference_precision" in JSON outputs.</summary>
    public string Name { get; }

    public bool IsBFloat16 => ReferenceEquals(this, BFloat16);

    /// <summary>Returns the precision named <paramref name="value"/> (case-insensitive); throws <see cref="UserInputException"/> for any other name.</summary>
    public static InferencePrecision Parse(string value) => value.ToLowerInvariant() switch
    {
        "fp32" => Float32,
        "bf16" => BFloat16,
        _ => throw new UserInputException($"--precision {value} is unknown: expected fp32 or bf16"),
    };

    /// <summary>
    /// Throws <see cref="UserInputException"/> when this precision is bf16 and the CPU has no bfloat16
    /// instructions, because oneDNN would then emulate bfloat16 more slowly than it runs fp32.
    /// </summary>
    /// <param name="cpu">The CPU to check; null reads <see cref="CpuFeatures.Current"/>, and only for bf16.</param>
    public void EnsureSupported(CpuFeatures? cpu = null)
    {
        if (!IsBFloat16)
        {
            return;
        }
        cpu ??= CpuFeatures.Current();
        if (cpu.HasBFloat16)
        {
            return;
        }
        if (cpu.Flags is null)
        {
            throw new UserInputException($"--precision bf16 runs on Linux only, where {CpuFeatures.CpuInfoPath} shows whether the CPU has bfloat16 instructions, but this is {cpu.Source}; use --precision fp32");
        }
        throw new UserInputException($"--precision bf16 needs a CPU with AVX-512 BF16 or AMX-BF16, but the flags in {cpu.Source} have neither avx512_bf16 nor amx_bf16, so oneDNN would emulate bfloat16 slowly; use --precision fp32");
    }

    /// <summary>
    /// Returns <paramref name="model"/> ready to predict in this precision: the model itself for fp32, or for
    /// bf16 a <see cref="BFloat16Model"/> that converts it in place and owns it.
    /// </summary>
    /// <exception cref="UserInputException">bf16 was requested for a transformer model.</exception>
    public nn.Module<Tensor, Tensor> Apply(nn.Module<Tensor, Tensor> model)
    {
        if (!IsBFloat16)
        {
            return model;
        }
        if (model is TransformerClassifier)
        {
            // libtorch 2.10's C++ MultiheadAttention applies the key padding mask through a masked_fill
            // whose type dispatch has no bfloat16 case ("attn_output_weights.masked_fill" not implemented
            // for 'BFloat16'), so a bfloat16 forward fails.
            throw new UserInputException("--precision bf16 does not run transformer models, because libtorch's MultiheadAttention has no bfloat16 kernel for the padding mask; use --precision fp32");
        }
        return new BFloat16Model(model);
    }

    /// <summary>
    /// Returns <paramref name="batch"/> as the model's input in this precision: a floating batch cast to
    /// bfloat16 for bf16, otherwise an alias of the batch, which the caller disposes like the cast.
    /// </summary>
    public Tensor Input(Tensor batch) => IsBFloat16 && batch.is_floating_point() ? batch.to_type(ScalarType.BFloat16) : batch.alias();

    public override string ToString() => Name;
}
