using System.Globalization;

namespace Negentropy.Data;

/// <summary>Labelled texts: <see cref="Labels"/> contains indices into <see cref="ClassNames"/>, one per text.</summary>
public sealed record TextDataset(IReadOnlyList<string> Texts, int[] Labels, IReadOnlyList<string> ClassNames)
{
    public IReadOnlyList<string> Texts { get; init; } = Texts.Count == Labels.Length
        ? Texts
        : throw new ArgumentException($"{Texts.Count} texts but {Labels.Length} labels", nameof(Texts));

    public int[] Labels { get; init; } = Array.FindIndex(Labels, label => label < 0 || label >= ClassNames.Count) is int bad and >= 0
        ? throw new ArgumentException($"label {Labels[bad]} at index {bad} is outside 0 to {ClassNames.Count - 1}", nameof(Labels))
        : Labels;

    public int Count => Labels.Length;

    public int NumClasses => ClassNames.Count;

    /// <summary>Returns the texts at <paramref name="indices"/>, in that order, as a new dataset with the same classes.</summary>
    public TextDataset Subset(IReadOnlyList<int> indices)
    {
        var texts = new string[indices.Count];
        var labels = new int[indices.Count];
        for (int i = 0; i < indices.Count; i++)
        {
            texts[i] = Texts[indices[i]];
            labels[i] = Labels[indices[i]];
        }
        return new TextDataset(texts, labels, ClassNames);
    }

    /// <summary>
    /// Builds the training and test sets. The classes are the distinct training labels sorted
    /// ordinally. With a <paramref name="test"/> table, each of its labels must be one of them. Without
    /// one, a stratified split with <paramref name="seed"/> moves <paramref name="testFraction"/> of each
    /// class of <paramref name="train"/> to the test set (see <see cref="StratifiedSplit"/>).
    /// </summary>
    /// <param name="testFraction">Share of the training rows used as the test set when <paramref name="test"/> is null, greater than 0 and less than 1.</param>
    public static TextDatasetPair FromTables(TextTable train, TextTable? test, double testFraction, int seed)
    {
        if (train.Count == 0)
        {
            throw new UserInputException($"{train.Source}: no rows with a label ({train.Rows} rows, {train.EmptyLabels} with an empty label); check the label column");
        }
        string[] classNames = train.Labels.Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal).ToArray();
        if (classNames.Length < 2)
        {
            throw new UserInputException($"{train.Source}: every labelled row has the label '{classNames[0]}'; a classifier needs at least 2 classes");
        }
        var classIndex = new Dictionary<string, int>(StringComparer.Ordinal);
        for (int k = 0; k < classNames.Length; k++)
        {
            classIndex[classNames[k]] = k;
        }
        var all = new TextDataset(train.Texts, train.Labels.Select(label => classIndex[label]).ToArray(), classNames);
        var notes = new List<string> { Describe(train) };

        if (test is not null)
        {
            if (test.Count == 0)
            {
                throw new UserInputException($"{test.Source}: no rows with a label ({test.Rows} rows, {test.EmptyLabels} with an empty label); check the label column");
            }
            notes.Add(Describe(test));
            var testLabels = new int[test.Count];
            for (int i = 0; i < test.Count; i++)
            {
                testLabels[i] = classIndex.TryGetValue(test.Labels[i], out int k)
                    ? k
                    : throw new UserInputException($"{test.Locate(i)}: label '{test.Labels[i]}' does not occur in the training data {train.Source}, whose classes are {ListClasses(classNames)}; fix the label or add training rows for it");
            }
            return new TextDatasetPair(all, new TextDataset(test.Texts, testLabels, classNames), $"{train.Source} (test set {test.Source})") { Notes = notes };
        }

        if (!(testFraction > 0 && testFraction < 1))
        {
            throw new UserInputException(string.Create(CultureInfo.InvariantCulture,
                $"test fraction {testFraction} is invalid; expected a number greater than 0 and less than 1, or a separate test file"));
        }
        (int[] trainIndices, int[] testIndices) = StratifiedSplit.Split(all.Labels, testFraction, seed);
        if (testIndices.Length == 0)
        {
            throw new UserInputException(string.Create(CultureInfo.InvariantCulture,
                $"{train.Source}: a test fraction of {testFraction} of {all.Count} rows leaves no test rows; give a separate test file with --test-data"));
        }
        TextDataset trainSet = all.Subset(trainIndices);
        for (int k = 0; k < classNames.Length; k++)
        {
            if (!trainSet.Labels.Contains(k))
            {
                notes.Add($"class '{classNames[k]}' has {all.Labels.Count(label => label == k)} row(s), all of which went to the test split, so the model sees no training example of it");
            }
        }
        string percent = (testFraction * 100).ToString("0.##", CultureInfo.InvariantCulture);
        notes.Add(string.Create(CultureInfo.InvariantCulture,
            $"test set: {testIndices.Length} rows ({percent}% of each class, stratified, seed {seed}) from {train.Source}; {trainIndices.Length} rows remain for training"));
        return new TextDatasetPair(trainSet, all.Subset(testIndices), string.Create(CultureInfo.InvariantCulture, $"{train.Source} ({percent}% stratified test split, seed {seed})"))
        {
            Notes = notes,
        };
    }

    private static string Describe(TextTable table) =>
        string.Create(CultureInfo.InvariantCulture,
            $"{table.Source}: {table.Rows} rows, {table.EmptyLabels} dropped for an empty label, {table.EmptyTexts} kept with an empty text");

    private static string ListClasses(IReadOnlyList<string> classNames) =>
        classNames.Count <= 20
            ? string.Join(", ", classNames.Select(name => $"'{name}'"))
            : string.Join(", ", classNames.Take(20).Select(name => $"'{name}'")) + $" and {classNames.Count - 20} more";
}
