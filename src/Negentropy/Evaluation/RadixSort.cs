namespace Negentropy.Evaluation;

/// <summary>
/// Stable least-significant-digit radix sort of doubles, with the original index of each value.
/// Doubles map to unsigned 64-bit keys whose integer order is the numeric order. Four passes of
/// 16 bits sort them, and a pass whose digit is the same for every key is skipped.
/// </summary>
public static class RadixSort
{
    private const int DigitBits = 16;
    private const int Buckets = 1 << DigitBits;

    /// <summary>Returns the order-preserving key of <paramref name="value"/>; −0 and +0 get the same key. NaN is not allowed.</summary>
    public static ulong SortableKey(double value)
    {
        ulong bits = BitConverter.DoubleToUInt64Bits(value == 0 ? 0.0 : value);
        return (bits & 0x8000_0000_0000_0000UL) != 0 ? ~bits : bits | 0x8000_0000_0000_0000UL;
    }

    /// <summary>
    /// Sorts the values at <paramref name="offset"/>, <paramref name="offset"/> + <paramref name="stride"/>, …
    /// of <paramref name="values"/> ascending. Returns their sortable keys in sorted order and, for each
    /// sorted position, the index of the value (0 for the first value taken, 1 for the next, and so on).
    /// Equal values keep their original order.
    /// </summary>
    public static (ulong[] Keys, int[] Order) Sort(ReadOnlySpan<double> values, int stride = 1, int offset = 0)
    {
        int count = values.Length <= offset ? 0 : ((values.Length - offset - 1) / stride) + 1;
        var keys = new ulong[count];
        var order = new int[count];
        for (int i = 0; i < count; i++)
        {
            double value = values[offset + (i * stride)];
            if (double.IsNaN(value))
            {
                throw new ArgumentException($"value {i} is NaN, which has no order", nameof(values));
            }
            keys[i] = SortableKey(value);
            order[i] = i;
        }

        var spareKeys = new ulong[count];
        var spareOrder = new int[count];
        var offsets = new int[Buckets];
        for (int shift = 0; shift < 64; shift += DigitBits)
        {
            Array.Clear(offsets);
            foreach (ulong key in keys)
            {
                offsets[(int)((key >> shift) & (Buckets - 1))]++;
            }
            if (count == 0 || offsets[(int)((keys[0] >> shift) & (Buckets - 1))] == count)
            {
                continue;
            }

            int running = 0;
            for (int digit = 0; digit < Buckets; digit++)
            {
                int bucketSize = offsets[digit];
                offsets[digit] = running;
                running += bucketSize;
            }
            for (int i = 0; i < count; i++)
            {
                int position = offsets[(int)((keys[i] >> shift) & (Buckets - 1))]++;
                spareKeys[position] = keys[i];
                spareOrder[position] = order[i];
            }
            (keys, spareKeys) = (spareKeys, keys);
            (order, spareOrder) = (spareOrder, order);
        }
        return (keys, order);
    }
}
