using BenchmarkDotNet.Attributes;
using Negentropy.Evaluation;

namespace Negentropy.Benchmarks;

/// <summary>
/// The full evaluation JSON (every metric of <c>negentropy eval --json</c>) for 1,000,000 rows × 10
/// classes of seeded, imperfect predictions. Parsing the CSV is not part of the measurement.
/// </summary>
[MemoryDiagnoser]
[SimpleJob(launchCount: 1, warmupCount: 2, iterationCount: 10)]
public class EvaluationReportBenchmark
{
    public const int Rows = 1_000_000;
    public const int Classes = 10;

    private int[] targets = Array.Empty<int>();
    private double[] probs = Array.Empty<double>();
    private string[] classNames = Array.Empty<string>();

    [GlobalSetup]
    public void Setup()
    {
        var random = new Random(20261204);
        targets = new int[Rows];
        probs = new double[Rows * Classes];
        classNames = Enumerable.Range(0, Classes).Select(k => $"class {k}").ToArray();
        for (int i = 0; i < Rows; i++)
        {
            int target = random.Next(Classes);
            targets[i] = target;
            // Random logits with a bonus for the target, so the predictions are right about 70% of the time.
            double sum = 0;
            for (int k = 0; k < Classes; k++)
            {
                double logit = (random.NextDouble() * 4) + (k == target ? 2.5 : 0);
                double value = Math.Exp(logit);
                probs[(i * Classes) + k] = value;
                sum += value;
            }
            for (int k = 0; k < Classes; k++)
            {
                probs[(i * Classes) + k] /= sum;
            }
        }
    }

    /// <summary>The generated targets and probabilities, after <see cref="Setup"/>.</summary>
    public (int[] Targets, double[] Probs) Data => (targets, probs);

    [Benchmark]
    public string FullReportJson() => EvaluationReport.Compute(targets, probs, classNames).ToJson().ToJsonString();
}
