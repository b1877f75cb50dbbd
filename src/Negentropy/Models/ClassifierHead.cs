using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Negentropy.Models;

/// <summary>
/// Finds a model's classifier head: the last <c>nn.Linear</c> module in registration order. That is the
/// head of every Negentropy architecture (cnn classifier.fc2, resnet head.fc, the text models' classifier)
/// and of torchvision-style ResNets, whose head is <c>fc</c>.
/// </summary>
/// <remarks>
/// Registration order is the depth-first pre-order of PyTorch's <c>named_modules()</c>: a module, then each
/// child in the order it was registered. TorchSharp's own <c>named_modules()</c> lists modules level by level
/// instead, so <see cref="DepthFirst"/> walks <c>named_children()</c> itself.
/// </remarks>
public static class ClassifierHead
{
    /// <summary>Returns the head's dotted name (such as "head.fc") and module.</summary>
    /// <exception cref="InvalidOperationException">The model has no nn.Linear module.</exception>
    public static (string Name, Linear Module) Find(nn.Module model)
    {
        (string Name, Linear Module)? head = null;
        foreach ((string name, nn.Module module) in DepthFirst(model))
        {
            if (module is Linear linear)
            {
                head = (name, linear);
            }
        }
        return head ?? throw new InvalidOperationException($"{model.GetType().Name} has no nn.Linear module to use as the classifier head");
    }

    /// <summary>Returns every module below <paramref name="root"/> with its dotted name, in depth-first registration order; the root itself is left out.</summary>
    public static IEnumerable<(string Name, nn.Module Module)> DepthFirst(nn.Module root)
    {
        foreach ((string name, nn.Module child) in root.named_children())
        {
            yield return (name, child);
            foreach ((string below, nn.Module module) in DepthFirst(child))
            {
                yield return ($"{name}.{below}", module);
            }
        }
    }

    /// <summary>True when the parameter named <paramref name="parameterName"/> belongs to the module named <paramref name="headName"/>.</summary>
    public static bool Contains(string headName, string parameterName) =>
        parameterName.StartsWith(headName + ".", StringComparison.Ordinal);
}
