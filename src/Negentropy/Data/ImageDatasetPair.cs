namespace Negentropy.Data;

/// <summary>A dataset's training and test sets, with a description of where they came from.</summary>
public sealed record ImageDatasetPair(ImageDataset Train, ImageDataset Test, string Source)
{
    /// <summary>Decisions the loader made, such as an image size or skipped files, one line each for the run log.</summary>
    public IReadOnlyList<string> Notes { get; init; } = Array.Empty<string>();
}
