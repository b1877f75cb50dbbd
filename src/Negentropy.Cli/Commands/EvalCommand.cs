using System.CommandLine;
using System.Globalization;
using System.Text.Json.Nodes;
using Negentropy.Data;
using Negentropy.Evaluation;
using Negentropy.Models;
using Negentropy.Reporting;
using Negentropy.Training;
using TorchSharp;
using static TorchSharp.torch;

namespace Negentropy.Cli.Commands;

/// <summary>
/// <c>negentropy eval</c>: every evaluation figure for a predictions CSV, or for a saved model run on
/// a dataset's test set, as a readable report or as JSON.
/// </summary>
public sealed class EvalCommand
{
    private readonly Option<string?> predictions = new("--predictions") { Description = "Predictions CSV: header 'label,<class 1>,…', then the true class and one probability per class per row" };
    private readonly Option<string?> model = new("--model") { Description = "A trained model folder (model.json and its weights), to predict --data's test set" };
    private readonly Option<string?> data = new("--data") { Description = "With --model: 'fashion-mnist', a folder with train/<class>/ image folders (and optionally test/<class>/), or a folder of IDX files" };
    private readonly Option<string?> dataDirectory = new("--data-dir") { Description = "With --data fashion-mnist: read the files from this folder" };
    private readonly Option<bool> json = new("--json") { Description = "Print JSON instead of the readable report" };
    private readonly Option<int> bins = NumberOptions.Integer("--bins", "Equal-width calibration bins, 1 to 1000", Calibration.DefaultBins);
    private readonly Option<string> zeroDivision = new("--zero-division") { Description = "Value of ill-defined precision or recall: 0, 1 or nan", DefaultValueFactory = _ => "0" };
    private readonly Option<bool> renormalize = new("--renormalize") { Description = "Divide each row by its sum instead of rejecting rows that do not sum to 1 (within 1e-6)" };
    private readonly Option<string?> temperatureFrom = new("--temperature-from") { Description = "With --predictions: fit temperature scaling on this predictions CSV (such as val_predictions.csv) and report NLL and ECE before and after" };
    private readonly Option<string> precision = new("--precision")
    {
        Description = "With --model: the number format to predict in, fp32 or bf16 (bfloat16, faster on CPUs with AVX-512 BF16 or AMX-BF16; not for transformer models)",
        DefaultValueFactory = _ => InferencePrecision.Float32.Name,
    };

    public EvalCommand(Option<bool> verbose)
    {
        Command = new Command("eval", "Evaluate predictions: scikit-learn's classification report, ROC AUC, log loss, calibration and information measures")
        {
            predictions, model, data, dataDirectory, json, bins, zeroDivision, renormalize, temperatureFrom, precision,
        };
        Command.SetAction(parseResult => CommandRunner.Run(_ => Execute(parseResult), parseResult.GetValue(verbose), Console.Error));
    }

    public Command Command { get; }

    private int Execute(ParseResult parseResult)
    {
        string? predictionsPath = parseResult.GetValue(predictions);
        string? modelDirectory = parseResult.GetValue(model);
        int binCount = parseResult.GetValue(bins);
        if (binCount is < 1 or > 1000)
        {
            throw new UserInputException($"--bins {binCount} is out of range: expected 1 to 1000");
        }
        double zeroDivisionValue = ParseZeroDivision(parseResult.GetValue(zeroDivision)!);
        if ((predictionsPath is null) == (modelDirectory is null))
        {
            throw new UserInputException("pass either --predictions FILE or --model DIR with --data SPEC");
        }
        if (modelDirectory is not null && parseResult.GetValue(temperatureFrom) is not null)
        {
            throw new UserInputException("--temperature-from goes with --predictions; with --model the temperature is fitted on the run's own validation split");
        }
        InferencePrecision inferencePrecision = InferencePrecision.Parse(parseResult.GetValue(precision)!);
        if (predictionsPath is not null && inferencePrecision.IsBFloat16)
        {
            throw new UserInputException("--precision bf16 goes with --model; a predictions CSV already contains the probabilities");
        }

        EvaluationReport report;
        TemperatureScaling.Summary? temperature = null;
        if (predictionsPath is not null)
        {
            bool rescale = parseResult.GetValue(renormalize);
            PredictionsCsvReader.Table table = PredictionsCsvReader.Read(predictionsPath, rescale);
            report = EvaluationReport.Compute(table.Targets, table.Probabilities, table.ClassNames, binCount, zeroDivisionValue);
            if (parseResult.GetValue(temperatureFrom) is string validationPath)
            {
                PredictionsCsvReader.Table validation = PredictionsCsvReader.Read(validationPath, rescale);
                if (!validation.ClassNames.SequenceEqual(table.ClassNames))
                {
                    throw new UserInputException($"{validationPath}: class columns ({string.Join(", ", validation.ClassNames)}) differ from {predictionsPath}'s ({string.Join(", ", table.ClassNames)})");
                }
                temperature = TemperatureScaling.FitAndCompare(validation.Targets, validation.Probabilities, table.Targets, table.Probabilities, table.ClassNames.Count, binCount);
            }
        }
        else
        {
            string dataSpec = parseResult.GetValue(data) ?? throw new UserInputException("--model needs --data: the dataset whose test set to predict");
            inferencePrecision.EnsureSupported();
            (report, temperature) = EvaluateModel(modelDirectory!, dataSpec, parseResult.GetValue(dataDirectory), inferencePrecision, binCount, zeroDivisionValue);
        }

        if (parseResult.GetValue(json))
        {
            JsonObject output = report.ToJson();
            if (temperature is not null)
            {
                output["temperature_scaling"] = temperature.ToJson();
            }
            if (modelDirectory is not null)
            {
                output["inference_precision"] = inferencePrecision.Name;
            }
            Console.Out.WriteLine(output.ToJsonString(JsonFormats.Indented));
        }
        else
        {
            Console.Out.Write(report.ToText());
            if (temperature is not null)
            {
                Console.Out.Write(RunReport.TemperatureText(temperature));
            }
            if (modelDirectory is not null)
            {
                Console.Out.WriteLine($"inference precision: {inferencePrecision.Name}");
            }
        }
        return ExitCodes.Success;
    }

    private static (EvaluationReport Report, TemperatureScaling.Summary? Temperature) EvaluateModel(
        string modelDirectory, string dataSpec, string? dataDirectoryValue, InferencePrecision inferencePrecision, int binCount, double zeroDivisionValue)
    {
        TorchRuntime.EnsureLoaded();
        (ModelManifest manifest, nn.Module<Tensor, Tensor> network) = SavedModel.Load(modelDirectory, inferencePrecision);
        using (network)
        {
            if (manifest.Spec.IsText)
            {
                (PredictionSet tablePredictions, PredictionSet? validationSet) = TextTrainingRun.PredictTable(network, manifest, modelDirectory, dataSpec);
                EvaluationReport textReport = EvaluationReport.Compute(tablePredictions.Targets, tablePredictions.Probabilities, manifest.ClassNames, binCount, zeroDivisionValue);
                TemperatureScaling.Summary? textTemperature = validationSet is null ? null : TemperatureScaling.FitAndCompare(
                    validationSet.Targets, validationSet.Probabilities, tablePredictions.Targets, tablePredictions.Probabilities, manifest.ClassNames.Count, binCount);
                return (textReport, textTemperature);
            }
            // Image files are decoded to the model's input shape, whatever data it was trained on.
            ImageFolderOptions? imageFolder = DataSource.IsImageFolder(dataSpec)
                ? manifest.Training.ImageFolder with { Width = manifest.Spec.InputWidth, Height = manifest.Spec.InputHeight, Channels = manifest.Spec.InputChannels }
                : null;
            ImageDatasetPair pair = DataSource.Load(dataSpec, dataDirectoryValue, imageFolder);
            if (manifest.Training.Classes is string classes)
            {
                // The model predicts only the classes its run selected, relabelled in that order, so the data gets the same selection.
                pair = ClassSubset.Parse(classes, pair.Train.ClassNames).Apply(pair);
            }
            if (pair.Test.NumClasses > manifest.ClassNames.Count || pair.Test.Channels != manifest.Spec.InputChannels
                || pair.Test.Height != manifest.Spec.InputHeight || pair.Test.Width != manifest.Spec.InputWidth)
            {
                throw new UserInputException(string.Create(CultureInfo.InvariantCulture,
                    $"--data {dataSpec} has {pair.Test.NumClasses} classes of {pair.Test.Channels}x{pair.Test.Height}x{pair.Test.Width} images, but the model in {modelDirectory} expects {manifest.ClassNames.Count} classes of {manifest.Spec.InputChannels}x{manifest.Spec.InputHeight}x{manifest.Spec.InputWidth}"));
            }

            // The validation split is rebuilt from the run's own options, for temperature scaling.
            TrainingOptions options = manifest.Training;
            ImageDataset full = options.Limit is int limit ? pair.Train.Take(limit) : pair.Train;
            (_, int[] validationIndices) = StratifiedSplit.Split(full.Labels, options.ValidationFraction, options.Seed);
            using var test = new ImageTensors(pair.Test, manifest.Normalization);
            using var validation = new ImageTensors(full.Subset(validationIndices), manifest.Normalization);
            int numClasses = manifest.ClassNames.Count;
            PredictionSet testPredictions = Evaluator.Predict(network, test, numClasses);
            PredictionSet validationPredictions = Evaluator.Predict(network, validation, numClasses);

            EvaluationReport report = EvaluationReport.Compute(testPredictions.Targets, testPredictions.Probabilities, manifest.ClassNames, binCount, zeroDivisionValue);
            TemperatureScaling.Summary temperature = TemperatureScaling.FitAndCompare(
                validationPredictions.Targets, validationPredictions.Probabilities, testPredictions.Targets, testPredictions.Probabilities, numClasses, binCount);
            return (report, temperature);
        }
    }

    private static double ParseZeroDivision(string value) => value.ToLowerInvariant() switch
    {
        "0" => 0,
        "1" => 1,
        "nan" => double.NaN,
        _ => throw new UserInputException($"--zero-division '{value}' is unknown: expected 0, 1 or nan"),
    };
}
