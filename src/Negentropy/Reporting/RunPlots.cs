using Negentropy.Evaluation;
using Negentropy.Information;
using Negentropy.Training;
using ScottPlot;

namespace Negentropy.Reporting;

/// <summary>
/// PNG plots of a run (ScottPlot), written atomically into RUN/plots. They are loss.png, accuracy.png,
/// entropy.png (mean entropy on right and wrong predictions against H(Y), and bits learned),
/// bits_per_class.png, information_plane_binning.png and information_plane_kde.png when the run records
/// the information plane, once the test set is evaluated, reliability.png and confusion.png, and
/// risk_coverage.png when the run chose an abstention threshold.
/// </summary>
public static class RunPlots
{
    public const string FolderName = "plots";
    public const string RiskCoverageFileName = "risk_coverage.png";
    private const int Width = 720;
    private const int Height = 440;

    /// <summary>Writes every plot the inputs allow and returns the file names written, in display order.</summary>
    public static IReadOnlyList<string> Write(string runFolder, IReadOnlyList<EpochMetrics> history, IReadOnlyList<string> classNames, EvaluationReport? test,
        IReadOnlyList<InformationPlane.Point>? plane = null, RiskCoverage.Curve? riskCoverage = null, AbstentionPolicy? abstention = null)
    {
        string folder = Path.Combine(runFolder, FolderName);
        Directory.CreateDirectory(folder);
        // Plots of an earlier build that these inputs no longer support must not linger. The augmentation
        // preview is made from the training images at the start of a run and is kept.
        foreach (string stale in Directory.GetFiles(folder, "*.png").Where(path => Path.GetFileName(path) != AugmentationPreview.FileName))
        {
            File.Delete(stale);
        }
        var written = new List<string>();
        if (File.Exists(Path.Combine(folder, AugmentationPreview.FileName)))
        {
            written.Add(AugmentationPreview.FileName);
        }
        void Save(string name, Plot plot)
        {
            AtomicFile.Write(Path.Combine(folder, name), stream => stream.Write(plot.GetImageBytes(Width, Height, ImageFormat.Png)));
            written.Add(name);
        }

        if (history.Count > 0)
        {
            double[] epochs = history.Select(m => (double)m.Epoch).ToArray();
            Save("loss.png", Lines("Cross-entropy per epoch", "epoch", "nats per sample", epochs,
                ("train", history.Select(m => m.TrainLoss)), ("validation", history.Select(m => m.ValidationLoss))));
            Save("accuracy.png", Lines("Accuracy per epoch", "epoch", "accuracy", epochs,
                ("train", history.Select(m => m.TrainAccuracy)), ("validation", history.Select(m => m.ValidationAccuracy))));
            Save("entropy.png", Lines("Entropy dynamics (validation)", "epoch", "bits", epochs,
                ("H(Y), label entropy", history.Select(m => m.LabelEntropyBits)),
                ("bits learned = H(Y) - cross-entropy", history.Select(m => m.BitsLearned)),
                ("mean entropy, right predictions", history.Select(m => m.ValidationEntropyCorrectBits ?? double.NaN)),
                ("mean entropy, wrong predictions", history.Select(m => m.ValidationEntropyWrongBits ?? double.NaN))));
            Save("bits_per_class.png", BitsPerClass(history[^1], classNames));
        }
        foreach (string estimator in new[] { "binning", "kde" })
        {
            InformationPlane.Point[] points = (plane ?? Array.Empty<InformationPlane.Point>()).Where(p => p.Estimator == estimator).ToArray();
            if (points.Length > 0)
            {
                Save($"information_plane_{estimator}.png", Plane(points, estimator));
            }
        }
        if (test is not null)
        {
            Save("reliability.png", Reliability(test));
            Save("confusion.png", Confusion(test));
        }
        if (riskCoverage is not null)
        {
            Save(RiskCoverageFileName, RiskCoveragePlot(riskCoverage, abstention));
        }
        return written;
    }

    private static Plot Lines(string title, string xLabel, string yLabel, double[] xs, params (string Label, IEnumerable<double> Values)[] series)
    {
        var plot = new Plot();
        foreach ((string label, IEnumerable<double> values) in series)
        {
            double[] ys = values.ToArray();
            if (ys.All(double.IsNaN))
            {
                continue;
            }
            var line = plot.Add.Scatter(xs, ys);
            line.LegendText = label;
            line.LineWidth = 2;
            line.MarkerSize = 6;
        }
        plot.Title(title);
        plot.XLabel(xLabel);
        plot.YLabel(yLabel);
        // Beside the axes, so the legend never hides the last epochs.
        plot.ShowLegend(Edge.Right);
        // Epochs are whole numbers, so the ticks are too.
        plot.Axes.Bottom.TickGenerator = new ScottPlot.TickGenerators.NumericAutomatic { IntegerTicksOnly = true };
        if (xs.Length == 1)
        {
            plot.Axes.SetLimitsX(xs[0] - 1, xs[0] + 1);
        }
        return plot;
    }

    private static Plot Plane(InformationPlane.Point[] points, string estimator)
    {
        var plot = new Plot();
        var colormap = new ScottPlot.Colormaps.Viridis();
        int firstEpoch = points.Min(p => p.Epoch);
        int lastEpoch = points.Max(p => p.Epoch);
        MarkerShape[] shapes = { MarkerShape.FilledCircle, MarkerShape.FilledSquare, MarkerShape.FilledTriangleUp, MarkerShape.FilledDiamond, MarkerShape.OpenCircle, MarkerShape.OpenSquare };
        int layerIndex = 0;
        foreach (IGrouping<string, InformationPlane.Point> layer in points.GroupBy(p => p.Layer))
        {
            InformationPlane.Point[] trajectory = layer.OrderBy(p => p.Epoch).ToArray();
            var path = plot.Add.Scatter(trajectory.Select(p => p.MutualInformationXT).ToArray(), trajectory.Select(p => p.MutualInformationTY).ToArray());
            path.LegendText = layer.Key;
            path.Color = Colors.Gray.WithAlpha(0.6);
            path.MarkerShape = shapes[layerIndex % shapes.Length];
            // Gray markers under the coloured ones give the legend each layer's shape.
            path.MarkerSize = 7;
            foreach (InformationPlane.Point point in trajectory)
            {
                double fraction = lastEpoch == firstEpoch ? 1 : (double)(point.Epoch - firstEpoch) / (lastEpoch - firstEpoch);
                plot.Add.Marker(point.MutualInformationXT, point.MutualInformationTY, shapes[layerIndex % shapes.Length], 10, colormap.GetColor(fraction));
            }
            layerIndex++;
        }
        string parameter = estimator == "binning" ? $"{InformationPlane.DefaultBins} bins" : FormattableString.Invariant($"noise variance {InformationPlane.KdeNoiseVariance}");
        plot.Title($"Information plane, {estimator} ({parameter})");
        plot.Add.Annotation($"colour: epoch {firstEpoch} (dark) to {lastEpoch} (yellow)", Alignment.UpperLeft);
        plot.XLabel("I(X;T), bits");
        plot.YLabel("I(T;Y), bits");
        plot.ShowLegend(Edge.Right);
        return plot;
    }

    private static Plot BitsPerClass(EpochMetrics last, IReadOnlyList<string> classNames)
    {
        var plot = new Plot();
        double[] values = last.BitsLearnedPerClass.Select(v => v ?? 0).ToArray();
        double[] positions = Enumerable.Range(0, values.Length).Select(i => (double)i).ToArray();
        plot.Add.Bars(positions, values);
        plot.Add.HorizontalLine(last.LabelEntropyBits, 1, Colors.Gray, LinePattern.Dashed).LegendText = "H(Y)";
        plot.Axes.Bottom.SetTicks(positions, classNames.Take(values.Length).ToArray());
        plot.Axes.Bottom.TickLabelStyle.Rotation = -35;
        plot.Axes.Bottom.TickLabelStyle.Alignment = Alignment.MiddleRight;
        plot.Axes.Bottom.MinimumSize = 110;
        plot.Axes.Left.MinimumSize = 70;
        plot.Title($"Bits learned per class (validation, epoch {last.Epoch})");
        plot.XLabel("class");
        plot.YLabel("H(Y) - class cross-entropy, bits");
        plot.ShowLegend(Edge.Right);
        return plot;
    }

    private static Plot Reliability(EvaluationReport test)
    {
        var plot = new Plot();
        var bars = new List<Bar>();
        foreach (Calibration.Bin bin in test.Reliability.Where(b => b.Count > 0))
        {
            bars.Add(new Bar
            {
                Position = (bin.Lower + bin.Upper) / 2,
                Value = bin.Accuracy,
                Size = (bin.Upper - bin.Lower) * 0.9,
                FillColor = Colors.SteelBlue.WithAlpha(0.8),
            });
        }
        plot.Add.Bars(bars);
        var diagonal = plot.Add.Line(0, 0, 1, 1);
        diagonal.LinePattern = LinePattern.Dashed;
        diagonal.Color = Colors.Gray;
        diagonal.LegendText = "perfect calibration";
        plot.Axes.SetLimits(0, 1, 0, 1);
        plot.Title(FormattableString.Invariant($"Reliability (test, {test.CalibrationBins} bins), ECE {test.ExpectedCalibrationError:F4}"));
        plot.XLabel("confidence (highest probability)");
        plot.YLabel("accuracy in bin");
        plot.ShowLegend(Alignment.UpperLeft);
        return plot;
    }

    private static Plot RiskCoveragePlot(RiskCoverage.Curve curve, AbstentionPolicy? abstention)
    {
        var plot = new Plot();
        var line = plot.Add.Scatter(curve.Points.Select(p => p.Coverage).ToArray(), curve.Points.Select(p => p.Risk).ToArray());
        line.LegendText = "validation";
        line.LineWidth = 2;
        line.MarkerSize = curve.Points.Count > 50 ? 0 : 5;
        if (abstention is not null)
        {
            if (abstention.Criterion == AbstentionPolicy.RiskCriterion)
            {
                var target = plot.Add.HorizontalLine(abstention.Target, 1, Colors.Gray, LinePattern.Dashed);
                target.LegendText = FormattableString.Invariant($"target risk {abstention.Target:0.###%}");
            }
            else
            {
                var target = plot.Add.VerticalLine(abstention.Target, 1, Colors.Gray, LinePattern.Dashed);
                target.LegendText = FormattableString.Invariant($"target coverage {abstention.Target:0.###%}");
            }
            // A policy that answers nothing is drawn at coverage 0 and risk 0.
            var chosen = plot.Add.Marker(abstention.ValidationCoverage, abstention.ValidationRisk ?? 0, MarkerShape.FilledCircle, 12, Colors.OrangeRed);
            chosen.LegendText = abstention.TargetMet
                ? FormattableString.Invariant($"chosen: entropy ≤ {abstention.ThresholdBits:G4} bits answered")
                : "chosen: target not met, nothing answered";
        }
        plot.Axes.SetLimitsX(0, 1.02);
        double targetRisk = abstention?.Criterion == AbstentionPolicy.RiskCriterion ? abstention.Target : 0;
        plot.Axes.SetLimitsY(0, Math.Max(0.01, Math.Max(targetRisk, curve.Points.Max(p => p.Risk))) * 1.1);
        plot.Title(FormattableString.Invariant($"Risk–coverage by entropy (validation, n = {curve.Count}), AURC {curve.Aurc:F4}"));
        plot.XLabel("coverage (share answered)");
        plot.YLabel("risk (error rate among answered)");
        plot.ShowLegend(Alignment.UpperLeft);
        return plot;
    }

    private static Plot Confusion(EvaluationReport test)
    {
        int numClasses = test.Confusion.NumClasses;
        double[,] normalized = test.Confusion.Normalized("true");
        var plot = new Plot();
        var heatmap = plot.Add.Heatmap(normalized);
        heatmap.Colormap = new ScottPlot.Colormaps.Viridis();
        plot.Add.ColorBar(heatmap);
        for (int i = 0; i < numClasses; i++)
        {
            for (int j = 0; j < numClasses; j++)
            {
                // Heatmap row 0 is drawn at the top, so row i sits at y = numClasses − 1 − i.
                var label = plot.Add.Text(test.Confusion[i, j].ToString(System.Globalization.CultureInfo.InvariantCulture), j, numClasses - 1 - i);
                label.LabelFontSize = numClasses > 12 ? 8 : 11;
                label.LabelFontColor = normalized[i, j] > 0.5 ? Colors.Black : Colors.White;
                label.LabelAlignment = Alignment.MiddleCenter;
            }
        }
        double[] positions = Enumerable.Range(0, numClasses).Select(i => (double)i).ToArray();
        plot.Axes.Bottom.SetTicks(positions, test.ClassNames.ToArray());
        plot.Axes.Bottom.TickLabelStyle.Rotation = -35;
        plot.Axes.Bottom.TickLabelStyle.Alignment = Alignment.MiddleRight;
        plot.Axes.Left.SetTicks(positions.Reverse().ToArray(), test.ClassNames.ToArray());
        plot.Axes.Bottom.MinimumSize = 110;
        plot.Axes.Left.MinimumSize = 110;
        plot.Title("Confusion matrix (test), colour = share of the true class");
        plot.XLabel("predicted");
        plot.YLabel("true");
        return plot;
    }
}
