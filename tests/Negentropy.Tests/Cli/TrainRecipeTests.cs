using System.CommandLine;
using Negentropy.Cli.Commands;
using Negentropy.Training;
using Xunit;

namespace Negentropy.Tests.Cli;

/// <summary>--recipe expansion, parsed in process: the preset fills the options the command line leaves out.</summary>
public sealed class TrainRecipeTests
{
    private static (TrainCommand Command, ParseResult Expanded) Expand(params string[] arguments)
    {
        var command = new TrainCommand(new Option<bool>("--verbose"));
        ParseResult parsed = command.Command.Parse(arguments);
        Assert.Empty(parsed.Errors);
        return (command, command.ApplyRecipe(parsed));
    }

    [Fact]
    public void Recipe_SetsPresetOptions()
    {
        (TrainCommand command, ParseResult expanded) = Expand("--recipe", "resnet18-finetune", "--out", "/tmp/run");

        TrainingOptions options = command.ReadOptions(expanded);

        Assert.Equal("resnet18", options.Model);
        Assert.Equal("adamw", options.Optimizer);
        Assert.Equal(2e-5, options.LearningRate);
        Assert.Equal(16, options.BatchSize);
        Assert.Equal(5, options.Epochs);
        Assert.True(options.EpochReport);
        Assert.Equal("resnet18-finetune", options.Recipe);
        Assert.Equal("bar", expanded.GetValue<string>("--progress"));
        Assert.Equal("/tmp/run", expanded.GetValue<string>("--out"));
    }

    [Fact]
    public void Recipe_ExplicitOptionsOverride()
    {
        (TrainCommand command, ParseResult expanded) = Expand(
            "--epochs", "2", "--recipe", "Resnet18-Finetune", "--lr", "1e-4", "--model", "cnn", "--progress", "plain", "--out", "/tmp/run");

        TrainingOptions options = command.ReadOptions(expanded);

        Assert.Equal(2, options.Epochs);
        Assert.Equal(1e-4, options.LearningRate);
        Assert.Equal("cnn", options.Model);
        Assert.Equal("plain", expanded.GetValue<string>("--progress"));
        Assert.Equal(16, options.BatchSize);
        Assert.True(options.EpochReport);
        Assert.Equal("resnet18-finetune", options.Recipe);
        Assert.Empty(expanded.Errors);
    }

    [Fact]
    public void NoRecipe_LeavesParseUnchanged()
    {
        (TrainCommand command, ParseResult expanded) = Expand("--epochs", "3");

        TrainingOptions options = command.ReadOptions(expanded);

        Assert.Equal(3, options.Epochs);
        Assert.Equal(TrainingOptions.DefaultModel, options.Model);
        Assert.False(options.EpochReport);
        Assert.Null(options.Recipe);
    }

    [Fact]
    public void UnknownRecipe_IsRejected()
    {
        var command = new TrainCommand(new Option<bool>("--verbose"));
        ParseResult parsed = command.Command.Parse(new[] { "--recipe", "vit-finetune" });

        var error = Assert.Throws<UserInputException>(() => command.ApplyRecipe(parsed));

        Assert.Equal("--recipe 'vit-finetune' is unknown: expected one of resnet18-finetune", error.Message);
    }

    [Fact]
    public void EveryRecipe_UsesKnownOptions()
    {
        var command = new TrainCommand(new Option<bool>("--verbose"));
        foreach (TrainingRecipes.Recipe recipe in TrainingRecipes.All)
        {
            string[] tokens = recipe.Options.SelectMany(entry => new[] { entry.Key, entry.Value }).ToArray();

            ParseResult parsed = command.Command.Parse(tokens);

            Assert.True(parsed.Errors.Count == 0, $"{recipe.Name}: {string.Join("; ", parsed.Errors.Select(error => error.Message))}");
            Assert.Equal(recipe.Options.Count, recipe.Options.Select(entry => entry.Key).Distinct().Count());
        }
    }

    [Fact]
    public void RecipeModel_IsCheckedLikeTypedModel()
    {
        (TrainCommand command, ParseResult expanded) = Expand("--recipe", "resnet18-finetune");

        TrainingOptions options = command.ReadOptions(expanded);

        // The recipe names resnet18 as text, so the usual --model check accepts it exactly when ModelFactory has that architecture.
        bool known = Negentropy.Models.ModelFactory.Architectures.Contains("resnet18");
        Assert.Equal(known, !options.Validate().Any(problem => problem.StartsWith("--model 'resnet18' is unknown", StringComparison.Ordinal)));
    }
}
