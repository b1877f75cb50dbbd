using System.Text;
using System.Text.Json;
using Negentropy.Reporting;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Negentropy.Training;

/// <summary>
/// A training checkpoint file (format version 1), written atomically. Layout, in order:
/// the string "negentropy-checkpoint"; int32 version; a JSON <see cref="TrainingState"/>;
/// the module state (TorchSharp Module.save: parameters and buffers, batch-norm statistics included);
/// the optimizer state (TorchSharp save_state_dict); int32 length and bytes of the CPU RNG state.
/// </summary>
public static class Checkpoint
{
    public const string Magic = "negentropy-checkpoint";
    public const int FormatVersion = 1;

    /// <summary>Writes the checkpoint to <paramref name="path"/> through a temporary file and a rename.</summary>
    public static void Save(string path, TrainingState state, nn.Module model, OptimizerHelper optimizer)
    {
        AtomicFile.Write(path, stream =>
        {
            using var writer = new BinaryWriter(stream, Encoding.UTF8, leaveOpen: true);
            writer.Write(Magic);
            writer.Write(FormatVersion);
            writer.Write(JsonSerializer.Serialize(state, JsonFormats.Compact));
            model.save(writer);
            optimizer.save_state_dict(writer);
            using Tensor rngState = torch.get_rng_state();
            byte[] rngBytes = rngState.data<byte>().ToArray();
            writer.Write(rngBytes.Length);
            writer.Write(rngBytes);
        });
    }

    /// <summary>Reads only the JSON state of a checkpoint, to rebuild the model and optimizer it needs.</summary>
    public static TrainingState ReadState(string path)
    {
        using FileStream stream = OpenForRead(path);
        using var reader = new BinaryReader(stream, Encoding.UTF8);
        return ReadHeader(reader, path);
    }

    /// <summary>
    /// Loads weights, buffers, optimizer state and RNG state from <paramref name="path"/> into objects
    /// built from the state that <see cref="ReadState"/> returned.
    /// </summary>
    public static TrainingState Load(string path, nn.Module model, OptimizerHelper? optimizer)
    {
        using FileStream stream = OpenForRead(path);
        using var reader = new BinaryReader(stream, Encoding.UTF8);
        TrainingState state = ReadHeader(reader, path);
        try
        {
            model.load(reader, strict: true);
            if (optimizer is null)
            {
                return state;
            }
            optimizer.load_state_dict(reader);
            int rngLength = reader.ReadInt32();
            byte[] rngBytes = reader.ReadBytes(rngLength);
            if (rngBytes.Length != rngLength)
            {
                throw new EndOfStreamException();
            }
            using Tensor rngState = torch.tensor(rngBytes, ScalarType.Byte);
            torch.set_rng_state(rngState);
            return state;
        }
        catch (Exception exception) when (exception is EndOfStreamException or ArgumentException or InvalidOperationException or IOException)
        {
            throw new UserInputException($"{path}: corrupt or truncated checkpoint ({exception.Message}); resume from another checkpoint or start a new run", exception);
        }
    }

    private static FileStream OpenForRead(string path)
    {
        try
        {
            return File.OpenRead(path);
        }
        catch (Exception exception) when (exception is FileNotFoundException or DirectoryNotFoundException)
        {
            throw new UserInputException($"{path}: checkpoint not found; --resume needs the --out folder of an earlier run");
        }
    }

    private static TrainingState ReadHeader(BinaryReader reader, string path)
    {
        try
        {
            string magic = reader.ReadString();
            if (magic != Magic)
            {
                throw new UserInputException($"{path}: not a Negentropy checkpoint (it starts with '{Truncate(magic)}')");
            }
            int version = reader.ReadInt32();
            if (version != FormatVersion)
            {
                throw new UserInputException($"{path}: checkpoint format version {version} is not supported: this build reads version {FormatVersion}");
            }
            return JsonSerializer.Deserialize<TrainingState>(reader.ReadString(), JsonFormats.Compact)
                ?? throw new UserInputException($"{path}: checkpoint state is empty");
        }
        catch (Exception exception) when (exception is EndOfStreamException or JsonException or IOException)
        {
            throw new UserInputException($"{path}: corrupt or truncated checkpoint ({exception.Message}); resume from another checkpoint or start a new run", exception);
        }
    }

    private static string Truncate(string text) => text.Length <= 32 ? text : text[..32] + "…";
}
