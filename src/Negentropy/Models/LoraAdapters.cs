using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Negentropy.Models;

/// <summary>
/// Low-rank adapters (LoRA, Hu et al., 2021) on every nn.Linear except the classifier head and on every
/// 1×1 Conv2d with one group and zero padding. An adapted layer returns base(x) + (alpha / r)·B(A(x)), where
/// A maps the input to r channels (Kaiming-uniform, as PyTorch initializes a linear layer) and B maps them to
/// the output (zeros, so training starts from the base model).
/// </summary>
/// <remarks>
/// A and B are registered as submodules "lora_a" and "lora_b" of the layer they adapt, so the model's
/// state (and every checkpoint) stores them as "LAYER.lora_a.weight" and "LAYER.lora_b.weight" beside the
/// unchanged base weights. The adapters run in a forward hook, and TorchSharp runs hooks only through
/// Module.call (as nn.Sequential does for its children), never through a direct forward():
/// <see cref="RequireEveryAdapterRuns"/> finds layers that a model calls the other way.
/// </remarks>
public sealed class LoraAdapters : IDisposable
{
    public const string DownName = "lora_a";
    public const string UpName = "lora_b";

    private readonly List<Adapter> adapters;

    private LoraAdapters(List<Adapter> adapters, int rank, double alpha)
    {
        this.adapters = adapters;
        Rank = rank;
        Alpha = alpha;
    }

    public int Rank { get; }

    public double Alpha { get; }

    /// <summary>The factor alpha / r applied to B(A(x)).</summary>
    public double Scale => Alpha / Rank;

    /// <summary>Dotted names of the adapted layers, in registration order.</summary>
    public IReadOnlyList<string> LayerNames => adapters.Select(adapter => adapter.Name).ToArray();

    /// <summary>The weights of every A and B.</summary>
    public IReadOnlyList<Parameter> Parameters => adapters.SelectMany(adapter => new[] { adapter.DownWeight, adapter.UpWeight }).ToArray();

    public long ParameterCount => Parameters.Sum(parameter => parameter.numel());

    /// <summary>
    /// Adds an adapter of rank <paramref name="rank"/> to each target layer of <paramref name="model"/>, leaving out
    /// the layer named <paramref name="headName"/>. Returns an empty set when the model has no target layer.
    /// </summary>
    public static LoraAdapters Attach(nn.Module model, string headName, int rank, double alpha)
    {
        var targets = ClassifierHead.DepthFirst(model).Where(entry => entry.Name != headName && IsTarget(entry.Module)).ToList();
        var adapters = new List<Adapter>();
        double scale = alpha / rank;
        foreach ((string name, nn.Module layer) in targets)
        {
            (nn.Module<Tensor, Tensor> down, nn.Module<Tensor, Tensor> up, Parameter downWeight, Parameter upWeight) = layer switch
            {
                Linear linear => LinearPair(linear, rank),
                Conv2d conv => ConvPair(conv, rank),
                _ => throw new InvalidOperationException($"{name}: {layer.GetType().Name} is not an adapter target"),
            };
            using (torch.no_grad())
            {
                nn.init.kaiming_uniform_(downWeight, a: Math.Sqrt(5));
                nn.init.zeros_(upWeight);
            }
            layer.register_module(DownName, down);
            layer.register_module(UpName, up);
            var adapter = new Adapter(name, downWeight, upWeight);
            adapter.Hook = ((nn.Module<Tensor, Tensor>)layer).register_forward_hook((_, input, output) =>
            {
                adapter.Calls++;
                return output.add(up.forward(down.forward(input)), scale);
            });
            adapters.Add(adapter);
        }
        return new LoraAdapters(adapters, rank, alpha);
    }

    /// <summary>
    /// True for an nn.Linear, or a Conv2d with a 1×1 kernel, one group and zero padding: the layers whose
    /// adapter merges into the weight.
    /// </summary>
    public static bool IsTarget(nn.Module module) => module switch
    {
        Linear => true,
        Conv2d conv => conv.kernel_size.All(size => size == 1) && conv.groups == 1 && !conv.transposed && conv.padding_mode == PaddingModes.Zeros,
        _ => false,
    };

    /// <summary>
    /// Runs <paramref name="forward"/> (one forward pass of the model) and throws an
    /// <see cref="InvalidOperationException"/> naming every adapted layer whose adapter did not run.
    /// </summary>
    public void RequireEveryAdapterRuns(Action forward)
    {
        foreach (Adapter adapter in adapters)
        {
            adapter.Calls = 0;
        }
        forward();
        string[] skipped = adapters.Where(adapter => adapter.Calls == 0).Select(adapter => adapter.Name).ToArray();
        if (skipped.Length > 0)
        {
            throw new InvalidOperationException(
                $"LoRA adapters on {string.Join(", ", skipped)} did not run: the model calls these layers with forward() instead of call(), which skips forward hooks");
        }
    }

    /// <summary>
    /// Returns the model's state without the adapters, each adapted weight replaced by W + (alpha / r)·B·A, so it
    /// loads into a plain model of the same architecture. The tensors are copies that the caller disposes.
    /// </summary>
    public Dictionary<string, Tensor> MergedStateDict(nn.Module model)
    {
        using var noGrad = torch.no_grad();
        var adapterKeys = adapters.SelectMany(adapter => new[] { $"{adapter.Name}.{DownName}.weight", $"{adapter.Name}.{UpName}.weight" }).ToHashSet();
        var merged = new Dictionary<string, Tensor>();
        foreach ((string key, Tensor value) in model.state_dict())
        {
            if (!adapterKeys.Contains(key))
            {
                merged[key] = value.detach().clone();
            }
        }
        foreach (Adapter adapter in adapters)
        {
            Tensor weight = merged[$"{adapter.Name}.weight"];
            long outputs = weight.shape[0];
            long inputs = weight.shape[1];
            using Tensor up = adapter.UpWeight.reshape(outputs, Rank);
            using Tensor down = adapter.DownWeight.reshape(Rank, inputs);
            using Tensor delta = up.matmul(down).mul(Scale);
            using Tensor shaped = delta.reshape(weight.shape);
            weight.add_(shaped);
        }
        return merged;
    }

    /// <summary>Builds a plain model of <paramref name="spec"/> that contains the merged weights of <paramref name="model"/>.</summary>
    public nn.Module<Tensor, Tensor> CreateMergedModel(nn.Module model, ModelSpec spec)
    {
        Dictionary<string, Tensor> merged = MergedStateDict(model);
        nn.Module<Tensor, Tensor> plain = ModelFactory.Create(spec);
        try
        {
            plain.load_state_dict(merged, strict: true);
        }
        catch
        {
            plain.Dispose();
            throw;
        }
        finally
        {
            foreach (Tensor tensor in merged.Values)
            {
                tensor.Dispose();
            }
        }
        plain.eval();
        return plain;
    }

    /// <summary>Removes the forward hooks; the adapter modules stay registered in the model.</summary>
    public void Dispose()
    {
        foreach (Adapter adapter in adapters)
        {
            adapter.Hook?.remove();
        }
    }

    private static (nn.Module<Tensor, Tensor>, nn.Module<Tensor, Tensor>, Parameter, Parameter) LinearPair(Linear linear, int rank)
    {
        Linear down = nn.Linear(linear.in_features, rank, hasBias: false);
        Linear up = nn.Linear(rank, linear.out_features, hasBias: false);
        return (down, up, down.weight!, up.weight!);
    }

    // A takes the base layer's stride and zero padding, so B(A(x)) has the base output's shape.
    private static (nn.Module<Tensor, Tensor>, nn.Module<Tensor, Tensor>, Parameter, Parameter) ConvPair(Conv2d conv, int rank)
    {
        long[] stride = conv.stride;
        // A 1×1 kernel needs no padding for "same" or "valid", so a padding type leaves the array null.
        long[] padding = conv.padding ?? new long[] { 0, 0 };
        Conv2d down = nn.Conv2d(conv.in_channels, rank, (1, 1), stride: (stride[0], stride[1]), padding: (padding[0], padding[1]), bias: false);
        Conv2d up = nn.Conv2d(rank, conv.out_channels, (1, 1), bias: false);
        return (down, up, down.weight!, up.weight!);
    }

    private sealed class Adapter(string name, Parameter downWeight, Parameter upWeight)
    {
        public string Name { get; } = name;

        public Parameter DownWeight { get; } = downWeight;

        public Parameter UpWeight { get; } = upWeight;

        public nn.HookableModule<Func<nn.Module<Tensor, Tensor>, Tensor, Tensor>, Func<nn.Module<Tensor, Tensor>, Tensor, Tensor, Tensor>>.HookRemover? Hook { get; set; }

        public int Calls { get; set; }
    }
}
