namespace Negentropy.Data;

/// <summary>A dataset's training and test sets, with a description of where they came from.</summary>
public sealed record ImageDatasetPair(ImageDataset Train, ImageDataset Test, string Source);
