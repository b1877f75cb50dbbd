using System.Buffers.Binary;
using System.Text;

namespace Negentropy.Tests.Reporting;

/// <summary>
/// Reads TensorBoard event files byte by byte, independently of the writer: TFRecord framing
/// (uint64 length, masked CRC32C of the length, data, masked CRC32C of the data) and the fields of
/// tensorboard's Event, Summary.Value and HistogramProto protobuf messages that the tests check.
/// </summary>
public static class TensorBoardEventReader
{
    public sealed record Event(double WallTime, long Step, string? FileVersion, IReadOnlyList<Value> Values);

    public sealed record Value(string Tag, float? SimpleValue, Histogram? Histogram);

    public sealed record Histogram(double Min, double Max, double Count, double Sum);

    public static IReadOnlyList<Event> Read(byte[] file)
    {
        var events = new List<Event>();
        int position = 0;
        while (position < file.Length)
        {
            Require(position + 12 <= file.Length, $"record header at byte {position} is truncated");
            ulong length = BinaryPrimitives.ReadUInt64LittleEndian(file.AsSpan(position, 8));
            uint lengthCrc = BinaryPrimitives.ReadUInt32LittleEndian(file.AsSpan(position + 8, 4));
            Require(MaskedCrc32C(file.AsSpan(position, 8)) == lengthCrc, $"length CRC mismatch at byte {position}");
            int dataStart = position + 12;
            Require(dataStart + (long)length + 4 <= file.Length, $"record data at byte {dataStart} is truncated");
            ReadOnlySpan<byte> data = file.AsSpan(dataStart, (int)length);
            uint dataCrc = BinaryPrimitives.ReadUInt32LittleEndian(file.AsSpan(dataStart + (int)length, 4));
            Require(MaskedCrc32C(data) == dataCrc, $"data CRC mismatch at byte {dataStart}");
            events.Add(ParseEvent(data));
            position = dataStart + (int)length + 4;
        }
        return events;
    }

    /// <summary>CRC32C (Castagnoli), masked as TFRecord does: rotate right by 15 bits, add 0xa282ead8.</summary>
    public static uint MaskedCrc32C(ReadOnlySpan<byte> data)
    {
        uint crc = 0xFFFFFFFF;
        foreach (byte value in data)
        {
            crc ^= value;
            for (int bit = 0; bit < 8; bit++)
            {
                crc = (crc & 1) != 0 ? (crc >> 1) ^ 0x82F63B78 : crc >> 1;
            }
        }
        crc ^= 0xFFFFFFFF;
        return unchecked(((crc >> 15) | (crc << 17)) + 0xA282EAD8);
    }

    // Event: 1 wall_time (double), 2 step (int64), 3 file_version (string), 5 summary (Summary).
    private static Event ParseEvent(ReadOnlySpan<byte> data)
    {
        double wallTime = 0;
        long step = 0;
        string? fileVersion = null;
        var values = new List<Value>();
        foreach ((int field, int wireType, ulong scalar, byte[] bytes) in Fields(data))
        {
            switch (field, wireType)
            {
                case (1, 1): wallTime = BitConverter.UInt64BitsToDouble(scalar); break;
                case (2, 0): step = (long)scalar; break;
                case (3, 2): fileVersion = Encoding.UTF8.GetString(bytes); break;
                case (5, 2): values.AddRange(ParseSummary(bytes)); break;
            }
        }
        return new Event(wallTime, step, fileVersion, values);
    }

    // Summary: 1 value (repeated Summary.Value). Value: 1 tag, 2 simple_value (float), 5 histo.
    private static IEnumerable<Value> ParseSummary(byte[] data)
    {
        foreach ((int field, int wireType, _, byte[] valueBytes) in Fields(data))
        {
            if (field != 1 || wireType != 2)
            {
                continue;
            }
            string tag = "";
            float? simpleValue = null;
            Histogram? histogram = null;
            foreach ((int valueField, int valueWire, ulong scalar, byte[] bytes) in Fields(valueBytes))
            {
                switch (valueField, valueWire)
                {
                    case (1, 2): tag = Encoding.UTF8.GetString(bytes); break;
                    case (2, 5): simpleValue = BitConverter.UInt32BitsToSingle((uint)scalar); break;
                    case (5, 2): histogram = ParseHistogram(bytes); break;
                }
            }
            yield return new Value(tag, simpleValue, histogram);
        }
    }

    // HistogramProto: 1 min, 2 max, 3 num, 4 sum (doubles).
    private static Histogram ParseHistogram(byte[] data)
    {
        var doubles = new Dictionary<int, double>();
        foreach ((int field, int wireType, ulong scalar, _) in Fields(data))
        {
            if (wireType == 1)
            {
                doubles[field] = BitConverter.UInt64BitsToDouble(scalar);
            }
        }
        return new Histogram(doubles.GetValueOrDefault(1), doubles.GetValueOrDefault(2), doubles.GetValueOrDefault(3), doubles.GetValueOrDefault(4));
    }

    private static List<(int Field, int WireType, ulong Scalar, byte[] Bytes)> Fields(ReadOnlySpan<byte> data)
    {
        var fields = new List<(int, int, ulong, byte[])>();
        int position = 0;
        while (position < data.Length)
        {
            ulong key = ReadVarint(data, ref position);
            int field = (int)(key >> 3);
            int wireType = (int)(key & 7);
            switch (wireType)
            {
                case 0:
                    fields.Add((field, wireType, ReadVarint(data, ref position), Array.Empty<byte>()));
                    break;
                case 1:
                    fields.Add((field, wireType, BinaryPrimitives.ReadUInt64LittleEndian(data.Slice(position, 8)), Array.Empty<byte>()));
                    position += 8;
                    break;
                case 2:
                    int length = (int)ReadVarint(data, ref position);
                    fields.Add((field, wireType, 0, data.Slice(position, length).ToArray()));
                    position += length;
                    break;
                case 5:
                    fields.Add((field, wireType, BinaryPrimitives.ReadUInt32LittleEndian(data.Slice(position, 4)), Array.Empty<byte>()));
                    position += 4;
                    break;
                default:
                    throw new InvalidDataException($"unsupported protobuf wire type {wireType} for field {field}");
            }
        }
        return fields;
    }

    private static ulong ReadVarint(ReadOnlySpan<byte> data, ref int position)
    {
        ulong value = 0;
        for (int shift = 0; shift < 64; shift += 7)
        {
            byte current = data[position++];
            value |= (ulong)(current & 0x7F) << shift;
            if ((current & 0x80) == 0)
            {
                return value;
            }
        }
        throw new InvalidDataException("varint longer than 10 bytes");
    }

    private static void Require(bool condition, string message)
    {
        if (!condition)
        {
            throw new InvalidDataException(message);
        }
    }
}
