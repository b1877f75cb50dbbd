using System.Text.Json;
using System.Text.Json.Nodes;
using Negentropy.Data;
using Negentropy.Evaluation;
using Negentropy.Models;
using Negentropy.Reporting;
using Negentropy.Training;
using Xunit;

namespace Negentropy.Tests.Evaluation;

public sealed class AbstentionPolicyTests : IDisposable
{
    private readonly TemporaryFolder folder = new();

    public void Dispose() => folder.Dispose();

    private static readonly AbstentionPolicy Policy = new()
    {
        Criterion = AbstentionPolicy.RiskCriterion,
        Target = 0.01,
        ThresholdBits = 0.53,
        ValidationRisk = 0.0098,
        ValidationCoverage = 0.961,
        ValidationCount = 6000,
        TargetMet = true,
    };

    private static ModelManifest Manifest(AbstentionPolicy? abstention) => new()
    {
        Name = "tiny-cnn",
        Version = "test",
        CreatedUtc = DateTimeOffset.UnixEpoch,
        Spec = new ModelSpec("cnn", 1, 28, 28, 3, 8, 2, 0.2),
        ClassNames = new[] { "a", "b", "c" },
        Normalization = new ChannelNormalization(new[] { 0.5 }, new[] { 0.25 }),
        Training = new TrainingOptions(),
        Abstention = abstention,
    };

    [Fact]
    public void Json_UsesDocumentedFieldNames()
    {
        JsonObject json = JsonSerializer.SerializeToNode(Policy, JsonFormats.Indented)!.AsObject();

        Assert.Equal(
            new[] { "criterion", "target", "threshold_bits", "validation_risk", "validation_coverage", "validation_count", "target_met" },
            json.Select(pair => pair.Key));
        Assert.Equal("risk", json["criterion"]!.GetValue<string>());
        Assert.Equal(0.53, json["threshold_bits"]!.GetValue<double>());
    }

    [Fact]
    public void Manifest_RoundTripsAbstention()
    {
        Manifest(Policy).Write(folder.Path);

        ModelManifest read = ModelManifest.Read(folder.Path);

        Assert.Equal(Policy, read.Abstention);
    }

    [Fact]
    public void Manifest_WithoutAbstentionStillLoads()
    {
        Manifest(Policy).Write(folder.Path);
        string path = Path.Combine(folder.Path, ModelManifest.FileName);
        JsonObject json = JsonNode.Parse(File.ReadAllText(path))!.AsObject();
        Assert.True(json.Remove("abstention"));
        File.WriteAllText(path, json.ToJsonString());

        ModelManifest read = ModelManifest.Read(folder.Path);

        Assert.Null(read.Abstention);
        Assert.Equal("tiny-cnn", read.Name);
    }

    [Fact]
    public void Manifest_IncompleteAbstentionIsAnInputError()
    {
        Manifest(Policy).Write(folder.Path);
        string path = Path.Combine(folder.Path, ModelManifest.FileName);
        JsonObject json = JsonNode.Parse(File.ReadAllText(path))!.AsObject();
        Assert.True(json["abstention"]!.AsObject().Remove("threshold_bits"));
        File.WriteAllText(path, json.ToJsonString());

        var error = Assert.Throws<UserInputException>(() => ModelManifest.Read(folder.Path));

        Assert.Contains(path, error.Message);
        Assert.Contains("threshold_bits", error.Message);
    }

    [Fact]
    public void Describe_StatesThresholdCoverageAndRisk()
    {
        Assert.Equal("entropy > 0.53 bits → 96.1% coverage at 0.98% risk on 6000 validation samples (target risk 1%)", Policy.Describe());
        Assert.Equal("entropy > 0.53 bits → 96.1% coverage at 0.98% risk on 6000 validation samples (target coverage 95%)",
            (Policy with { Criterion = AbstentionPolicy.CoverageCriterion, Target = 0.95 }).Describe());
    }
}
