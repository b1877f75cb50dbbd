using System.Text.Json.Serialization;
using Negentropy.Data;
using Negentropy.Models;

namespace Negentropy.Training;

/// <summary>
/// Settings of one training run. Each default is a named constant; <see cref="Validate"/> collects
/// every problem at once. Serialized into checkpoints so that <c>--resume</c> continues with them.
/// </summary>
public sealed record TrainingOptions
{
    public const string DefaultData = "fashion-mnist";
    public const string DefaultModel = "cnn";
    public const int DefaultEpochs = 15;
    public const int DefaultBatchSize = 32;
    public const string DefaultOptimizer = "adamw";
    public const double DefaultAdamWLearningRate = 2e-3;
    public const double DefaultSgdLearningRate = 0.05;
    public const double DefaultWeightDecay = 5e-4;
    public const double DefaultMomentum = 0.9;
    public const double DefaultDropout = 0.2;
    public const string DefaultSchedule = "cosine";
    /// <summary>Default warm-up: this share of all steps, at most one epoch.</summary>
    public const double DefaultWarmupShare = 0.05;
    public const int DefaultPatience = 5;
    public const int DefaultSeed = 42;
    public const double DefaultValidationFraction = 0.1;
    public const double DefaultCheckpointIntervalSeconds = 60;
    /// <summary>Default maximum validation risk of the abstention threshold, when no --abstain-coverage is given.</summary>
    public const double DefaultAbstainRisk = 0.01;

    public static IReadOnlyList<string> Optimizers { get; } = new[] { "adamw", "sgd" };

    public static IReadOnlyList<string> Schedules { get; } = new[] { "cosine", "constant" };

    /// <summary>"fashion-mnist", a folder with train/&lt;class&gt;/ image folders, or a folder of IDX files (default "fashion-mnist").</summary>
    [JsonPropertyName("data")] public string Data { get; init; } = DefaultData;

    /// <summary>With Data "fashion-mnist", a folder to read instead of the Debian location (default none).</summary>
    [JsonPropertyName("data_dir")] public string? DataDirectory { get; init; }

    /// <summary>
    /// Image-folder data: size the images are resized to, "N" for N×N or "WIDTHxHEIGHT" (default: the
    /// first image's size). A started run records the size it used as "WIDTHxHEIGHT".
    /// </summary>
    [JsonPropertyName("image_size")] public string? ImageSize { get; init; }

    /// <summary>
    /// Image-folder data: 1 (grayscale) or 3 (RGB) (default: 1 when the first image is stored as
    /// grayscale, else 3). A started run records the count it used.
    /// </summary>
    [JsonPropertyName("channels")] public int? Channels { get; init; }

    /// <summary>Image-folder data: skip files that do not decode instead of failing (default false).</summary>
    [JsonPropertyName("skip_bad_files")] public bool SkipBadFiles { get; init; }

    /// <summary>Architecture, "cnn", "resnet", "resnet18" or "resnet34" for images (default "cnn").</summary>
    [JsonPropertyName("model")] public string Model { get; init; } = DefaultModel;

    /// <summary>First-stage channels (default per model: cnn 32, resnet 16, resnet18 and resnet34 64).</summary>
    [JsonPropertyName("width")] public int? Width { get; init; }

    /// <summary>Conv blocks for cnn (default 3), or layers 6n+2 for resnet (default 14); fixed at 18 and 34 for resnet18 and resnet34.</summary>
    [JsonPropertyName("depth")] public int? Depth { get; init; }

    /// <summary>Dropout probability in the classifier head (default 0.2).</summary>
    [JsonPropertyName("dropout")] public double Dropout { get; init; } = DefaultDropout;

    /// <summary>Maximum number of epochs (default 15); early stopping may end the run sooner.</summary>
    [JsonPropertyName("epochs")] public int Epochs { get; init; } = DefaultEpochs;

    /// <summary>Samples per training batch (default 32).</summary>
    [JsonPropertyName("batch_size")] public int BatchSize { get; init; } = DefaultBatchSize;

    /// <summary>"adamw" or "sgd" with momentum (default "adamw").</summary>
    [JsonPropertyName("optimizer")] public string Optimizer { get; init; } = DefaultOptimizer;

    /// <summary>Peak learning rate (default 2e-3 for adamw, 0.05 for sgd).</summary>
    [JsonPropertyName("lr")] public double? LearningRate { get; init; }

    /// <summary>Weight decay, decoupled for AdamW and L2 for SGD (default 5e-4).</summary>
    [JsonPropertyName("weight_decay")] public double WeightDecay { get; init; } = DefaultWeightDecay;

    /// <summary>SGD momentum (default 0.9, Nesterov).</summary>
    [JsonPropertyName("momentum")] public double Momentum { get; init; } = DefaultMomentum;

    /// <summary>Cross-entropy label smoothing in [0, 1) (default 0).</summary>
    [JsonPropertyName("label_smoothing")] public double LabelSmoothing { get; init; }

    /// <summary>"cosine" (linear warm-up, then cosine decay to 0) or "constant" (default "cosine").</summary>
    [JsonPropertyName("schedule")] public string Schedule { get; init; } = DefaultSchedule;

    /// <summary>Warm-up length in epochs, may be fractional (default: 5% of the run, at most 1 epoch).</summary>
    [JsonPropertyName("warmup_epochs")] public double? WarmupEpochs { get; init; }

    /// <summary>Maximum global gradient L2 norm; 0 turns clipping off (default 0).</summary>
    [JsonPropertyName("clip_grad_norm")] public double ClipGradNorm { get; init; }

    /// <summary>Epochs without a lower validation loss before stopping; 0 turns early stopping off (default 5).</summary>
    [JsonPropertyName("patience")] public int Patience { get; init; } = DefaultPatience;

    /// <summary>Seed of weight initialization, dropout, the validation split, an image folder's test split and shuffling (default 42).</summary>
    [JsonPropertyName("seed")] public int Seed { get; init; } = DefaultSeed;

    /// <summary>libtorch intra-op threads (default: the processor count).</summary>
    [JsonPropertyName("threads")] public int? Threads { get; init; }

    /// <summary>Share of the training set held out for validation, in (0, 0.9] (default 0.1).</summary>
    [JsonPropertyName("val_fraction")] public double ValidationFraction { get; init; } = DefaultValidationFraction;

    /// <summary>Train on the first N training images only, counted after the <see cref="Classes"/> selection (default: all).</summary>
    [JsonPropertyName("limit")] public int? Limit { get; init; }

    /// <summary>Seconds between mid-epoch checkpoints; 0 writes them at epoch ends only (default 60).</summary>
    [JsonPropertyName("checkpoint_interval_seconds")] public double CheckpointIntervalSeconds { get; init; } = DefaultCheckpointIntervalSeconds;

    /// <summary>Record the information plane each epoch on a probe of validation samples (default false).</summary>
    [JsonPropertyName("information_plane")] public bool InformationPlane { get; init; }

    /// <summary>Validation samples in the information-plane probe, chosen once with the seed (default 1000).</summary>
    [JsonPropertyName("probe_size")] public int ProbeSize { get; init; } = Information.InformationPlane.DefaultProbeSize;

    /// <summary>Layers of the information plane, by name (cnn: block0, block1, …, penultimate; resnet: stage0, stage1, stage2, penultimate; resnet18 and resnet34: layer1 to layer4, penultimate); null for all.</summary>
    [JsonPropertyName("plane_layers")] public IReadOnlyList<string>? PlaneLayers { get; init; }

    /// <summary>Write TensorBoard event files under RUN/tensorboard (default true).</summary>
    [JsonPropertyName("tensorboard")] public bool TensorBoard { get; init; } = true;

    /// <summary>A CSV whose first column 'index' lists training samples to leave out, such as the label_issues.csv of 'negentropy clean' (default none).</summary>
    [JsonPropertyName("exclude")] public string? Exclude { get; init; }

    /// <summary>Text-table data: columns, encoding and tokenization (default: text and label columns, word tokens).</summary>
    [JsonPropertyName("text")] public TextDataOptions Text { get; init; } = new();

    /// <summary>Two classes only: one sigmoid output with binary cross-entropy instead of a softmax over two (default false).</summary>
    [JsonPropertyName("binary")] public bool Binary { get; init; }

    /// <summary>Training-time augmentation (default none).</summary>
    [JsonPropertyName("augment")] public AugmentationOptions Augment { get; init; } = AugmentationOptions.None;

    /// <summary>
    /// Abstention target: the maximum error rate among answered validation samples, in (0, 1). The run picks the
    /// entropy threshold with the largest coverage that meets it (default 0.01 unless <see cref="AbstainCoverage"/> is set).
    /// </summary>
    [JsonPropertyName("abstain_risk")] public double? AbstainRisk { get; init; }

    /// <summary>
    /// Abstention target that replaces the risk target: the minimum share of validation samples answered,
    /// in (0, 1]. The run picks the smallest entropy threshold that meets it (default none).
    /// </summary>
    [JsonPropertyName("abstain_coverage")] public double? AbstainCoverage { get; init; }

    /// <summary>
    /// Initial weights: a PyTorch state dict (.pt, .pth, .bin), a .safetensors file, or a Negentropy model
    /// folder or its weights file, loaded before the first epoch (default none: fresh initialization).
    /// </summary>
    [JsonPropertyName("init_from")] public string? InitFrom { get; init; }

    /// <summary>With <see cref="InitFrom"/>: fail on any missing key, unexpected key or shape conflict (default true).</summary>
    [JsonPropertyName("strict")] public bool Strict { get; init; } = true;

    /// <summary>With <see cref="InitFrom"/>: re-create the classifier for this data's classes instead of loading it (default false).</summary>
    [JsonPropertyName("replace_head")] public bool ReplaceHead { get; init; }

    /// <summary>
    /// resnet18 and resnet34: the size the input adapter resizes images to inside the model, "N" for N×N or
    /// "WIDTHxHEIGHT" (default: each side below 64 pixels becomes 64).
    /// </summary>
    [JsonPropertyName("input_size")] public string? InputSize { get; init; }

    /// <summary>
    /// Classes to train on, relabelled 0 to k−1 in the order given: comma-separated 0-based indices, ranges
    /// such as 0-4, or class names (see <see cref="ClassSubset"/>). Default: every class.
    /// </summary>
    [JsonPropertyName("classes")] public string? Classes { get; init; }

    /// <summary>Which parameters train: "full", "head" or "lora" (see <see cref="FineTuning"/>; default "full").</summary>
    [JsonPropertyName("finetune")] public string FineTuningMode { get; init; } = FineTuning.Full;

    /// <summary>"full" only: factor on the learning rate of every parameter outside the classifier head (default 1).</summary>
    [JsonPropertyName("backbone_lr_scale")] public double BackboneLearningRateScale { get; init; } = 1;

    /// <summary>"head" and "lora": keep the batch norms in eval mode, so their running statistics stay fixed (default false).</summary>
    [JsonPropertyName("freeze_bn")] public bool FreezeBatchNorm { get; init; }

    /// <summary>"lora": adapter rank r (default 8).</summary>
    [JsonPropertyName("lora_rank")] public int? LoraRank { get; init; }

    /// <summary>"lora": adapter scaling alpha; an adapter adds (alpha / r)·B(A(x)) (default 16).</summary>
    [JsonPropertyName("lora_alpha")] public double? LoraAlpha { get; init; }

    /// <summary>Compute, print and store the validation classification report after every epoch (default false).</summary>
    [JsonPropertyName("epoch_report")] public bool EpochReport { get; init; }

    /// <summary>The preset of <see cref="TrainingRecipes"/> the options started from, when one was named (default none).</summary>
    [JsonPropertyName("recipe")] public string? Recipe { get; init; }

    [JsonIgnore] public int EffectiveLoraRank => LoraRank ?? FineTuning.DefaultLoraRank;

    [JsonIgnore] public double EffectiveLoraAlpha => LoraAlpha ?? FineTuning.DefaultLoraAlpha;

    /// <summary>The image-folder settings; valid only after <see cref="Validate"/> found no problem.</summary>
    [JsonIgnore]
    public ImageFolderOptions ImageFolder
    {
        get
        {
            (int Width, int Height)? size = ImageSize is null ? null : ImageFolderOptions.ParseSize(ImageSize);
            return new ImageFolderOptions { Width = size?.Width, Height = size?.Height, Channels = Channels, SkipBadFiles = SkipBadFiles, SplitSeed = Seed };
        }
    }

    [JsonIgnore] public double EffectiveLearningRate => LearningRate ?? (Optimizer == "sgd" ? DefaultSgdLearningRate : DefaultAdamWLearningRate);

    [JsonIgnore] public int EffectiveWidth => Width ?? ModelFactory.DefaultWidth(Model);

    [JsonIgnore] public int EffectiveDepth => Depth ?? ModelFactory.DefaultDepth(Model);

    [JsonIgnore] public double EffectiveWarmupEpochs => WarmupEpochs ?? Math.Round(Math.Min(1.0, DefaultWarmupShare * Epochs), 6);

    [JsonIgnore] public int EffectiveThreads => Threads ?? Environment.ProcessorCount;

    /// <summary>The risk target of the abstention threshold, or null when <see cref="AbstainCoverage"/> replaces it.</summary>
    [JsonIgnore] public double? EffectiveAbstainRisk => AbstainCoverage is null ? AbstainRisk ?? DefaultAbstainRisk : null;

    /// <summary>Returns every problem with these settings, each naming the option, the value and the accepted range.</summary>
    public IReadOnlyList<string> Validate()
    {
        var problems = new List<string>();
        void Require(bool condition, string message)
        {
            if (!condition)
            {
                problems.Add(message);
            }
        }

        Require(ModelFactory.Architectures.Contains(Model), $"--model '{Model}' is unknown: expected one of {string.Join(", ", ModelFactory.Architectures)}");
        Require(Optimizers.Contains(Optimizer), $"--optimizer '{Optimizer}' is unknown: expected one of {string.Join(", ", Optimizers)}");
        Require(Schedules.Contains(Schedule), $"--schedule '{Schedule}' is unknown: expected one of {string.Join(", ", Schedules)}");
        Require(Epochs is >= 1 and <= 10_000, $"--epochs {Epochs} is out of range: expected 1 to 10000");
        Require(BatchSize is >= 1 and <= 65_536, $"--batch-size {BatchSize} is out of range: expected 1 to 65536");
        Require(LearningRate is null || (LearningRate > 0 && LearningRate <= 10), $"--lr {LearningRate} is out of range: expected a value in (0, 10]");
        Require(WeightDecay is >= 0 and <= 1, $"--weight-decay {WeightDecay} is out of range: expected 0 to 1");
        Require(Momentum is >= 0 and < 1, $"--momentum {Momentum} is out of range: expected a value in [0, 1)");
        Require(Dropout is >= 0 and < 1, $"--dropout {Dropout} is out of range: expected a value in [0, 1)");
        Require(LabelSmoothing is >= 0 and < 1, $"--label-smoothing {LabelSmoothing} is out of range: expected a value in [0, 1)");
        Require(WarmupEpochs is null || (WarmupEpochs >= 0 && WarmupEpochs <= Epochs), $"--warmup-epochs {WarmupEpochs} is out of range: expected 0 to --epochs ({Epochs})");
        Require(ClipGradNorm >= 0 && !double.IsNaN(ClipGradNorm), $"--clip-grad-norm {ClipGradNorm} is out of range: expected 0 (off) or a positive norm");
        Require(Patience is >= 0, $"--patience {Patience} is out of range: expected 0 (off) or more");
        Require(Threads is null or (>= 1 and <= 1024), $"--threads {Threads} is out of range: expected 1 to 1024");
        Require(ValidationFraction > 0 && ValidationFraction <= 0.9, $"--val-fraction {ValidationFraction} is out of range: expected a value in (0, 0.9]");
        Require(Limit is null or >= 10, $"--limit {Limit} is out of range: expected at least 10 images");
        Require(CheckpointIntervalSeconds >= 0, $"--checkpoint-interval {CheckpointIntervalSeconds} is out of range: expected 0 (epoch ends only) or more seconds");
        Require(ImageSize is null || ImageFolderOptions.ParseSize(ImageSize) is not null,
            $"--image-size '{ImageSize}' is invalid: expected WIDTHxHEIGHT such as 32x48, or one number such as 28 for a square, each side 1 to {ImageFolderOptions.MaxSide} pixels");
        Require(Channels is null or 1 or 3, $"--channels {Channels} is invalid: expected 1 (grayscale) or 3 (RGB)");
        Require(Width is null or (>= 1 and <= 1024), $"--width {Width} is out of range: expected 1 to 1024");
        Require(ProbeSize is >= 10 and <= 10_000, $"--probe-size {ProbeSize} is out of range: expected 10 to 10000");
        Require(AbstainRisk is null || (AbstainRisk > 0 && AbstainRisk < 1), $"--abstain-risk {AbstainRisk} is out of range: expected a share in (0, 1), such as 0.01");
        Require(AbstainCoverage is null || (AbstainCoverage > 0 && AbstainCoverage <= 1), $"--abstain-coverage {AbstainCoverage} is out of range: expected a share in (0, 1], such as 0.95");
        Require(AbstainRisk is null || AbstainCoverage is null, "--abstain-risk and --abstain-coverage are mutually exclusive: pass one target for the abstention threshold");
        Require(PlaneLayers is null || InformationPlane, "--plane-layers goes with --information-plane; add it or drop --plane-layers");
        Require(PlaneLayers is null || PlaneLayers.Count > 0, "--plane-layers is empty; name at least one layer, or leave it out for all");
        bool torchvisionModel = ModelFactory.TorchvisionArchitectures.Contains(Model);
        Require(InputSize is null || torchvisionModel, $"--input-size applies to resnet18 and resnet34, not to {Model}; drop --input-size");
        Require(InputSize is null || ImageFolderOptions.ParseSize(InputSize) is not null,
            $"--input-size '{InputSize}' is invalid: expected WIDTHxHEIGHT such as 64x64, or one number such as 64 for a square, each side 1 to {ImageFolderOptions.MaxSide} pixels");
        Require(InitFrom is not null || (Strict && !ReplaceHead), "--strict and --replace-head go with --init-from; add --init-from FILE or drop them");
        Require(InitFrom is null || !ModelFactory.TextArchitectures.Contains(Model), $"--init-from works with the image models, not the text model {Model}");
        problems.AddRange(FineTuning.Validate(this));
        Require(Recipe is null || TrainingRecipes.Find(Recipe) is not null, $"--recipe '{Recipe}' is unknown: expected one of {string.Join(", ", TrainingRecipes.All.Select(recipe => recipe.Name))}");
        problems.AddRange(Augment.Validate());
        problems.AddRange(Text.Validate());
        bool textModel = ModelFactory.TextArchitectures.Contains(Model);
        Require(!textModel || !InformationPlane, $"--information-plane works with the image models ({string.Join(", ", ModelFactory.ImageArchitectures)}), not {Model}");
        Require(Model == "transformer" || Text.Pooling == "cls", $"--pooling applies to the transformer only, not to {Model}; drop --pooling");
        Require(!textModel || !Augment.IsEnabled, $"--augment and its flags apply to images, not to the text model {Model}");
        if (Depth is int depth)
        {
            if (Model is "fasttext" or "textcnn")
            {
                Require(depth == 1, $"--depth {depth} is invalid for {Model}: it has one layer, so leave --depth out");
            }
            else if (Model is "bilstm" or "transformer")
            {
                Require(depth is >= 1 and <= 12, $"--depth {depth} is invalid for {Model}: expected 1 to 12 layers");
            }
            else if (torchvisionModel)
            {
                Require(depth == ModelFactory.DefaultDepth(Model), $"--depth {depth} is invalid for {Model}: its depth is fixed at {ModelFactory.DefaultDepth(Model)}, so leave --depth out");
            }
            else if (Model == "resnet")
            {
                Require(depth >= 8 && (depth - 2) % 6 == 0 && depth <= 110, $"--depth {depth} is invalid for resnet: expected 6n+2 layers (8, 14, 20, …, 110)");
            }
            else
            {
                Require(depth is >= 1 and <= 4, $"--depth {depth} is invalid for cnn: expected 1 to 4 conv blocks");
            }
        }
        return problems;
    }

    /// <summary>Throws a <see cref="UserInputException"/> listing every problem, when there is any.</summary>
    public void ThrowIfInvalid()
    {
        IReadOnlyList<string> problems = Validate();
        if (problems.Count > 0)
        {
            throw new UserInputException(string.Join("; ", problems));
        }
    }
}
