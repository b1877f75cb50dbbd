using static TorchSharp.torch;

namespace Negentropy.Models;

/// <summary>Masks shared by the text models.</summary>
internal static class TextMasks
{
    /// <summary>
    /// Returns a bool mask [batch, length] that is true at padding (id 0). The first position of an
    /// all-padding row counts as a token, so attention over an empty text stays defined.
    /// </summary>
    public static Tensor Padding(Tensor tokens)
    {
        Tensor padding = tokens.eq(0);
        Tensor empty = padding.all(1, keepdim: true);
        Tensor first = zeros_like(padding);
        first[TensorIndex.Colon, 0] = tensor(true);
        return padding.logical_and(empty.logical_and(first).logical_not());
    }
}
