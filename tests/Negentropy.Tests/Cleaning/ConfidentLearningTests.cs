using Negentropy.Cleaning;
using Xunit;

namespace Negentropy.Tests.Cleaning;

public sealed class ConfidentLearningTests
{
    // Labels [0, 0, 1, 1]; t₀ = (0.9 + 0.6) / 2 = 0.75, t₁ = (0.8 + 0.2) / 2 = 0.5.
    // Example 3 is labelled 1 but has p₀ = 0.8 ≥ t₀, so C = [[1, 0], [1, 1]] (example 1 passes no threshold).
    // Calibrated to 2 examples per label: [[2, 0], [1, 1]] / 4; one example (4 × 0.25) of label 1 is pruned.
    private static readonly int[] HandLabels = { 0, 0, 1, 1 };
    private static readonly double[] HandProbs = { 0.9, 0.1, 0.6, 0.4, 0.2, 0.8, 0.8, 0.2 };

    [Fact]
    public void HandCase_ThresholdsAndJoint()
    {
        ConfidentLearning.Result result = ConfidentLearning.Find(HandLabels, HandProbs, 2);

        Assert.Equal(0.75, result.Thresholds[0], 12);
        Assert.Equal(0.5, result.Thresholds[1], 12);
        Assert.Equal(new long[,] { { 1, 0 }, { 1, 1 } }, result.ConfidentJoint);
        Assert.Equal(0.5, result.Joint[0, 0], 12);
        Assert.Equal(0.0, result.Joint[0, 1], 12);
        Assert.Equal(0.25, result.Joint[1, 0], 12);
        Assert.Equal(0.25, result.Joint[1, 1], 12);
        Assert.Equal(0.0, result.NoiseRates[0], 12);
        Assert.Equal(0.5, result.NoiseRates[1], 12);
        Assert.Equal(0.25, result.NoiseRate, 12);
        // P(given | true): true class 0 has Q column [0.5, 0.25], so a third of its examples carry label 1.
        double[,] noise = result.NoiseMatrix();
        Assert.Equal(2.0 / 3, noise[0, 0], 12);
        Assert.Equal(1.0 / 3, noise[1, 0], 12);
        Assert.Equal(0.0, noise[0, 1], 12);
        Assert.Equal(1.0, noise[1, 1], 12);
    }

    [Fact]
    public void HandCase_PrunesLargestMargin()
    {
        ConfidentLearning.Result result = ConfidentLearning.Find(HandLabels, HandProbs, 2);

        ConfidentLearning.LabelIssue issue = Assert.Single(result.Issues);
        Assert.Equal(3, issue.Index);
        Assert.Equal(1, issue.GivenLabel);
        Assert.Equal(0, issue.SuggestedLabel);
        Assert.Equal(0.2, issue.Quality, 12);
    }

    [Fact]
    public void NormalizedMargin_RanksByMargin()
    {
        ConfidentLearning.Result result = ConfidentLearning.Find(HandLabels, HandProbs, 2, ConfidentLearning.Ranking.NormalizedMargin);

        Assert.Equal(0.2 - 0.8, Assert.Single(result.Issues).Quality, 12);
    }

    private static (int[] Given, double[] Probs, HashSet<int> Flipped) NoisyData(int rows, int classes, double flipShare, int seed)
    {
        var random = new Random(seed);
        var given = new int[rows];
        var probs = new double[rows * classes];
        var flipped = new HashSet<int>();
        for (int i = 0; i < rows; i++)
        {
            int truth = random.Next(classes);
            // An imperfect model: the true class gets a logit bonus of 3 on top of standard normal noise.
            double sum = 0;
            for (int k = 0; k < classes; k++)
            {
                double normal = Math.Sqrt(-2 * Math.Log(1 - random.NextDouble())) * Math.Cos(2 * Math.PI * random.NextDouble());
                double value = Math.Exp(normal + (k == truth ? 3 : 0));
                probs[(i * classes) + k] = value;
                sum += value;
            }
            for (int k = 0; k < classes; k++)
            {
                probs[(i * classes) + k] /= sum;
            }
            given[i] = truth;
            if (random.NextDouble() < flipShare)
            {
                given[i] = (truth + 1 + random.Next(classes - 1)) % classes;
                flipped.Add(i);
            }
        }
        return (given, probs, flipped);
    }

    [Fact]
    public void FlippedLabels_AreFound()
    {
        (int[] given, double[] probs, HashSet<int> flipped) = NoisyData(4000, 5, 0.10, seed: 3);

        ConfidentLearning.Result result = ConfidentLearning.Find(given, probs, 5);

        int truePositives = result.Issues.Count(issue => flipped.Contains(issue.Index));
        double precision = (double)truePositives / result.Issues.Count;
        double recall = (double)truePositives / flipped.Count;
        Assert.True(precision >= 0.80, $"precision {precision:F3} is below 0.80 ({truePositives} of {result.Issues.Count} flagged were flipped)");
        Assert.True(recall >= 0.75, $"recall {recall:F3} is below 0.75 ({truePositives} of {flipped.Count} flipped were flagged)");
        Assert.InRange(result.NoiseRate, 0.05, 0.15);
    }

    [Fact]
    public void CleanLabels_FlagFewIssues()
    {
        (int[] given, double[] probs, HashSet<int> flipped) = NoisyData(4000, 5, 0.0, seed: 4);

        ConfidentLearning.Result result = ConfidentLearning.Find(given, probs, 5);

        Assert.Empty(flipped);
        Assert.True(result.Issues.Count < 0.03 * given.Length, $"{result.Issues.Count} of {given.Length} clean examples were flagged");
    }

    [Fact]
    public void Find_RejectsShapeMismatch()
    {
        var error = Assert.Throws<ArgumentException>(() => ConfidentLearning.Find(new[] { 0, 1 }, new[] { 0.5, 0.5, 1.0 }, 2));

        Assert.Contains("probs has 3 values, expected 2 rows × 2 classes", error.Message);
    }
}
