using System.Text.Json.Nodes;
using Negentropy.Monitoring;
using Xunit;

namespace Negentropy.Tests.Monitoring;

public sealed class DriftScoresTests
{
    [Fact]
    public void Compute_MatchesScipy()
    {
        JsonArray cases = KolmogorovSmirnovTests.Fixture.Value["drift_scores"]!.AsArray();
        Assert.True(cases.Count >= 2);
        foreach (JsonNode? item in cases)
        {
            string name = item!["name"]!.GetValue<string>();
            JsonNode reference = item["reference"]!;
            var monitoringReference = new MonitoringReference
            {
                Count = reference["count"]!.GetValue<int>(),
                ClassNames = reference["class_names"]!.AsArray().Select(n => n!.GetValue<string>()).ToArray(),
                ClassShares = KolmogorovSmirnovTests.Vector(reference["class_shares"]),
                EntropyBinEdges = KolmogorovSmirnovTests.Vector(reference["entropy_bin_edges"]),
                EntropyBinShares = KolmogorovSmirnovTests.Vector(reference["entropy_bin_shares"]),
                EntropySample = KolmogorovSmirnovTests.Vector(reference["entropy_sample"]),
                MeanEntropyBits = reference["mean_entropy_bits"]!.GetValue<double>(),
                AbstentionRate = reference["abstention_rate"]!.GetValue<double>(),
            };
            int[] classIndexes = item["window"]!["class_indexes"]!.AsArray().Select(n => n!.GetValue<int>()).ToArray();
            double[] entropies = KolmogorovSmirnovTests.Vector(item["window"]!["entropies_bits"]);
            bool[] abstain = item["window"]!["abstain"]!.AsArray().Select(n => n!.GetValue<bool>()).ToArray();
            var window = new PredictionWindow(monitoringReference.ClassNames.Count, classIndexes.Length, TimeSpan.FromHours(1));
            for (int i = 0; i < classIndexes.Length; i++)
            {
                window.Record(MonitoringTestData.Start.AddMilliseconds(i), classIndexes[i], entropies[i], abstain[i]);
            }

            DriftScores scores = DriftScores.Compute(monitoringReference, window.Snapshot(MonitoringTestData.Start.AddMinutes(1)).Count);

            JsonNode expected = item["expected"]!;
            AssertClose(expected["class_psi"], scores.ClassPsi, $"{name} class_psi");
            AssertClose(expected["class_js"], scores.ClassJs, $"{name} class_js");
            AssertClose(expected["entropy_psi"], scores.EntropyPsi, $"{name} entropy_psi");
            Assert.True(expected["entropy_ks"]!.GetValue<double>() == scores.EntropyKs, $"{name} entropy_ks: expected {expected["entropy_ks"]}, got {scores.EntropyKs:R}");
            AssertClose(expected["entropy_ks_p"], scores.EntropyKsP, $"{name} entropy_ks_p");
            AssertClose(expected["mean_entropy"], scores.MeanEntropyBits, $"{name} mean_entropy");
            AssertClose(expected["abstention_rate"], scores.AbstentionRate, $"{name} abstention_rate");
            Assert.Equal(KolmogorovSmirnovTests.Vector(expected["class_shares"]), scores.ClassShares);
            Assert.Equal(classIndexes.Length, scores.PredictionCount);
        }
    }

    [Fact]
    public void Compute_HandCase()
    {
        MonitoringReference reference = MonitoringTestData.HamSpam();
        var snapshot = new WindowSnapshot(WindowSnapshot.CountWindow, 10, [5, 5], [0.1, 0.2, 0.3, 0.4, 0.6, 0.7, 0.8, 0.9, 1.1, 1.3], 2);

        DriftScores scores = DriftScores.Compute(reference, snapshot);

        double classPsi = (0.5 - 0.8) * Math.Log(0.5 / 0.8) + (0.5 - 0.2) * Math.Log(0.5 / 0.2);
        double classJs = 0.5 * (0.8 * Math.Log2(0.8 / 0.65) + 0.2 * Math.Log2(0.2 / 0.35))
            + 0.5 * (0.5 * Math.Log2(0.5 / 0.65) + 0.5 * Math.Log2(0.5 / 0.35));
        // Entropy bins (≤ 0.5, (0.5, 1.0], > 1.0) contain 4, 4 and 2 of the 10 entropies.
        double entropyPsi = (0.4 - 0.5) * Math.Log(0.4 / 0.5) + (0.4 - 0.3) * Math.Log(0.4 / 0.3);
        double standardError = Math.Sqrt(0.8 * 0.2 / 10);
        Assert.Equal(classPsi, scores.ClassPsi, 12);
        Assert.Equal(classJs, scores.ClassJs, 12);
        Assert.Equal(entropyPsi, scores.EntropyPsi, 12);
        Assert.Equal(0.1, scores.EntropyKs, 12);
        Assert.Equal(KolmogorovSmirnov.KolmogorovSurvival(Math.Sqrt(5) * scores.EntropyKs), scores.EntropyKsP, 15);
        Assert.Equal(0.64, scores.MeanEntropyBits, 12);
        Assert.Equal(0.2, scores.AbstentionRate, 15);
        Assert.Equal([0.5, 0.5], scores.ClassShares);
        Assert.Equal(-0.3 / standardError, scores.ClassShareZ[0], 12);
        Assert.Equal(0.3 / standardError, scores.ClassShareZ[1], 12);
        Assert.Equal(scores.ClassShareZ[1], scores.Metric("class_share_z", 1));
        Assert.Equal(scores.ClassPsi, scores.Metric("class_psi"));
    }

    [Fact]
    public void ClassShareZ_FloorsZeroReferenceShare()
    {
        MonitoringReference reference = MonitoringTestData.Reference(["a", "b", "c"], [0.6, 0.4, 0.0], count: 1000);
        var snapshot = new WindowSnapshot(WindowSnapshot.CountWindow, 100, [50, 49, 1], Enumerable.Repeat(0.3, 100).ToArray(), 0);

        DriftScores scores = DriftScores.Compute(reference, snapshot);

        double floor = 0.5 / 1000;
        Assert.Equal(floor, DriftScores.ShareFloor(reference));
        Assert.Equal((0.01 - floor) / Math.Sqrt(floor * (1 - floor) / 100), scores.ClassShareZ[2], 9);
        Assert.True(double.IsFinite(scores.ClassPsi));
    }

    [Fact]
    public void Compute_RejectsEmptyWindow()
    {
        var snapshot = new WindowSnapshot(WindowSnapshot.TimeWindow, 0, [0, 0], [], 0);

        var exception = Assert.Throws<ArgumentException>(() => DriftScores.Compute(MonitoringTestData.HamSpam(), snapshot));

        Assert.Contains("window is empty", exception.Message);
    }

    private static void AssertClose(JsonNode? expected, double actual, string metric)
    {
        double value = expected!.GetValue<double>();
        Assert.True(Math.Abs(value - actual) <= 1e-12, $"{metric}: expected {value:R}, got {actual:R}");
    }
}
