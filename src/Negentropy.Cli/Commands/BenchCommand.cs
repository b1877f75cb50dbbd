using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using Negentropy.Bench;
using Negentropy.Reporting;

namespace Negentropy.Cli.Commands;

/// <summary>
/// <c>negentropy bench --model cnn|resnet</c>: training and inference throughput, batch-1 latency, peak RSS,
/// FLOPs per sample and the share of the matmul peak; the last line is JSON.
/// </summary>
public sealed class BenchCommand
{
    private readonly Option<string> model = new("--model") { Description = "cnn or resnet", Required = true };
    private readonly Option<string> data = new("--data") { Description = "synthetic (default) or fashion-mnist", DefaultValueFactory = _ => "synthetic" };
    private readonly Option<int> batchSize = NumberOptions.Integer("--batch-size", $"Batch size (default {BenchOptions.DefaultBatchSize})", BenchOptions.DefaultBatchSize);
    private readonly Option<int?> threads = NumberOptions.OptionalInteger("--threads", "libtorch threads (default: one per processor)");
    private readonly Option<int> steps = NumberOptions.Integer("--steps", $"Timed training steps (default {BenchOptions.DefaultSteps})", BenchOptions.DefaultSteps);
    private readonly Option<int> warmupSteps = NumberOptions.Integer("--warmup-steps", $"Untimed steps first (default {BenchOptions.DefaultWarmupSteps})", BenchOptions.DefaultWarmupSteps);
    private readonly Option<int> inferenceBatches = NumberOptions.Integer("--inference-batches", $"Timed inference batches (default {BenchOptions.DefaultInferenceBatches})", BenchOptions.DefaultInferenceBatches);
    private readonly Option<int> latencyRuns = NumberOptions.Integer("--latency-runs", $"Single-sample passes for the latency median (default {BenchOptions.DefaultLatencyRuns})", BenchOptions.DefaultLatencyRuns);
    private readonly Option<int?> width = NumberOptions.OptionalInteger("--width", "Model width (default: the training default)");
    private readonly Option<int?> depth = NumberOptions.OptionalInteger("--depth", "Model depth (default: the training default)");

    public BenchCommand(Option<bool> verbose)
    {
        Command = new Command("bench", "Measure training and inference speed, latency, memory and the share of the matmul peak for an image model")
        {
            model, data, batchSize, threads, steps, warmupSteps, inferenceBatches, latencyRuns, width, depth,
        };
        Command.SetAction(parseResult => CommandRunner.Run(_ =>
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
            };
            BenchResult result = ThroughputBench.Run(options, Console.Out.WriteLine);
            Console.Out.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"train {result.TrainSamplesPerSecond:F0} samples/s, inference {result.InferenceSamplesPerSecond:F0} samples/s, latency {result.LatencyMsBatch1:F2} ms, peak RSS {result.PeakRssMb:F0} MiB, {result.GflopsPerSample:F4} GFLOPs per sample, {result.FractionOfMatmulPeak:P1} of the {result.MatmulPeakGflops:F1} GFLOP/s matmul peak"));
            Console.Out.WriteLine(JsonSerializer.Serialize(result, JsonFormats.Compact));
            return ExitCodes.Success;
        }, parseResult.GetValue(verbose), Console.Error, interruptHint: "no results were written", stopping: "stopping the benchmark"));
    }

    public Command Command { get; }
}
