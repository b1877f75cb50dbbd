using System.Globalization;
using Negentropy.Models;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Negentropy.Training;

/// <summary>
/// Which parameters a run trains (<c>--finetune</c>). "full" trains every parameter, the ones outside the
/// classifier head at the learning rate times <c>--backbone-lr-scale</c>. "head" freezes everything but the
/// head (a linear probe). "lora" freezes the model too and trains low-rank adapters (<see cref="LoraAdapters"/>)
/// and the head. The head is the model's last nn.Linear module (<see cref="ClassifierHead"/>).
/// </summary>
/// <remarks>
/// A frozen parameter has requires_grad false and is not given to the optimizer, so neither its gradient
/// nor weight decay ever changes it. Its batch-norm running statistics still update in training mode
/// unless <c>--freeze-bn</c> keeps those layers in eval mode (<see cref="EnterTrainMode"/>).
/// </remarks>
public sealed class FineTuning : IDisposable
{
    public const string Full = "full";
    public const string Head = "head";
    public const string Lora = "lora";
    public const int DefaultLoraRank = 8;
    public const double DefaultLoraAlpha = 16;
    public const double MaxBackboneLearningRateScale = 100;

    private readonly nn.Module<Tensor, Tensor> model;
    private readonly ModelSpec spec;
    private readonly TrainingOptions options;
    private readonly IReadOnlyList<Parameter> headParameters;
    private readonly IReadOnlyList<Parameter> backboneParameters;

    private FineTuning(nn.Module<Tensor, Tensor> model, ModelSpec spec, TrainingOptions options, string headName, LoraAdapters? adapters, IReadOnlyList<string> warnings)
    {
        this.model = model;
        this.spec = spec;
        this.options = options;
        HeadName = headName;
        Adapters = adapters;
        Warnings = warnings;
        var named = model.named_parameters().ToList();
        headParameters = named.Where(entry => ClassifierHead.Contains(headName, entry.name)).Select(entry => entry.parameter).ToArray();
        backboneParameters = named.Where(entry => !ClassifierHead.Contains(headName, entry.name)).Select(entry => entry.parameter).ToArray();
        TotalParameters = named.Sum(entry => entry.parameter.numel());
        TrainableParameters = named.Where(entry => entry.parameter.requires_grad).Sum(entry => entry.parameter.numel());
    }

    public static IReadOnlyList<string> Modes { get; } = new[] { Full, Head, Lora };

    public string Mode => options.FineTuningMode;

    /// <summary>Dotted name of the classifier head, such as "head.fc".</summary>
    public string HeadName { get; }

    /// <summary>The adapters of a "lora" run; null in the other modes.</summary>
    public LoraAdapters? Adapters { get; }

    /// <summary>Parameters of the model being trained, adapters included.</summary>
    public long TotalParameters { get; }

    /// <summary>Parameters the optimizer updates.</summary>
    public long TrainableParameters { get; }

    /// <summary>Parameters of the architecture itself, adapters left out: the size of the saved model.</summary>
    public long ModelParameters => TotalParameters - (Adapters?.ParameterCount ?? 0);

    /// <summary>Setup problems that do not stop the run, one line each for the run log.</summary>
    public IReadOnlyList<string> Warnings { get; }

    /// <summary>
    /// The learning-rate factor of each optimizer parameter group, in the order of the optimizer's groups:
    /// the backbone group gets --backbone-lr-scale and the head group 1.
    /// </summary>
    public IReadOnlyList<double> LearningRateScales => UsesBackboneGroup ? new[] { options.BackboneLearningRateScale, 1.0 } : new[] { 1.0 };

    private bool UsesBackboneGroup => Mode == Full && options.BackboneLearningRateScale != 1;

    /// <summary>Mode and parameter counts for report.json.</summary>
    public sealed record Summary(string Mode, long TrainableParameters, long TotalParameters);

    /// <summary>
    /// Freezes the parameters that <paramref name="options"/> leaves out of training and, for "lora", attaches
    /// the adapters. Call it on a freshly built model, before the optimizer is created and a checkpoint is loaded.
    /// </summary>
    public static FineTuning Prepare(nn.Module<Tensor, Tensor> model, ModelSpec spec, TrainingOptions options)
    {
        (string headName, _) = ClassifierHead.Find(model);
        var warnings = new List<string>();
        if (options.FineTuningMode is Head or Lora)
        {
            foreach ((string name, Parameter parameter) in model.named_parameters())
            {
                if (!ClassifierHead.Contains(headName, name))
                {
                    parameter.requires_grad = false;
                }
            }
        }

        LoraAdapters? adapters = null;
        if (options.FineTuningMode == Lora)
        {
            adapters = LoraAdapters.Attach(model, headName, options.EffectiveLoraRank, options.EffectiveLoraAlpha);
            if (adapters.LayerNames.Count == 0)
            {
                warnings.Add($"--finetune lora: {spec.Architecture} has no nn.Linear besides its head and no 1x1 Conv2d, so no adapter is attached and only the head ({headName}) trains, as with --finetune head");
            }
            else
            {
                adapters.RequireEveryAdapterRuns(() => RunProbe(model, spec));
            }
        }
        return new FineTuning(model, spec, options, headName, adapters, warnings);
    }

    /// <summary>Returns every problem with the fine-tuning options, each naming the option and the accepted values.</summary>
    public static IEnumerable<string> Validate(TrainingOptions options)
    {
        string mode = options.FineTuningMode;
        if (!Modes.Contains(mode))
        {
            yield return $"--finetune '{mode}' is unknown: expected one of {string.Join(", ", Modes)}";
        }
        double scale = options.BackboneLearningRateScale;
        if (!(scale > 0 && scale <= MaxBackboneLearningRateScale))
        {
            yield return string.Create(CultureInfo.InvariantCulture,
                $"--backbone-lr-scale {scale} is out of range: expected a factor in (0, {MaxBackboneLearningRateScale}]; to freeze the backbone, pass --finetune head");
        }
        else if (scale != 1 && mode != Full)
        {
            yield return $"--backbone-lr-scale goes with --finetune full; with --finetune {mode} the backbone is frozen";
        }
        if (options.FreezeBatchNorm && mode == Full)
        {
            yield return "--freeze-bn goes with --finetune head or lora; with --finetune full the batch norms train";
        }
        if (options.LoraRank is int rank && rank is < 1 or > 4096)
        {
            yield return $"--lora-rank {rank} is out of range: expected 1 to 4096";
        }
        if (options.LoraAlpha is double alpha && !(alpha > 0 && alpha <= 1e6))
        {
            yield return string.Create(CultureInfo.InvariantCulture, $"--lora-alpha {alpha} is out of range: expected a value in (0, 1000000]");
        }
        if ((options.LoraRank is not null || options.LoraAlpha is not null) && mode != Lora)
        {
            yield return "--lora-rank and --lora-alpha go with --finetune lora";
        }
    }

    /// <summary>
    /// Puts <paramref name="model"/> in training mode. With --freeze-bn its batch norms stay in eval mode, so
    /// they normalize with their running statistics and never update them.
    /// </summary>
    public static void EnterTrainMode(nn.Module model, TrainingOptions options)
    {
        model.train();
        if (!options.FreezeBatchNorm)
        {
            return;
        }
        // The head is one nn.Linear, so every batch norm belongs to the frozen backbone.
        foreach ((string _, nn.Module module) in ClassifierHead.DepthFirst(model))
        {
            if (module is BatchNorm)
            {
                module.eval();
            }
        }
    }

    /// <summary>
    /// Creates the optimizer over the trainable parameters: one group, or for --backbone-lr-scale a backbone
    /// group and a head group whose order matches <see cref="LearningRateScales"/>.
    /// </summary>
    public OptimizerHelper CreateOptimizer()
    {
        if (Mode == Full && !UsesBackboneGroup)
        {
            return TrainingRun.CreateOptimizer(model, options);
        }
        double peak = options.EffectiveLearningRate;
        IEnumerable<Parameter> trainable = model.parameters().Where(parameter => parameter.requires_grad);
        var groups = UsesBackboneGroup
            ? new[] { (Parameters: backboneParameters, LearningRate: peak * options.BackboneLearningRateScale), (Parameters: headParameters, LearningRate: peak) }
            : new[] { (Parameters: (IReadOnlyList<Parameter>)trainable.ToArray(), LearningRate: peak) };
        return options.Optimizer switch
        {
            "sgd" => torch.optim.SGD(
                groups.Select(group => new SGD.ParamGroup(group.Parameters, new SGD.Options { LearningRate = group.LearningRate })),
                peak, momentum: options.Momentum, weight_decay: options.WeightDecay, nesterov: options.Momentum > 0),
            _ => torch.optim.AdamW(
                groups.Select(group => new AdamW.ParamGroup(group.Parameters, new AdamW.Options { LearningRate = group.LearningRate })),
                peak, weight_decay: options.WeightDecay),
        };
    }

    /// <summary>
    /// Builds a plain model of the same architecture with the adapters merged into its weights, for evaluation
    /// and saving. Returns null without adapters, because the trained model is then already plain.
    /// </summary>
    public nn.Module<Tensor, Tensor>? CreateMergedModel() =>
        Adapters is { LayerNames.Count: > 0 } adapters ? adapters.CreateMergedModel(model, spec) : null;

    public Summary Summarize() => new(Mode, TrainableParameters, TotalParameters);

    /// <summary>Writes the fine-tuning decision and any warning to the run log.</summary>
    public void Log(ITrainingObserver observer)
    {
        double share = TotalParameters == 0 ? 0 : 100.0 * TrainableParameters / TotalParameters;
        string counts = string.Create(CultureInfo.InvariantCulture, $"{TrainableParameters:N0} of {TotalParameters:N0} parameters trainable ({share:0.##}%)");
        bool hasBatchNorm = ClassifierHead.DepthFirst(model).Any(entry => entry.Module is BatchNorm);
        string batchNorms = "";
        if (hasBatchNorm && Mode != Full)
        {
            batchNorms = options.FreezeBatchNorm ? ", batch-norm statistics frozen" : ", batch-norm statistics update";
        }
        string detail = Mode switch
        {
            Head => $"only the head {HeadName} trains{batchNorms}",
            Lora when Adapters is { LayerNames.Count: > 0 } adapters => string.Create(CultureInfo.InvariantCulture,
                $"rank {adapters.Rank}, alpha {adapters.Alpha} (scale {adapters.Scale:0.####}) on {ListLayers(adapters.LayerNames)}, head {HeadName} trains fully{batchNorms}"),
            Lora => $"no adapter, only the head {HeadName} trains{batchNorms}",
            _ when UsesBackboneGroup => string.Create(CultureInfo.InvariantCulture,
                $"every parameter trains; outside the head {HeadName} at {options.BackboneLearningRateScale} times the learning rate"),
            _ => $"every parameter trains (head {HeadName})",
        };
        observer.OnDecision("fine-tuning", $"{Mode}: {detail}; {counts}");
        foreach (string warning in Warnings)
        {
            observer.OnDecision("warning", warning);
        }
    }

    /// <summary>Removes the adapters' forward hooks.</summary>
    public void Dispose() => Adapters?.Dispose();

    private static string ListLayers(IReadOnlyList<string> names)
    {
        string listed = names.Count <= 6 ? string.Join(", ", names) : string.Join(", ", names.Take(6)) + $" and {names.Count - 6} more";
        return $"{names.Count} {(names.Count == 1 ? "layer" : "layers")} ({listed})";
    }

    // One forward pass in eval mode on a zero image or a short run of token id 1, to see which adapters run.
    private static void RunProbe(nn.Module<Tensor, Tensor> model, ModelSpec spec)
    {
        using var scope = NewDisposeScope();
        using var noGrad = torch.no_grad();
        bool training = model.training;
        model.eval();
        Tensor input = spec.IsText
            ? torch.ones(1, Math.Clamp(spec.MaxLength, 1, 8), ScalarType.Int64)
            : torch.zeros(1, spec.InputChannels, spec.InputHeight, spec.InputWidth);
        model.forward(input);
        if (training)
        {
            model.train();
        }
    }
}
