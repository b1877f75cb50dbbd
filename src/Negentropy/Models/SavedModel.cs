using Negentropy.Reporting;
using TorchSharp;
using static TorchSharp.torch;

namespace Negentropy.Models;

/// <summary>Saves and loads a trained model folder: model.json and the weights file beside it.</summary>
public static class SavedModel
{
    /// <summary>Writes the weights atomically, then model.json.</summary>
    public static void Save(string folder, ModelManifest manifest, nn.Module model)
    {
        // Module.save(Stream) closes the stream, which would fail the flush before the rename.
        AtomicFile.Write(Path.Combine(folder, manifest.WeightsFile), stream =>
        {
            using var writer = new BinaryWriter(stream, System.Text.Encoding.UTF8, leaveOpen: true);
            model.save(writer);
        });
        manifest.Write(folder);
    }

    /// <summary>Rebuilds the model that folder/model.json describes and loads its weights, in eval mode.</summary>
    public static (ModelManifest Manifest, nn.Module<Tensor, Tensor> Model) Load(string folder)
    {
        ModelManifest manifest = ModelManifest.Read(folder);
        string weightsPath = Path.Combine(folder, manifest.WeightsFile);
        if (!File.Exists(weightsPath))
        {
            throw new UserInputException($"{weightsPath}: weights file not found; model.json names it, so the folder is incomplete");
        }

        nn.Module<Tensor, Tensor> model = ModelFactory.Create(manifest.Spec);
        try
        {
            model.load(weightsPath, strict: true);
        }
        catch (Exception exception) when (exception is ArgumentException or InvalidOperationException or IOException)
        {
            model.Dispose();
            throw new UserInputException($"{weightsPath}: weights do not match the architecture in model.json ({exception.Message})", exception);
        }
        model.eval();
        return (manifest, model);
    }

    /// <summary>
    /// Loads the model as <see cref="Load(string)"/> does and prepares it to predict in <paramref name="precision"/>
    /// (see <see cref="InferencePrecision.Apply"/>).
    /// </summary>
    public static (ModelManifest Manifest, nn.Module<Tensor, Tensor> Model) Load(string folder, InferencePrecision precision)
    {
        (ModelManifest manifest, nn.Module<Tensor, Tensor> model) = Load(folder);
        try
        {
            return (manifest, precision.Apply(model));
        }
        catch
        {
            model.Dispose();
            throw;
        }
    }
}
