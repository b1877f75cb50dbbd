namespace Negentropy.Data;

/// <summary>
/// An IDX array: its element type, its dimensions and its raw element bytes, which stay big-endian
/// for multi-byte types as the format stores them.
/// </summary>
public sealed record IdxArray(IdxDataType DataType, int[] Dimensions, byte[] Data)
{
    /// <summary>Number of elements, the product of the dimensions.</summary>
    public long ElementCount => Dimensions.Aggregate(1L, (product, dimension) => product * dimension);
}
