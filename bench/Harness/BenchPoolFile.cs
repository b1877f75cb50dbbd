using System.Text;
using System.Text.Json.Nodes;
using Negentropy.Reporting;
using static TorchSharp.torch;

namespace Negentropy.Bench;

/// <summary>
/// Writes a <see cref="BenchPool"/> for <c>bench/pytorch/bench.py --pool FILE</c>, so the PyTorch twin
/// times the same inputs. Layout, every number little-endian:
/// <list type="number">
/// <item>8 bytes: the ASCII magic <c>NGBPOOL1</c>.</item>
/// <item>uint32: the byte length H of the header.</item>
/// <item>H bytes: a UTF-8 JSON object with <c>model</c>, <c>data</c>, <c>batches</c>, <c>input_shape</c> (the shape
/// of one batch), <c>input_dtype</c> (<c>int64</c> for token ids, <c>float32</c> for images), <c>classes</c>,
/// <c>vocabulary_size</c> (0 for images), <c>sequence_length</c> (0 for images) and <c>tokenizer</c> (null unless SpamAssassin).</item>
/// <item>The inputs of every batch, batch after batch, each in row-major order.</item>
/// <item>The int64 class indices of every batch, batch after batch.</item>
/// </list>
/// </summary>
public static class BenchPoolFile
{
    public const string Magic = "NGBPOOL1";

    /// <summary>Writes <paramref name="pool"/>, made for <paramref name="model"/>, to <paramref name="path"/> atomically.</summary>
    public static void Write(string path, string model, BenchPool pool)
    {
        long[] shape = pool.Inputs[0].shape;
        var header = new JsonObject
        {
            ["model"] = model,
            ["data"] = pool.Data,
            ["batches"] = pool.Inputs.Length,
            ["input_shape"] = new JsonArray(shape.Select(size => (JsonNode)size).ToArray()),
            ["input_dtype"] = pool.IsText ? "int64" : "float32",
            ["classes"] = pool.Classes,
            ["vocabulary_size"] = pool.VocabularySize,
            ["sequence_length"] = pool.SequenceLength,
            ["tokenizer"] = pool.Tokenizer,
        };
        byte[] headerBytes = Encoding.UTF8.GetBytes(header.ToJsonString(JsonFormats.Compact));
        AtomicFile.Write(path, stream =>
        {
            using var writer = new BinaryWriter(stream, Encoding.ASCII, leaveOpen: true);
            writer.Write(Encoding.ASCII.GetBytes(Magic));
            writer.Write((uint)headerBytes.Length);
            writer.Write(headerBytes);
            foreach (Tensor batch in pool.Inputs)
            {
                WriteValues(writer, batch);
            }
            foreach (Tensor targets in pool.Targets)
            {
                WriteValues(writer, targets);
            }
        });
    }

    // BinaryWriter writes little-endian on every platform.
    private static void WriteValues(BinaryWriter writer, Tensor values)
    {
        using Tensor contiguous = values.contiguous();
        if (contiguous.dtype == ScalarType.Float32)
        {
            foreach (float value in contiguous.data<float>())
            {
                writer.Write(value);
            }
            return;
        }
        foreach (long value in contiguous.data<long>())
        {
            writer.Write(value);
        }
    }
}
