using BenchmarkDotNet.Running;
using Negentropy.Benchmarks;

if (args.Length > 0 && args[0] == "--lens-overhead")
{
    LensOverhead.Run();
    return;
}
if (args.Length > 0 && args[0] == "--stages")
{
    // A quick per-stage breakdown with a stopwatch, to find where the report's time goes.
    StageTimings.Run();
    return;
}
if (args.Length > 1 && args[0] == "--noisy-labels")
{
    NoisyLabels.Run(args);
    return;
}
if (args.Length > 1 && args[0] == "--serve-load")
{
    ServeLoad.Run(args);
    return;
}
BenchmarkSwitcher.FromAssembly(typeof(EvaluationReportBenchmark).Assembly).Run(args);
