using System.Diagnostics;
using Negentropy.Evaluation;

namespace Negentropy.Benchmarks;

/// <summary>Times each stage of the evaluation report once, after a warm-up, on the benchmark's data.</summary>
public static class StageTimings
{
    public static void Run()
    {
        var benchmark = new EvaluationReportBenchmark();
        benchmark.Setup();
        (int[] targets, double[] probs) = benchmark.Data;
        int k = EvaluationReportBenchmark.Classes;
        int rows = targets.Length;
        int[] preds = new int[rows];
        for (int i = 0; i < rows; i++)
        {
            int best = 0;
            for (int c = 1; c < k; c++)
            {
                best = probs[(i * k) + c] > probs[(i * k) + best] ? c : best;
            }
            preds[i] = best;
        }

        for (int pass = 0; pass < 2; pass++)
        {
            var confusion = ConfusionMatrix.Compute(targets, preds, k);
            Time("rank (sort per class)", () => ScoreRankings.Create(probs, targets, k), pass, out ScoreRankings rankings);
            Time("mann-whitney matrix", () => rankings.MannWhitney, pass, out _);
            Time("roc ovr", () => RankingMetrics.RocAucOneVsRest(rankings), pass, out _);
            Time("roc ovo", () => RankingMetrics.RocAucOneVsOne(rankings), pass, out _);
            Time("average precision", () => RankingMetrics.AveragePrecisionPerClass(rankings), pass, out _);
            Time("log loss", () => ProbabilityMetrics.LogLoss(targets, probs, k), pass, out _);
            Time("brier", () => ProbabilityMetrics.BrierMulticlass(targets, probs, k), pass, out _);
            Time("top-2", () => LabelMetrics.TopKAccuracy(targets, probs, k, 2), pass, out _);
            Time("ece", () => Calibration.ExpectedCalibrationError(targets, probs, k), pass, out _);
            Time("mce", () => Calibration.MaximumCalibrationError(targets, probs, k), pass, out _);
            Time("ece equal mass", () => Calibration.EqualMassCalibrationError(targets, probs, k), pass, out _);
            Time("ece classwise", () => Calibration.ClasswiseCalibrationError(targets, probs, k), pass, out _);
            Time("reliability", () => Calibration.TopLabelBins(targets, probs, k), pass, out _);
            Time("confusion", () => ConfusionMatrix.Compute(targets, preds, k), pass, out _);
            Time("full report", () => EvaluationReport.Compute(targets, probs, Enumerable.Range(0, k).Select(c => $"c{c}").ToArray()), pass, out _);
            _ = confusion;
        }
    }

    private static void Time<T>(string name, Func<T> action, int pass, out T result)
    {
        var stopwatch = Stopwatch.StartNew();
        result = action();
        if (pass == 1)
        {
            Console.WriteLine($"{name,-24} {stopwatch.Elapsed.TotalMilliseconds,8:F1} ms");
        }
    }
}
