using Negentropy.Data;
using Negentropy.Models;
using Negentropy.Training;
using TorchSharp;
using TorchSharp.Modules;
using Xunit;
using static TorchSharp.torch;

namespace Negentropy.Tests.Training;

/// <summary>The three --finetune modes on a small cnn (width 8, depth 2, 28x28 grayscale, 3 classes) trained in process.</summary>
public sealed class FineTuningTests : IDisposable
{
    // Hand count for that cnn. Conv 1->8 3x3 without bias: 72; batch norm 8: 16; conv 8->16 3x3: 1,152;
    // batch norm 16: 32; two 2x2 pools leave 16x7x7 = 784 features; fc1 784->32: 25,088 + 32;
    // fc2 (the head) 32->3: 96 + 3. LoRA rank 8 on fc1: A 8x784 = 6,272 and B 32x8 = 256.
    private const long HeadParameters = 99;
    private const long ModelParameters = 72 + 16 + 1_152 + 32 + 25_120 + HeadParameters;
    private const long AdapterParameters = 6_272 + 256;

    private static readonly ModelSpec Spec = new("cnn", 1, 28, 28, 3, 8, 2, 0.2);

    private readonly TemporaryFolder folder = new();

    public void Dispose() => folder.Dispose();

    private static TrainingOptions Options(string mode, bool freezeBatchNorm = false) => new()
    {
        FineTuningMode = mode,
        FreezeBatchNorm = freezeBatchNorm,
        Epochs = 1,
        BatchSize = 16,
        LearningRate = 0.01,
        Patience = 0,
        CheckpointIntervalSeconds = 0,
        TensorBoard = false,
        Seed = 3,
    };

    private sealed class Run : IDisposable
    {
        public required nn.Module<Tensor, Tensor> Model { get; init; }
        public required FineTuning Tuning { get; init; }
        public required OptimizerHelper Optimizer { get; init; }
        public required ImageTensors Data { get; init; }
        public required TrainingState State { get; init; }

        public void Dispose()
        {
            Optimizer.Dispose();
            Tuning.Dispose();
            Model.Dispose();
            Data.Dispose();
        }
    }

    private Run Prepare(TrainingOptions options, int seed = 8)
    {
        TorchRuntime.Configure(threads: 1, seed: seed);
        ImageDataset data = TinyData.Create(96);
        ChannelNormalization normalization = ChannelNormalization.Compute(data);
        nn.Module<Tensor, Tensor> model = ModelFactory.Create(Spec);
        FineTuning tuning = FineTuning.Prepare(model, Spec, options);
        return new Run
        {
            Model = model,
            Tuning = tuning,
            Optimizer = tuning.CreateOptimizer(),
            Data = new ImageTensors(data, normalization),
            State = new TrainingState { Options = options, Spec = Spec, Normalization = normalization, ClassNames = data.ClassNames },
        };
    }

    private void TrainOneEpoch(Run run)
    {
        var trainer = new Trainer(run.Model, run.Optimizer, run.Data, run.Data, run.State, folder.Path, NullTrainingObserver.Instance,
            learningRateScales: run.Tuning.LearningRateScales);
        trainer.Run(CancellationToken.None);
    }

    private static Dictionary<string, float[]> Snapshot(IEnumerable<(string Name, Tensor Value)> tensors) =>
        tensors.ToDictionary(entry => entry.Name, entry =>
        {
            using Tensor asFloat = entry.Value.to_type(ScalarType.Float32);
            return asFloat.data<float>().ToArray();
        });

    private static Dictionary<string, float[]> Parameters(nn.Module model) =>
        Snapshot(model.named_parameters().Select(entry => (entry.name, (Tensor)entry.parameter)));

    private static Dictionary<string, float[]> Buffers(nn.Module model) =>
        Snapshot(model.named_buffers().Select(entry => (entry.name, entry.buffer)));

    [Theory]
    [InlineData(FineTuning.Full, ModelParameters, ModelParameters)]
    [InlineData(FineTuning.Head, HeadParameters, ModelParameters)]
    [InlineData(FineTuning.Lora, AdapterParameters + HeadParameters, ModelParameters + AdapterParameters)]
    public void Prepare_CountsMatchHandCount(string mode, long trainable, long total)
    {
        using Run run = Prepare(Options(mode));

        Assert.Equal(trainable, run.Tuning.TrainableParameters);
        Assert.Equal(total, run.Tuning.TotalParameters);
        Assert.Equal(ModelParameters, run.Tuning.ModelParameters);
        Assert.Equal("classifier.fc2", run.Tuning.HeadName);
        long optimized = run.Optimizer.ParamGroups.Cast<ParamGroup>().SelectMany(group => group.Parameters).Sum(parameter => parameter.numel());
        Assert.Equal(trainable, optimized);
    }

    [Fact]
    public void HeadMode_LeavesBackboneBitIdentical()
    {
        using Run run = Prepare(Options(FineTuning.Head));
        Dictionary<string, float[]> before = Parameters(run.Model);
        Dictionary<string, float[]> buffersBefore = Buffers(run.Model);

        TrainOneEpoch(run);
        Dictionary<string, float[]> after = Parameters(run.Model);

        foreach ((string name, float[] values) in before)
        {
            if (name.StartsWith("classifier.fc2.", StringComparison.Ordinal))
            {
                Assert.False(values.SequenceEqual(after[name]), $"head parameter {name} did not train");
            }
            else
            {
                Assert.True(values.SequenceEqual(after[name]), $"backbone parameter {name} changed");
            }
        }
        // Without --freeze-bn the batch norms still update their running statistics in training mode.
        Assert.False(buffersBefore["features.block0.bn.running_mean"].SequenceEqual(Buffers(run.Model)["features.block0.bn.running_mean"]));
    }

    [Theory]
    [InlineData(FineTuning.Head)]
    [InlineData(FineTuning.Lora)]
    public void FreezeBatchNorm_KeepsRunningStatsIdentical(string mode)
    {
        using Run run = Prepare(Options(mode, freezeBatchNorm: true));
        Dictionary<string, float[]> before = Buffers(run.Model);

        TrainOneEpoch(run);
        Dictionary<string, float[]> after = Buffers(run.Model);

        Assert.Contains(before.Keys, name => name.EndsWith("running_var", StringComparison.Ordinal));
        foreach ((string name, float[] values) in before)
        {
            Assert.True(values.SequenceEqual(after[name]), $"buffer {name} changed");
        }
    }

    [Fact]
    public void LoraMode_KeepsBaseAndMergesExactly()
    {
        using Run run = Prepare(Options(FineTuning.Lora));
        Dictionary<string, float[]> before = Parameters(run.Model);

        TrainOneEpoch(run);
        Dictionary<string, float[]> after = Parameters(run.Model);

        foreach ((string name, float[] values) in before)
        {
            bool trains = name.Contains(".lora_", StringComparison.Ordinal) || name.StartsWith("classifier.fc2.", StringComparison.Ordinal);
            Assert.True(trains != values.SequenceEqual(after[name]), trains ? $"{name} did not train" : $"frozen base parameter {name} changed");
        }

        using nn.Module<Tensor, Tensor> merged = run.Tuning.CreateMergedModel()!;
        PredictionSet adapted = Evaluator.Predict(run.Model, run.Data, 3);
        PredictionSet plain = Evaluator.Predict(merged, run.Data, 3);
        using var scope = torch.NewDisposeScope();
        using var noGrad = torch.no_grad();
        (Tensor images, _) = run.Data.Batch(Enumerable.Range(0, 32).ToArray(), 0, 32);
        double largest = run.Model.forward(images).sub(merged.forward(images)).abs().max().item<float>();
        Assert.True(largest <= 1e-5, $"merged logits differ from the adapter model's by up to {largest}");
        Assert.Equal(adapted.Preds(), plain.Preds());
        Assert.DoesNotContain(merged.state_dict().Keys, key => key.Contains("lora", StringComparison.Ordinal));
    }

    [Fact]
    public void LoraSteps_FreeEveryTensor()
    {
        using Run run = Prepare(Options(FineTuning.Lora));
        var trainer = new Trainer(run.Model, run.Optimizer, run.Data, run.Data, run.State, folder.Path, NullTrainingObserver.Instance);
        int[] order = ImageTensors.EpochOrder(run.Data.Count, 1, 1, shuffle: true);
        using Tensor lossSum = torch.zeros(1, ScalarType.Float64);
        using Tensor correct = torch.zeros(1, ScalarType.Int64);
        run.Model.train();
        trainer.TrainStep(order, 0, lossSum, correct);
        long before = DisposeScopeManager.Statistics.ThreadTotalLiveCount;

        for (int step = 1; step < 4; step++)
        {
            trainer.TrainStep(order, step, lossSum, correct);
        }
        Evaluator.Predict(run.Model, run.Data, 3);

        Assert.Equal(before, DisposeScopeManager.Statistics.ThreadTotalLiveCount);
    }

    [Theory]
    [InlineData("adamw")]
    [InlineData("sgd")]
    public void BackboneScale_SetsGroupLearningRates(string optimizer)
    {
        TrainingOptions options = Options(FineTuning.Full) with
        {
            Optimizer = optimizer,
            BackboneLearningRateScale = 0.1,
            Schedule = "constant",
            WarmupEpochs = 0,
        };
        using Run run = Prepare(options);
        ParamGroup[] groups = run.Optimizer.ParamGroups.Cast<ParamGroup>().ToArray();

        TrainOneEpoch(run);

        Assert.Equal(new[] { 0.1, 1.0 }, run.Tuning.LearningRateScales);
        Assert.Equal(2, groups.Length);
        Assert.Equal(0.001, groups[0].LearningRate, 12);
        Assert.Equal(0.01, groups[1].LearningRate, 12);
        Assert.Equal(ModelParameters - HeadParameters, groups[0].Parameters.Sum(parameter => parameter.numel()));
        Assert.Equal(HeadParameters, groups[1].Parameters.Sum(parameter => parameter.numel()));
        Assert.Equal(0.01, run.State.History[^1].LearningRate, 12);
    }

    [Fact]
    public void Trainer_RejectsScaleCountMismatch()
    {
        using Run run = Prepare(Options(FineTuning.Full));

        Assert.Throws<ArgumentException>(() => new Trainer(run.Model, run.Optimizer, run.Data, run.Data, run.State, folder.Path,
            NullTrainingObserver.Instance, learningRateScales: new[] { 0.5, 1.0 }));
    }

    [Fact]
    public void LoraCheckpoint_KeepsAdaptersForResume()
    {
        string path = folder.Combine("lora.ckpt");
        float[] expected;
        using (Run run = Prepare(Options(FineTuning.Lora)))
        {
            TrainOneEpoch(run);
            Checkpoint.Save(path, run.State, run.Model, run.Optimizer);
            expected = Evaluator.Predict(run.Model, run.Data, 3).Probabilities.Select(p => (float)p).ToArray();
        }

        using Run resumed = Prepare(Options(FineTuning.Lora), seed: 99);
        Checkpoint.Load(path, resumed.Model, resumed.Optimizer);
        float[] actual = Evaluator.Predict(resumed.Model, resumed.Data, 3).Probabilities.Select(p => (float)p).ToArray();

        Assert.Equal(expected, actual);
        using nn.Module<Tensor, Tensor> plain = ModelFactory.Create(Spec);
        var error = Assert.Throws<UserInputException>(() => Checkpoint.Load(path, plain, optimizer: null));
        Assert.Contains("corrupt or truncated checkpoint", error.Message);
    }

    [Fact]
    public void Lora_WithoutTargetsTrainsHeadOnly()
    {
        TorchRuntime.Configure(threads: 1, seed: 9);
        var spec = new ModelSpec("fasttext", 1, 1, 1, 3, 16, 1, 0.1, VocabularySize: 64, MaxLength: 8);
        using nn.Module<Tensor, Tensor> model = ModelFactory.Create(spec);

        using FineTuning tuning = FineTuning.Prepare(model, spec, new TrainingOptions { FineTuningMode = FineTuning.Lora });

        string warning = Assert.Single(tuning.Warnings);
        Assert.Contains("no adapter is attached and only the head (classifier) trains", warning);
        Assert.Equal((16 * 3) + 3, tuning.TrainableParameters);
        Assert.Null(tuning.CreateMergedModel());
    }

    [Fact]
    public void Lora_OnBiLstmRunsAttentionAdapter()
    {
        TorchRuntime.Configure(threads: 1, seed: 10);
        var spec = new ModelSpec("bilstm", 1, 1, 1, 3, 16, 1, 0.1, VocabularySize: 64, MaxLength: 8);
        using nn.Module<Tensor, Tensor> model = ModelFactory.Create(spec);

        using FineTuning tuning = FineTuning.Prepare(model, spec, new TrainingOptions { FineTuningMode = FineTuning.Lora, LoraRank = 2 });

        Assert.Equal(new[] { "attention" }, tuning.Adapters!.LayerNames);
        Assert.Empty(tuning.Warnings);
    }

    [Theory]
    [InlineData(FineTuning.Head, 0.5, false, null, "--backbone-lr-scale goes with --finetune full")]
    [InlineData(FineTuning.Full, 0.0, false, null, "--backbone-lr-scale 0 is out of range")]
    [InlineData(FineTuning.Full, 1.0, true, null, "--freeze-bn goes with --finetune head or lora")]
    [InlineData(FineTuning.Head, 1.0, false, 4, "--lora-rank and --lora-alpha go with --finetune lora")]
    [InlineData(FineTuning.Lora, 1.0, false, 0, "--lora-rank 0 is out of range")]
    [InlineData("partial", 1.0, false, null, "--finetune 'partial' is unknown: expected one of full, head, lora")]
    public void Validate_NamesOption(string mode, double scale, bool freeze, int? rank, string expected)
    {
        var options = new TrainingOptions { FineTuningMode = mode, BackboneLearningRateScale = scale, FreezeBatchNorm = freeze, LoraRank = rank };

        Assert.Contains(options.Validate(), problem => problem.Contains(expected, StringComparison.Ordinal));
    }

    [Fact]
    public void Validate_AcceptsDefaults()
    {
        Assert.Empty(FineTuning.Validate(new TrainingOptions()));
        Assert.Empty(FineTuning.Validate(new TrainingOptions { FineTuningMode = FineTuning.Lora, LoraRank = 4, LoraAlpha = 8, FreezeBatchNorm = true }));
    }
}
