using Negentropy.Information;

namespace Negentropy.Evaluation;

/// <summary>
/// Temperature scaling (Guo et al., 2017): one scalar T that divides every logit, fitted on held-out
/// data by minimizing the negative log-likelihood. It changes confidence, never the argmax.
/// </summary>
/// <remarks>
/// The NLL is convex in 1/T, so a golden-section search over ln T in [ln 0.01, ln 100] finds the
/// minimum; T at either end of that range means the data wanted a more extreme value.
/// Probabilities stand in for logits through log p, which equals the logits up to a per-row constant.
/// </remarks>
public static class TemperatureScaling
{
    /// <summary>A temperature fitted on validation predictions, with NLL (nats) and top-label ECE before and after, on validation and test.</summary>
    public sealed record Summary(double Temperature, int ValidationSamples,
        double ValidationNllBefore, double ValidationNllAfter, double ValidationEceBefore, double ValidationEceAfter,
        double TestNllBefore, double TestNllAfter, double TestEceBefore, double TestEceAfter)
    {
        public System.Text.Json.Nodes.JsonObject ToJson() => new()
        {
            ["temperature"] = Temperature,
            ["fitted_on_samples"] = ValidationSamples,
            ["validation"] = new System.Text.Json.Nodes.JsonObject { ["nll_before"] = ValidationNllBefore, ["nll_after"] = ValidationNllAfter, ["ece_before"] = ValidationEceBefore, ["ece_after"] = ValidationEceAfter },
            ["test"] = new System.Text.Json.Nodes.JsonObject { ["nll_before"] = TestNllBefore, ["nll_after"] = TestNllAfter, ["ece_before"] = TestEceBefore, ["ece_after"] = TestEceAfter },
        };
    }

    /// <summary>Fits T on validation probabilities and measures NLL and ECE before and after on both sets.</summary>
    public static Summary FitAndCompare(IReadOnlyList<int> validationTargets, double[] validationProbs,
        IReadOnlyList<int> testTargets, double[] testProbs, int numClasses, int bins = Calibration.DefaultBins)
    {
        double[] validationLogits = LogitsFromProbabilities(validationProbs);
        double[] testLogits = LogitsFromProbabilities(testProbs);
        double temperature = Fit(validationTargets, validationLogits, numClasses);
        double[] validationScaled = Apply(validationLogits, numClasses, temperature);
        double[] testScaled = Apply(testLogits, numClasses, temperature);
        return new Summary(temperature, validationTargets.Count,
            NegativeLogLikelihood(validationTargets, validationLogits, numClasses, 1.0),
            NegativeLogLikelihood(validationTargets, validationLogits, numClasses, temperature),
            Calibration.ExpectedCalibrationError(validationTargets, validationProbs, numClasses, bins),
            Calibration.ExpectedCalibrationError(validationTargets, validationScaled, numClasses, bins),
            NegativeLogLikelihood(testTargets, testLogits, numClasses, 1.0),
            NegativeLogLikelihood(testTargets, testLogits, numClasses, temperature),
            Calibration.ExpectedCalibrationError(testTargets, testProbs, numClasses, bins),
            Calibration.ExpectedCalibrationError(testTargets, testScaled, numClasses, bins));
    }

    public const double MinTemperature = 0.01;
    public const double MaxTemperature = 100;
    private const int Iterations = 100;

    /// <summary>Returns the temperature that minimizes the mean NLL of softmax(logits / T).</summary>
    /// <param name="logits">[rows, numClasses], row-major.</param>
    public static double Fit(IReadOnlyList<int> targets, ReadOnlySpan<double> logits, int numClasses)
    {
        if (targets.Count == 0)
        {
            throw new ArgumentException("temperature scaling needs at least one sample", nameof(targets));
        }
        double[] values = logits.ToArray();
        double lower = Math.Log(MinTemperature);
        double upper = Math.Log(MaxTemperature);
        double ratio = (Math.Sqrt(5) - 1) / 2;
        double left = upper - (ratio * (upper - lower));
        double right = lower + (ratio * (upper - lower));
        double leftLoss = NegativeLogLikelihood(targets, values, numClasses, Math.Exp(left));
        double rightLoss = NegativeLogLikelihood(targets, values, numClasses, Math.Exp(right));
        for (int i = 0; i < Iterations; i++)
        {
            if (leftLoss <= rightLoss)
            {
                upper = right;
                right = left;
                rightLoss = leftLoss;
                left = upper - (ratio * (upper - lower));
                leftLoss = NegativeLogLikelihood(targets, values, numClasses, Math.Exp(left));
            }
            else
            {
                lower = left;
                left = right;
                leftLoss = rightLoss;
                right = lower + (ratio * (upper - lower));
                rightLoss = NegativeLogLikelihood(targets, values, numClasses, Math.Exp(right));
            }
        }
        return Math.Exp(0.5 * (lower + upper));
    }

    /// <summary>Mean NLL in nats of softmax(logits / T).</summary>
    public static double NegativeLogLikelihood(IReadOnlyList<int> targets, ReadOnlySpan<double> logits, int numClasses, double temperature)
    {
        Span<double> scaled = numClasses <= 256 ? stackalloc double[numClasses] : new double[numClasses];
        double sum = 0;
        for (int i = 0; i < targets.Count; i++)
        {
            ReadOnlySpan<double> row = logits.Slice(i * numClasses, numClasses);
            for (int k = 0; k < numClasses; k++)
            {
                scaled[k] = row[k] / temperature;
            }
            sum += StableSoftmax.CrossEntropy(scaled, targets[i]);
        }
        return sum / targets.Count;
    }

    /// <summary>Returns probabilities softmax(logits / T), row by row.</summary>
    public static double[] Apply(ReadOnlySpan<double> logits, int numClasses, double temperature)
    {
        var probs = new double[logits.Length];
        Span<double> scaled = numClasses <= 256 ? stackalloc double[numClasses] : new double[numClasses];
        for (int start = 0; start < logits.Length; start += numClasses)
        {
            for (int k = 0; k < numClasses; k++)
            {
                scaled[k] = logits[start + k] / temperature;
            }
            StableSoftmax.LogSoftmax(scaled, probs.AsSpan(start, numClasses));
            for (int k = 0; k < numClasses; k++)
            {
                probs[start + k] = Math.Exp(probs[start + k]);
            }
        }
        return probs;
    }

    /// <summary>Returns log p with probabilities of 0 floored at the smallest positive double, as logits for <see cref="Fit"/>.</summary>
    public static double[] LogitsFromProbabilities(ReadOnlySpan<double> probs)
    {
        var logits = new double[probs.Length];
        for (int i = 0; i < probs.Length; i++)
        {
            logits[i] = Math.Log(Math.Max(probs[i], double.Epsilon));
        }
        return logits;
    }
}
