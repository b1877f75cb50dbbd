using System.Security.Cryptography;
using Negentropy.Data;
using Negentropy.Information;
using Negentropy.Models;
using Negentropy.Monitoring;
using Negentropy.Reporting;
using Negentropy.Text;
using Negentropy.Training;
using TorchSharp;
using static TorchSharp.torch;

namespace Negentropy.Serving;

/// <summary>
/// A loaded model folder ready to predict: the network in eval mode, its input preparation (pixel
/// normalization or tokenizer), the abstention threshold and the monitoring reference.
/// </summary>
/// <remarks>
/// The instance is reference-counted so that a hot reload never disposes a model while a request still
/// uses it: <see cref="ModelHolder"/> owns one reference and each request takes one with
/// <see cref="TryAcquire"/>. The last <see cref="Release"/> disposes the network. Probabilities are the
/// network's own softmax (or sigmoid), the same ones the abstention threshold was chosen on; the fitted
/// temperature in model.json is not applied.
/// </remarks>
public sealed class ServedModel
{
    private readonly nn.Module<Tensor, Tensor> network;
    private readonly ITextEncoder? encoder;
    private readonly float[] mean;
    private readonly float[] std;
    private int references = 1;

    private ServedModel(string folder, ModelManifest manifest, nn.Module<Tensor, Tensor> network, InferencePrecision precision, ITextEncoder? encoder,
        MonitoringReference? reference, double thresholdBits, string thresholdSource)
    {
        Folder = folder;
        Manifest = manifest;
        this.network = network;
        Precision = precision;
        this.encoder = encoder;
        Reference = reference;
        AbstainThresholdBits = thresholdBits;
        ThresholdSource = thresholdSource;
        mean = manifest.Normalization.Mean.Select(m => (float)m).ToArray();
        std = manifest.Normalization.Std.Select(s => (float)s).ToArray();
        MaxEntropyBits = Math.Log2(manifest.ClassNames.Count);
    }

    public string Folder { get; }

    public ModelManifest Manifest { get; }

    public string Name => Manifest.Name;

    public string Version => Manifest.Version;

    public IReadOnlyList<string> ClassNames => Manifest.ClassNames;

    public bool IsText => Manifest.Spec.IsText;

    /// <summary>The number format the network predicts in.</summary>
    public InferencePrecision Precision { get; }

    /// <summary>Bytes of one image input: channels × height × width.</summary>
    public int PixelCount => Manifest.Spec.InputChannels * Manifest.Spec.InputHeight * Manifest.Spec.InputWidth;

    /// <summary>The model abstains when an input's entropy is above this many bits.</summary>
    public double AbstainThresholdBits { get; }

    /// <summary>Where the threshold came from: "model.json" or "--abstain-threshold".</summary>
    public string ThresholdSource { get; }

    /// <summary>log₂ K: the entropy of a uniform distribution, which normalizes entropies to [0, 1].</summary>
    public double MaxEntropyBits { get; }

    /// <summary>The validation reference for drift monitoring, or null when the folder has no reference.json.</summary>
    public MonitoringReference? Reference { get; }

    /// <summary>
    /// Loads model.json, the weights, and tokenizer.json for a text model, from <paramref name="folder"/>.
    /// </summary>
    /// <param name="thresholdOverride">An abstention threshold in bits that replaces the one in model.json.</param>
    /// <param name="precision">The number format to predict in; bf16 converts the loaded weights (see <see cref="InferencePrecision.Apply"/>).</param>
    public static ServedModel Load(string folder, double? thresholdOverride, InferencePrecision precision)
    {
        (ModelManifest manifest, nn.Module<Tensor, Tensor> network) = SavedModel.Load(folder, precision);
        try
        {
            ITextEncoder? encoder = null;
            if (manifest.Spec.IsText)
            {
                string encoderPath = Path.Combine(folder, TextTrainingRun.EncoderFileName);
                if (!File.Exists(encoderPath))
                {
                    throw new UserInputException($"{encoderPath} is missing; a text model needs the tokenizer saved with it");
                }
                encoder = TextEncoders.Load(encoderPath);
            }
            MonitoringReference? reference = MonitoringReference.TryRead(folder);
            (double threshold, string source) = thresholdOverride is double chosen
                ? (chosen, "--abstain-threshold")
                : StoredThreshold(manifest);
            return new ServedModel(folder, manifest, network, precision, encoder, reference, threshold, source);
        }
        catch
        {
            network.Dispose();
            throw;
        }
    }

    /// <summary>Takes a reference for one request; false when the model has already been released for good.</summary>
    public bool TryAcquire()
    {
        while (true)
        {
            int current = Volatile.Read(ref references);
            if (current == 0)
            {
                return false;
            }
            if (Interlocked.CompareExchange(ref references, current + 1, current) == current)
            {
                return true;
            }
        }
    }

    /// <summary>Gives a reference back; the last one disposes the network.</summary>
    public void Release()
    {
        if (Interlocked.Decrement(ref references) == 0)
        {
            network.Dispose();
        }
    }

    /// <summary>Tokenizes <paramref name="text"/> for a text model.</summary>
    public ModelInput PrepareText(string text)
    {
        int[] tokens = encoder!.Encode(text, Manifest.Spec.MaxLength);
        return ModelInput.FromTokens(tokens, Hash(System.Text.Encoding.UTF8.GetBytes(text)));
    }

    /// <summary>Wraps pixels already in the model's layout.</summary>
    public ModelInput PreparePixels(byte[] pixels) => ModelInput.FromPixels(pixels, Hash(pixels));

    /// <summary>Decodes an encoded image to the model's size and channels.</summary>
    /// <returns>The input, or null and the reason the bytes are not a decodable image.</returns>
    public (ModelInput? Input, string? Error) PrepareImage(byte[] encoded)
    {
        var pixels = new byte[PixelCount];
        ModelSpec spec = Manifest.Spec;
        string? error = ImageFileDecoder.Decode(encoded, spec.InputWidth, spec.InputHeight, spec.InputChannels, pixels);
        return error is null ? (ModelInput.FromPixels(pixels, Hash(encoded)), null) : (null, error);
    }

    /// <summary>Runs one batch in eval mode without gradients. Call only while holding a reference.</summary>
    public RawPrediction[] Predict(IReadOnlyList<ModelInput> inputs)
    {
        int numClasses = ClassNames.Count;
        using var noGrad = torch.no_grad();
        using var scope = NewDisposeScope();
        Tensor batch = IsText ? TokenBatch(inputs) : ImageBatch(inputs);
        Tensor logProbs = Evaluator.LogProbabilities(network.forward(batch).to_type(ScalarType.Float64));
        double[] probs = logProbs.exp().data<double>().ToArray();
        double[] entropies = PredictiveEntropy.BitsFromLogProbs(logProbs).data<double>().ToArray();

        var predictions = new RawPrediction[inputs.Count];
        for (int i = 0; i < inputs.Count; i++)
        {
            double[] row = probs.AsSpan(i * numClasses, numClasses).ToArray();
            predictions[i] = new RawPrediction(row, Distributions.ArgMax(row), Math.Max(0, entropies[i]));
        }
        return predictions;
    }

    // The same arithmetic as ImageTensors, in float32: (p / 255 − mean[c]) / std[c]. Shape [B, C, H, W].
    private Tensor ImageBatch(IReadOnlyList<ModelInput> inputs)
    {
        ModelSpec spec = Manifest.Spec;
        int planeSize = spec.InputHeight * spec.InputWidth;
        var values = new float[inputs.Count * PixelCount];
        for (int i = 0; i < inputs.Count; i++)
        {
            byte[] pixels = inputs[i].Pixels!;
            for (int c = 0; c < spec.InputChannels; c++)
            {
                int offset = (i * PixelCount) + (c * planeSize);
                for (int k = 0; k < planeSize; k++)
                {
                    values[offset + k] = ((pixels[(c * planeSize) + k] / 255f) - mean[c]) / std[c];
                }
            }
        }
        return tensor(values, new long[] { inputs.Count, spec.InputChannels, spec.InputHeight, spec.InputWidth });
    }

    // Token ids [B, L] padded with 0 to the longest input, as in training.
    private static Tensor TokenBatch(IReadOnlyList<ModelInput> inputs)
    {
        int[][] tokens = inputs.Select(input => input.Tokens!).ToArray();
        using var rows = new TextTensors(tokens, new int[tokens.Length]);
        int[] order = Enumerable.Range(0, tokens.Length).ToArray();
        return rows.Batch(order, 0, tokens.Length).Inputs;
    }

    private static (double Threshold, string Source) StoredThreshold(ModelManifest manifest) =>
        manifest.Abstention is { } policy
            ? (policy.ThresholdBits, ModelManifest.FileName)
            : (Math.Log2(manifest.ClassNames.Count), "none stored (model.json predates abstention), so it never abstains");

    private static string Hash(byte[] bytes) => Convert.ToHexStringLower(SHA256.HashData(bytes));
}
