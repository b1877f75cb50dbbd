namespace Negentropy.Data;

/// <summary>A text dataset's training and test sets, with a description of where they came from.</summary>
public sealed record TextDatasetPair(TextDataset Train, TextDataset Test, string Source)
{
    /// <summary>Row counts and decisions the loader made, one line each for the run log.</summary>
    public IReadOnlyList<string> Notes { get; init; } = Array.Empty<string>();
}
