using System.Collections;
using System.Text.Json;
using Negentropy.Reporting;
using Razorvine.Pickle;
using TorchSharp;
using TorchSharp.PyBridge;
using static TorchSharp.torch;

namespace Negentropy.Models;

/// <summary>
/// A state dict read from disk: tensor names and CPU tensors, in one of three formats. PyTorch's
/// torch.save zip pickles (.pt, .pth, .bin) are read with TorchSharp.PyBridge's unpickler, safetensors
/// files with its safetensors reader, and Negentropy's own weights (a model folder, or a weights file
/// in TorchSharp's Module.save format) with <see cref="ReadModuleSave"/>. Disposing it frees the tensors.
/// </summary>
public sealed class StateDictionaryFile : IDisposable
{
    public const string PyTorchFormat = "pytorch-zip-pickle";
    public const string SafetensorsFormat = "safetensors";
    public const string ModuleSaveFormat = "torchsharp-module-save";

    /// <summary>The file extensions that <see cref="Read"/> accepts, besides a model folder.</summary>
    public static IReadOnlyList<string> Extensions { get; } = new[] { ".pt", ".pth", ".bin", ".safetensors" };

    // Keys under which PyTorch training scripts commonly store the model's state dict in a checkpoint dictionary.
    private static readonly string[] NestedStateDictKeys = { "state_dict", "model_state_dict", "model" };

    // A zip archive's local file header; torch.save has written zip archives since PyTorch 1.6.
    private static readonly byte[] ZipSignature = { 0x50, 0x4b, 0x03, 0x04 };

    private readonly Dictionary<string, Tensor> tensors;

    private StateDictionaryFile(string path, string format, Dictionary<string, Tensor> tensors, string? architecture)
    {
        Path = path;
        Format = format;
        this.tensors = tensors;
        Architecture = architecture;
    }

    /// <summary>The full path of the file or model folder.</summary>
    public string Path { get; }

    /// <summary><see cref="PyTorchFormat"/>, <see cref="SafetensorsFormat"/> or <see cref="ModuleSaveFormat"/>.</summary>
    public string Format { get; }

    /// <summary>The architecture that model.json names, for a Negentropy model folder; null otherwise.</summary>
    public string? Architecture { get; }

    /// <summary>The tensors by key.</summary>
    public IReadOnlyDictionary<string, Tensor> Tensors => tensors;

    /// <summary>
    /// Reads the state dict at <paramref name="path"/>: a .pt, .pth or .bin file saved by torch.save, a
    /// .safetensors file, a Negentropy model folder (model.json and its weights file) or such a weights file.
    /// A pickle whose top level is a checkpoint dictionary yields its "state_dict", "model_state_dict" or
    /// "model" entry, and a "module." prefix on every key (as torch.nn.DataParallel saves them) is removed.
    /// </summary>
    /// <exception cref="UserInputException">The path is missing, has another extension, or does not contain a readable state dict.</exception>
    public static StateDictionaryFile Read(string path)
    {
        string fullPath = System.IO.Path.GetFullPath(path);
        if (Directory.Exists(fullPath))
        {
            return ReadModelFolder(fullPath);
        }
        if (!File.Exists(fullPath))
        {
            throw new UserInputException($"{path}: weights file not found; pass a .pt, .pth, .bin or .safetensors file, or a Negentropy model folder");
        }
        string extension = System.IO.Path.GetExtension(fullPath).ToLowerInvariant();
        if (!Extensions.Contains(extension))
        {
            throw new UserInputException(
                $"{path}: unknown weights extension '{extension}'; pass a PyTorch state dict (.pt, .pth or .bin from torch.save(model.state_dict(), path)), a .safetensors file, or a Negentropy model folder");
        }

        try
        {
            using FileStream stream = File.OpenRead(fullPath);
            if (extension == ".safetensors")
            {
                return new StateDictionaryFile(fullPath, SafetensorsFormat, Safetensors.LoadStateDict(stream, leaveOpen: true), architecture: null);
            }
            if (StartsWithZipSignature(stream))
            {
                return new StateDictionaryFile(fullPath, PyTorchFormat, ReadPickle(stream, path), architecture: null);
            }
            if (extension == ".bin")
            {
                return new StateDictionaryFile(fullPath, ModuleSaveFormat, ReadModuleSave(stream, path), architecture: null);
            }
            throw new UserInputException(
                $"{path}: not a zip archive, so not a state dict that torch.save writes since PyTorch 1.6; re-save it with torch.save(model.state_dict(), path) from PyTorch 1.6 or later");
        }
        catch (Exception exception) when (IsReadFailure(exception))
        {
            throw new UserInputException(
                $"{path}: cannot read a state dict from this file ({exception.GetType().Name}: {FirstLine(exception.Message)}); save the weights with torch.save(model.state_dict(), path) or as .safetensors", exception);
        }
    }

    /// <summary>
    /// Reads a state dict in TorchSharp's Module.save format: a LEB128 entry count, then per entry the key
    /// as a length-prefixed UTF-8 string and the tensor as TorchSharp's Tensor.Save writes it.
    /// </summary>
    public static Dictionary<string, Tensor> ReadModuleSave(Stream stream, string path)
    {
        using var reader = new BinaryReader(stream, System.Text.Encoding.UTF8, leaveOpen: true);
        long count = ReadLeb128(reader);
        if (count is < 1 or > 1_000_000)
        {
            throw new UserInputException($"{path}: not a TorchSharp Module.save weights file (it starts with an entry count of {count}); pass a Negentropy model folder or its model.bin");
        }
        var result = new Dictionary<string, Tensor>();
        try
        {
            for (long i = 0; i < count; i++)
            {
                string key = reader.ReadString();
                result[key] = torch.Tensor.Load(reader);
            }
            if (stream.CanSeek && stream.Position != stream.Length)
            {
                throw new UserInputException($"{path}: {stream.Length - stream.Position} bytes follow the {count} tensors of this TorchSharp weights file, so it is not one; pass a Negentropy model folder or its model.bin");
            }
            return result;
        }
        catch
        {
            DisposeAll(result);
            throw;
        }
    }

    public void Dispose() => DisposeAll(tensors);

    private static StateDictionaryFile ReadModelFolder(string folder)
    {
        ModelManifest manifest = ModelManifest.Read(folder);
        string weightsPath = System.IO.Path.Combine(folder, manifest.WeightsFile);
        if (!File.Exists(weightsPath))
        {
            throw new UserInputException($"{weightsPath}: weights file not found; model.json names it, so the folder is incomplete");
        }
        try
        {
            using FileStream stream = File.OpenRead(weightsPath);
            return new StateDictionaryFile(folder, ModuleSaveFormat, ReadModuleSave(stream, weightsPath), manifest.Spec.Architecture);
        }
        catch (Exception exception) when (IsReadFailure(exception))
        {
            throw new UserInputException($"{weightsPath}: cannot read the weights of this model folder ({exception.GetType().Name}: {FirstLine(exception.Message)}); train the model again", exception);
        }
    }

    private static Dictionary<string, Tensor> ReadPickle(Stream stream, string path)
    {
        Hashtable table = PyTorchUnpickler.UnpickleStateDict(stream, leaveOpen: true);
        Hashtable stateDict = table;
        if (!table.Values.Cast<object?>().All(value => value is Tensor))
        {
            stateDict = NestedStateDictKeys.Select(key => table[key]).OfType<Hashtable>().FirstOrDefault()
                ?? throw new UserInputException(
                    $"{path}: the pickle contains a dictionary without a state dict (its keys: {string.Join(", ", table.Keys.Cast<object>().Take(10))}); save the weights with torch.save(model.state_dict(), path)");
        }

        var result = new Dictionary<string, Tensor>();
        foreach (DictionaryEntry entry in stateDict)
        {
            if (entry.Key is string key && entry.Value is Tensor tensor)
            {
                result[key] = tensor;
            }
        }
        if (result.Count == 0)
        {
            throw new UserInputException($"{path}: the state dict contains no tensors; save the weights with torch.save(model.state_dict(), path)");
        }
        const string dataParallelPrefix = "module.";
        if (result.Keys.All(key => key.StartsWith(dataParallelPrefix, StringComparison.Ordinal)))
        {
            result = result.ToDictionary(pair => pair.Key[dataParallelPrefix.Length..], pair => pair.Value);
        }
        return result;
    }

    private static bool StartsWithZipSignature(Stream stream)
    {
        var header = new byte[ZipSignature.Length];
        int read = stream.ReadAtLeast(header, header.Length, throwOnEndOfStream: false);
        stream.Position = 0;
        return read == header.Length && header.AsSpan().SequenceEqual(ZipSignature);
    }

    private static long ReadLeb128(BinaryReader reader)
    {
        long result = 0;
        for (int shift = 0; shift < 64; shift += 7)
        {
            byte next = reader.ReadByte();
            result |= (long)(next & 0x7f) << shift;
            if ((next & 0x80) == 0)
            {
                return result;
            }
        }
        return -1;
    }

    // The unpickler and the readers signal bad content with these; other exceptions are bugs and propagate.
    private static bool IsReadFailure(Exception exception) => exception is IOException or InvalidDataException or NotImplementedException
        or InvalidOperationException or InvalidCastException or ArgumentException or FormatException or KeyNotFoundException
        or IndexOutOfRangeException or OverflowException or JsonException or PickleException;

    private static string FirstLine(string message) => message.Split('\n', 2)[0].Trim();

    private static void DisposeAll(Dictionary<string, Tensor> tensors)
    {
        foreach (Tensor tensor in tensors.Values)
        {
            tensor.Dispose();
        }
        tensors.Clear();
    }
}
