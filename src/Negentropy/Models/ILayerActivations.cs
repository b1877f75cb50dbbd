using static TorchSharp.torch;

namespace Negentropy.Models;

/// <summary>A model that can return the activations of its hidden layers: each block's output and the penultimate layer.</summary>
public interface ILayerActivations
{
    /// <summary>Runs the model on <paramref name="input"/> and adds each hidden layer's output, in order, to <paramref name="activations"/>; returns the logits.</summary>
    Tensor ForwardWithActivations(Tensor input, IList<(string Layer, Tensor Activation)> activations);
}
