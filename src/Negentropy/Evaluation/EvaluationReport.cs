using System.Globalization;
using System.Text;
using System.Text.Json.Nodes;
using Negentropy.Information;

namespace Negentropy.Evaluation;

/// <summary>
/// Every evaluation figure of one set of predictions: the classification report, ranking, scoring,
/// calibration and information measures. <see cref="ToJson"/> gives the JSON of
/// <c>negentropy eval --json</c> (format version 1), which report.json also holds.
/// </summary>
/// <remarks>
/// Predictions are the argmax of each probability row, ties to the lowest class index. Information
/// quantities are in bits. A figure that is undefined (NaN) is written as null, with a warning that names it.
/// </remarks>
public sealed class EvaluationReport
{
    public const int FormatVersion = 1;

    private readonly List<string> warnings = new();

    private EvaluationReport(IReadOnlyList<string> classNames, int samples)
    {
        ClassNames = classNames;
        Samples = samples;
    }

    public IReadOnlyList<string> ClassNames { get; }

    public int Samples { get; }

    public required ClassificationReport Classification { get; init; }

    public required ConfusionMatrix Confusion { get; init; }

    public double Accuracy { get; init; }

    public double BalancedAccuracy { get; init; }

    /// <summary>Top-2 accuracy, for three or more classes; NaN otherwise.</summary>
    public double TopTwoAccuracy { get; init; }

    public double MatthewsCorrelation { get; init; }

    public double CohenKappa { get; init; }

    /// <summary>Log loss in nats.</summary>
    public double LogLoss { get; init; }

    /// <summary>Multiclass Brier score Σₖ (pₖ − yₖ)², 0 to 2.</summary>
    public double Brier { get; init; }

    /// <summary>Binary Brier score (p₁ − y)² of class 1, for two classes; NaN otherwise.</summary>
    public double BrierBinary { get; init; }

    /// <summary>Binary ROC AUC of class 1, for two classes; NaN otherwise.</summary>
    public double RocAucBinary { get; init; }

    public required RankingMetrics.OneVsRest RocAucOneVsRest { get; init; }

    public double RocAucOneVsOneMacro { get; init; }

    public required double[] AveragePrecisionPerClass { get; init; }

    public double AveragePrecisionMacro { get; init; }

    public int CalibrationBins { get; init; }

    public double ExpectedCalibrationError { get; init; }

    public double MaximumCalibrationError { get; init; }

    public double EqualMassCalibrationError { get; init; }

    public double ClasswiseCalibrationError { get; init; }

    public required Calibration.Bin[] Reliability { get; init; }

    public double MeanEntropyBits { get; init; }

    public double LabelEntropyBits { get; init; }

    /// <summary>Cross-entropy of the targets under the predictions, in bits: log loss / ln 2.</summary>
    public double CrossEntropyBits { get; init; }

    /// <summary>H(Y) − cross-entropy: the bits of label information the probabilities carry.</summary>
    public double BitsLearned { get; init; }

    public double MutualInformationBits { get; init; }

    public double MutualInformationMillerMadowBits { get; init; }

    public double ConditionalEntropyBits { get; init; }

    public IReadOnlyList<string> Warnings => warnings;

    /// <summary>Computes every figure for <paramref name="targets"/> and probabilities [rows, classes], row-major.</summary>
    /// <param name="bins">Equal-width calibration bins (default 15).</param>
    /// <param name="zeroDivision">Value of ill-defined precision or recall: 0, 1 or NaN.</param>
    public static EvaluationReport Compute(IReadOnlyList<int> targets, double[] probs, IReadOnlyList<string> classNames,
        int bins = Calibration.DefaultBins, double zeroDivision = 0)
    {
        int numClasses = classNames.Count;
        int rows = targets.Count;
        if (probs.Length != rows * numClasses)
        {
            throw new ArgumentException($"probs has {probs.Length} values, expected {rows} rows × {numClasses} classes", nameof(probs));
        }
        int[] preds = Argmax(probs, rows, numClasses);
        var confusion = ConfusionMatrix.Compute(targets, preds, numClasses);
        ScoreRankings rankings = ScoreRankings.Create(probs, targets, numClasses);
        RankingMetrics.OneVsRest ovr = RankingMetrics.RocAucOneVsRest(rankings);
        double[] averagePrecision = RankingMetrics.AveragePrecisionPerClass(rankings);
        var contingency = ContingencyInformation.FromLabels(targets, preds, numClasses);
        double logLoss = ProbabilityMetrics.LogLoss(targets, probs, numClasses);
        double labelEntropy = contingency.TargetEntropy(LogBase.Bits);
        double crossEntropyBits = logLoss / Math.Log(2);
        Calibration.Bin[] reliability = Calibration.TopLabelBins(targets, probs, numClasses, bins);

        var report = new EvaluationReport(classNames, rows)
        {
            Classification = ClassificationReport.FromConfusionMatrix(confusion, classNames, zeroDivision),
            Confusion = confusion,
            Accuracy = LabelMetrics.Accuracy(targets, preds),
            BalancedAccuracy = LabelMetrics.BalancedAccuracy(confusion),
            TopTwoAccuracy = numClasses > 2 ? LabelMetrics.TopKAccuracy(targets, probs, numClasses, 2) : double.NaN,
            MatthewsCorrelation = LabelMetrics.MatthewsCorrelation(confusion),
            CohenKappa = LabelMetrics.CohenKappa(confusion),
            LogLoss = logLoss,
            Brier = ProbabilityMetrics.BrierMulticlass(targets, probs, numClasses),
            BrierBinary = numClasses == 2 ? ProbabilityMetrics.BrierBinary(targets, probs) : double.NaN,
            RocAucBinary = numClasses == 2 ? ovr.PerClass[1] : double.NaN,
            RocAucOneVsRest = ovr,
            RocAucOneVsOneMacro = RankingMetrics.RocAucOneVsOne(rankings),
            AveragePrecisionPerClass = averagePrecision,
            AveragePrecisionMacro = MeanOfDefined(averagePrecision),
            CalibrationBins = bins,
            ExpectedCalibrationError = Calibration.EceFromBins(reliability, rows),
            MaximumCalibrationError = Calibration.MceFromBins(reliability),
            EqualMassCalibrationError = Calibration.EqualMassCalibrationError(targets, probs, numClasses, bins),
            ClasswiseCalibrationError = Calibration.ClasswiseCalibrationError(targets, probs, numClasses, bins),
            Reliability = reliability,
            MeanEntropyBits = MeanEntropy(probs, rows, numClasses),
            LabelEntropyBits = labelEntropy,
            CrossEntropyBits = crossEntropyBits,
            BitsLearned = labelEntropy - crossEntropyBits,
            MutualInformationBits = contingency.MutualInformation(LogBase.Bits),
            MutualInformationMillerMadowBits = contingency.MutualInformationMillerMadow(LogBase.Bits),
            ConditionalEntropyBits = contingency.ConditionalEntropy(LogBase.Bits),
        };
        report.CollectWarnings(zeroDivision);
        return report;
    }

    /// <summary>Returns the report as JSON; NaN values become null and are listed in "warnings".</summary>
    public JsonObject ToJson()
    {
        var nullWarnings = new List<string>();
        JsonNode? Number(double value, string name)
        {
            if (double.IsNaN(value))
            {
                nullWarnings.Add($"{name} is undefined for these data (NaN) and is written as null");
                return null;
            }
            if (double.IsInfinity(value))
            {
                return JsonValue.Create(value > 0 ? "inf" : "-inf");
            }
            return JsonValue.Create(value);
        }

        var json = new JsonObject
        {
            ["format_version"] = FormatVersion,
            ["samples"] = Samples,
            ["num_classes"] = ClassNames.Count,
            ["classification_report"] = Classification.ToJson(),
            ["accuracy"] = Number(Accuracy, "accuracy"),
            ["balanced_accuracy"] = Number(BalancedAccuracy, "balanced_accuracy"),
            ["matthews_corrcoef"] = Number(MatthewsCorrelation, "matthews_corrcoef"),
            ["cohen_kappa"] = Number(CohenKappa, "cohen_kappa"),
            ["log_loss"] = Number(LogLoss, "log_loss"),
            ["brier"] = Number(Brier, "brier"),
            ["roc_auc_ovr_macro"] = Number(RocAucOneVsRest.Macro, "roc_auc_ovr_macro"),
            ["roc_auc_ovr_weighted"] = Number(RocAucOneVsRest.Weighted, "roc_auc_ovr_weighted"),
            ["roc_auc_ovo_macro"] = Number(RocAucOneVsOneMacro, "roc_auc_ovo_macro"),
            ["roc_auc_ovr_per_class"] = PerClass(RocAucOneVsRest.PerClass),
            ["average_precision_macro"] = Number(AveragePrecisionMacro, "average_precision_macro"),
            ["average_precision_per_class"] = PerClass(AveragePrecisionPerClass),
            ["calibration_bins"] = CalibrationBins,
            ["ece"] = Number(ExpectedCalibrationError, "ece"),
            ["mce"] = Number(MaximumCalibrationError, "mce"),
            ["ece_equal_mass"] = Number(EqualMassCalibrationError, "ece_equal_mass"),
            ["ece_classwise"] = Number(ClasswiseCalibrationError, "ece_classwise"),
            ["reliability"] = ReliabilityJson(),
            ["mean_entropy_bits"] = Number(MeanEntropyBits, "mean_entropy_bits"),
            ["label_entropy_bits"] = Number(LabelEntropyBits, "label_entropy_bits"),
            ["cross_entropy_bits"] = Number(CrossEntropyBits, "cross_entropy_bits"),
            ["bits_learned"] = Number(BitsLearned, "bits_learned"),
            ["mutual_information_bits"] = Number(MutualInformationBits, "mutual_information_bits"),
            ["mutual_information_mm_bits"] = Number(MutualInformationMillerMadowBits, "mutual_information_mm_bits"),
            ["conditional_entropy_bits"] = Number(ConditionalEntropyBits, "conditional_entropy_bits"),
            ["confusion_matrix"] = ConfusionJson(),
        };
        if (ClassNames.Count > 2)
        {
            json["top_2_accuracy"] = Number(TopTwoAccuracy, "top_2_accuracy");
        }
        if (ClassNames.Count == 2)
        {
            json["roc_auc"] = Number(RocAucBinary, "roc_auc");
            json["brier_binary"] = Number(BrierBinary, "brier_binary");
        }
        json["warnings"] = new JsonArray(warnings.Concat(nullWarnings).Select(w => (JsonNode?)JsonValue.Create(w)).ToArray());
        return json;
    }

    /// <summary>Formats the classification report (4 digits) followed by the other figures, one per line.</summary>
    public string ToText()
    {
        var text = new StringBuilder(Classification.ToText(digits: 4));
        text.Append('\n');
        void Line(string name, double value, string unit = "")
        {
            string formatted = double.IsNaN(value) ? "undefined" : value.ToString("F4", CultureInfo.InvariantCulture);
            text.Append(name.PadRight(34)).Append(formatted).Append(unit.Length > 0 && !double.IsNaN(value) ? " " + unit : "").Append('\n');
        }

        Line("balanced accuracy", BalancedAccuracy);
        if (ClassNames.Count > 2)
        {
            Line("top-2 accuracy", TopTwoAccuracy);
        }
        Line("Matthews correlation", MatthewsCorrelation);
        Line("Cohen's kappa", CohenKappa);
        Line("log loss", LogLoss, "nats");
        Line("Brier score (multiclass, 0 to 2)", Brier);
        if (ClassNames.Count == 2)
        {
            Line("Brier score (binary, class 1)", BrierBinary);
            Line("ROC AUC", RocAucBinary);
        }
        Line("ROC AUC one-vs-rest macro", RocAucOneVsRest.Macro);
        Line("ROC AUC one-vs-rest weighted", RocAucOneVsRest.Weighted);
        Line("ROC AUC one-vs-one macro", RocAucOneVsOneMacro);
        Line("average precision macro", AveragePrecisionMacro);
        Line($"ECE ({CalibrationBins} equal-width bins)", ExpectedCalibrationError);
        Line("MCE", MaximumCalibrationError);
        Line("label entropy H(Y)", LabelEntropyBits, "bits");
        Line("cross-entropy", CrossEntropyBits, "bits");
        Line("bits learned H(Y) - cross-entropy", BitsLearned, "bits");
        Line("mean predictive entropy", MeanEntropyBits, "bits");
        Line("mutual information I(Y;Y_pred)", MutualInformationBits, "bits");
        Line("  Miller-Madow corrected", MutualInformationMillerMadowBits, "bits");
        Line("conditional entropy H(Y|Y_pred)", ConditionalEntropyBits, "bits");
        foreach (string warning in warnings)
        {
            text.Append("warning: ").Append(warning).Append('\n');
        }
        return text.ToString();
    }

    private void CollectWarnings(double zeroDivision)
    {
        if (Classification.IllDefinedClasses.Count > 0)
        {
            string value = double.IsNaN(zeroDivision) ? "NaN" : zeroDivision.ToString(CultureInfo.InvariantCulture);
            int count = Classification.IllDefinedClasses.Count;
            warnings.Add($"precision or recall is ill-defined for {count} {(count == 1 ? "class" : "classes")} ({string.Join(", ", Classification.IllDefinedClasses)}) because they have no predicted or no true samples; set to {value} (zero_division)");
        }
        if (RocAucOneVsRest.SkippedClasses.Count > 0)
        {
            warnings.Add($"ROC AUC skips classes without positive or without negative samples in the targets, and leaves them out of its averages: {string.Join(", ", RocAucOneVsRest.SkippedClasses.Select(k => ClassNames[k]))}");
        }
        string[] noPositives = Enumerable.Range(0, ClassNames.Count).Where(k => double.IsNaN(AveragePrecisionPerClass[k])).Select(k => ClassNames[k]).ToArray();
        if (noPositives.Length > 0)
        {
            warnings.Add($"average precision skips classes without positive samples in the targets, and leaves them out of its macro average: {string.Join(", ", noPositives)}");
        }
    }

    private JsonArray PerClass(double[] values) =>
        new(values.Select(v => double.IsNaN(v) ? null : (JsonNode?)JsonValue.Create(v)).ToArray());

    private JsonArray ReliabilityJson() => new(Reliability.Select(bin => (JsonNode?)new JsonObject
    {
        ["lower"] = bin.Lower,
        ["upper"] = bin.Upper,
        ["count"] = bin.Count,
        ["mean_confidence"] = bin.Count == 0 ? null : bin.MeanConfidence,
        ["accuracy"] = bin.Count == 0 ? null : bin.Accuracy,
    }).ToArray());

    private JsonObject ConfusionJson()
    {
        var matrix = new JsonArray();
        for (int i = 0; i < Confusion.NumClasses; i++)
        {
            matrix.Add(new JsonArray(Enumerable.Range(0, Confusion.NumClasses).Select(j => (JsonNode?)JsonValue.Create(Confusion[i, j])).ToArray()));
        }
        return new JsonObject
        {
            ["labels"] = new JsonArray(ClassNames.Select(name => (JsonNode?)JsonValue.Create(name)).ToArray()),
            ["matrix"] = matrix,
        };
    }

    private static int[] Argmax(double[] probs, int rows, int numClasses)
    {
        var preds = new int[rows];
        for (int i = 0; i < rows; i++)
        {
            int offset = i * numClasses;
            int best = 0;
            for (int k = 1; k < numClasses; k++)
            {
                if (probs[offset + k] > probs[offset + best])
                {
                    best = k;
                }
            }
            preds[i] = best;
        }
        return preds;
    }

    private static double MeanEntropy(double[] probs, int rows, int numClasses)
    {
        double sum = 0;
        for (int i = 0; i < rows; i++)
        {
            sum += Distributions.Entropy(probs.AsSpan(i * numClasses, numClasses), LogBase.Bits, normalize: true);
        }
        return rows == 0 ? double.NaN : sum / rows;
    }

    private static double MeanOfDefined(double[] values)
    {
        double[] defined = values.Where(v => !double.IsNaN(v)).ToArray();
        return defined.Length == 0 ? double.NaN : defined.Average();
    }
}
