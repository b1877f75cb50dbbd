namespace Negentropy.Training;

/// <summary>
/// Named presets of <c>train</c> options (<c>--recipe</c>). A recipe is a list of command-line options with
/// their values. The CLI adds each one that the command line does not give itself, so options given
/// explicitly override the preset.
/// </summary>
/// <remarks>
/// The values are command-line text, so a recipe may name a model that this build does not have: the
/// usual option checks then reject it, as they would reject the same value typed by hand.
/// </remarks>
public static class TrainingRecipes
{
    /// <summary>A preset: its name, a one-line summary, and the options it sets, as command-line option names and values.</summary>
    public sealed record Recipe(string Name, string Summary, IReadOnlyList<KeyValuePair<string, string>> Options);

    public static IReadOnlyList<Recipe> All { get; } = new[]
    {
        new Recipe(
            "resnet18-finetune",
            "ResNet-18 with AdamW, learning rate 2e-5, batch size 16, 5 epochs, a progress bar and the validation classification report after each epoch",
            new KeyValuePair<string, string>[]
            {
                new("--model", "resnet18"),
                new("--optimizer", "adamw"),
                new("--lr", "2e-5"),
                new("--batch-size", "16"),
                new("--epochs", "5"),
                new("--progress", "bar"),
                new("--epoch-report", "true"),
            }),
    };

    /// <summary>Returns the recipe named <paramref name="name"/> (case-insensitive), or null.</summary>
    public static Recipe? Find(string name) =>
        All.FirstOrDefault(recipe => string.Equals(recipe.Name, name, StringComparison.OrdinalIgnoreCase));
}
