using System.Text.Json.Nodes;
using Negentropy.Information;

namespace Negentropy.Evaluation;

/// <summary>
/// The risk–coverage curve of selective classification with predictive entropy as the uncertainty
/// score (Geifman &amp; El-Yaniv, 2017): the model answers an input when its entropy is at most a
/// threshold and abstains otherwise. Coverage is the share answered, and risk is the error rate among
/// the answered inputs.
/// </summary>
/// <remarks>
/// Samples are sorted by entropy in bits, ascending. The curve has one point per distinct entropy value
/// e, for the threshold e: every sample with entropy ≤ e is answered, so tied entropies are answered or
/// abstained on together. A sample is an error when the argmax of its row (ties to the lowest class
/// index) differs from its target. AURC is the step-function area Σ_j (coverage_j − coverage_{j−1})·risk_j,
/// with coverage_0 = 0. Without ties this is the mean of the selective risk over the n coverage levels
/// k/n, k = 1 … n. A tie group of m samples contributes m/n times its shared risk.
/// </remarks>
public static class RiskCoverage
{
    /// <summary>Maximum points of the curve stored in report.json, endpoints included.</summary>
    public const int MaxStoredPoints = 201;

    /// <summary>
    /// Threshold of a policy that answers nothing: entropy is never negative, so every input's entropy is
    /// above it.
    /// </summary>
    public const double AnswerNothingThresholdBits = -1;

    /// <summary>One point of the curve: every sample with entropy ≤ <paramref name="ThresholdBits"/> is answered.</summary>
    public sealed record Point(double ThresholdBits, int Answered, int Errors, double Coverage, double Risk);

    /// <summary>
    /// A risk–coverage curve over <paramref name="Count"/> samples, with its points in ascending threshold
    /// (and strictly ascending coverage) order. The last point always has coverage 1.
    /// </summary>
    public sealed record Curve(int Count, IReadOnlyList<Point> Points, double Aurc)
    {
        /// <summary>Error rate when every sample is answered: the risk of the last point.</summary>
        public double FullCoverageRisk => Points[^1].Risk;

        /// <summary>
        /// Returns a copy with at most <paramref name="maxPoints"/> points for storage. It keeps the first
        /// and last points and, for each coverage level i/(maxPoints − 1) in between, the first point that
        /// reaches it. The kept points are exact points of this curve, in the same order. AURC is not
        /// recomputed.
        /// </summary>
        public Curve Downsample(int maxPoints = MaxStoredPoints)
        {
            if (maxPoints < 2)
            {
                throw new ArgumentOutOfRangeException(nameof(maxPoints), maxPoints, "a downsampled curve keeps both endpoints, so it needs at least 2 points");
            }
            if (Points.Count <= maxPoints)
            {
                return this;
            }
            var sampled = new List<Point> { Points[0] };
            int lastSampled = 0;
            int next = 1;
            int levels = maxPoints - 1;
            for (int level = 1; level < levels; level++)
            {
                double coverage = (double)level / levels;
                while (next < Points.Count - 1 && Points[next].Coverage < coverage)
                {
                    next++;
                }
                if (next < Points.Count - 1 && next != lastSampled)
                {
                    sampled.Add(Points[next]);
                    lastSampled = next;
                }
            }
            sampled.Add(Points[^1]);
            return this with { Points = sampled };
        }

        /// <summary>Formats the curve as the "risk_coverage" section of report.json.</summary>
        public JsonObject ToJson() => new()
        {
            ["split"] = "validation",
            ["count"] = Count,
            ["aurc"] = Aurc,
            ["full_coverage_risk"] = FullCoverageRisk,
            ["points"] = new JsonArray(Points.Select(point => (JsonNode?)new JsonObject
            {
                ["threshold_bits"] = point.ThresholdBits,
                ["coverage"] = point.Coverage,
                ["risk"] = point.Risk,
                ["answered"] = point.Answered,
                ["errors"] = point.Errors,
            }).ToArray()),
        };

        /// <summary>Reads a curve written by <see cref="ToJson"/>; returns null when a field is missing or has the wrong type.</summary>
        public static Curve? FromJson(JsonObject json)
        {
            try
            {
                Point[] points = json["points"]!.AsArray().Select(node => new Point(
                    node!["threshold_bits"]!.GetValue<double>(),
                    node["answered"]!.GetValue<int>(),
                    node["errors"]!.GetValue<int>(),
                    node["coverage"]!.GetValue<double>(),
                    node["risk"]!.GetValue<double>())).ToArray();
                return points.Length == 0 ? null : new Curve(json["count"]!.GetValue<int>(), points, json["aurc"]!.GetValue<double>());
            }
            catch (Exception exception) when (exception is NullReferenceException or InvalidOperationException or FormatException)
            {
                return null;
            }
        }
    }

    /// <summary>Computes the curve from probabilities [targets.Count, numClasses], flattened by row.</summary>
    /// <exception cref="ArgumentException">The rows are empty or do not match the targets.</exception>
    public static Curve Compute(IReadOnlyList<int> targets, ReadOnlySpan<double> probs, int numClasses)
    {
        int count = targets.Count;
        if (count == 0 || numClasses < 1 || probs.Length != count * numClasses)
        {
            throw new ArgumentException($"{probs.Length} probabilities do not form {count} rows of {numClasses} classes, with at least one row", nameof(probs));
        }

        var entropies = new double[count];
        var wrong = new bool[count];
        for (int i = 0; i < count; i++)
        {
            ReadOnlySpan<double> row = probs.Slice(i * numClasses, numClasses);
            entropies[i] = Distributions.Entropy(row, LogBase.Bits, normalize: true);
            wrong[i] = Distributions.ArgMax(row) != targets[i];
        }
        int[] order = Enumerable.Range(0, count).ToArray();
        Array.Sort(entropies.ToArray(), order);

        // One point per tie group: the group's samples are all answered once the threshold reaches their entropy.
        var points = new List<Point>();
        int answered = 0;
        int errors = 0;
        double aurc = 0;
        while (answered < count)
        {
            double threshold = entropies[order[answered]];
            int groupStart = answered;
            while (answered < count && entropies[order[answered]] == threshold)
            {
                errors += wrong[order[answered]] ? 1 : 0;
                answered++;
            }
            double risk = (double)errors / answered;
            aurc += (answered - groupStart) * risk;
            points.Add(new Point(threshold, answered, errors, (double)answered / count, risk));
        }
        return new Curve(count, points, aurc / count);
    }

    /// <summary>
    /// Selects the threshold with the largest coverage whose validation risk is at most
    /// <paramref name="targetRisk"/>. When no point reaches it, the policy answers nothing
    /// (<see cref="AnswerNothingThresholdBits"/>, coverage 0, risk null) and <see cref="AbstentionPolicy.TargetMet"/> is false.
    /// </summary>
    public static AbstentionPolicy SelectForRisk(Curve curve, double targetRisk)
    {
        if (!(targetRisk > 0 && targetRisk < 1))
        {
            throw new ArgumentOutOfRangeException(nameof(targetRisk), targetRisk, "the target risk must be in (0, 1)");
        }
        Point? chosen = curve.Points.LastOrDefault(point => point.Risk <= targetRisk);
        if (chosen is null)
        {
            return new AbstentionPolicy
            {
                Criterion = AbstentionPolicy.RiskCriterion,
                Target = targetRisk,
                ThresholdBits = AnswerNothingThresholdBits,
                ValidationRisk = null,
                ValidationCoverage = 0,
                ValidationCount = curve.Count,
                TargetMet = false,
            };
        }
        return Policy(AbstentionPolicy.RiskCriterion, targetRisk, chosen, curve.Count);
    }

    /// <summary>
    /// Selects the smallest threshold whose validation coverage is at least <paramref name="targetCoverage"/>.
    /// The last point has coverage 1, so every target in (0, 1] is met.
    /// </summary>
    public static AbstentionPolicy SelectForCoverage(Curve curve, double targetCoverage)
    {
        if (!(targetCoverage > 0 && targetCoverage <= 1))
        {
            throw new ArgumentOutOfRangeException(nameof(targetCoverage), targetCoverage, "the target coverage must be in (0, 1]");
        }
        Point chosen = curve.Points.First(point => point.Coverage >= targetCoverage);
        return Policy(AbstentionPolicy.CoverageCriterion, targetCoverage, chosen, curve.Count);
    }

    private static AbstentionPolicy Policy(string criterion, double target, Point chosen, int count) => new()
    {
        Criterion = criterion,
        Target = target,
        ThresholdBits = chosen.ThresholdBits,
        ValidationRisk = chosen.Risk,
        ValidationCoverage = chosen.Coverage,
        ValidationCount = count,
        TargetMet = true,
    };

}
