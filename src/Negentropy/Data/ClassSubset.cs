using System.Globalization;
using System.Text.RegularExpressions;

namespace Negentropy.Data;

/// <summary>
/// A selection of a dataset's classes (<c>train --classes</c>). Samples of other classes are dropped, and the
/// selected classes are relabelled 0 to k−1 in the order given, keeping their names.
/// </summary>
/// <remarks>
/// The value is a comma-separated list of items. An item of digits is a 0-based class index, and "N-M" is the
/// indices N to M inclusive. Any other item is a class name, matched exactly or else case-insensitively when
/// only one class matches that way. So a class whose name is a number is selected by its index.
/// </remarks>
public sealed partial class ClassSubset
{
    private readonly int[] newLabelBySource;

    private ClassSubset(string value, IReadOnlyList<int> sourceIndices, IReadOnlyList<string> sourceClassNames)
    {
        Value = value;
        SourceIndices = sourceIndices;
        SourceClassCount = sourceClassNames.Count;
        ClassNames = sourceIndices.Select(index => sourceClassNames[index]).ToArray();
        newLabelBySource = Enumerable.Repeat(-1, sourceClassNames.Count).ToArray();
        for (int label = 0; label < sourceIndices.Count; label++)
        {
            newLabelBySource[sourceIndices[label]] = label;
        }
    }

    /// <summary>The --classes value as given.</summary>
    public string Value { get; }

    /// <summary>The original class index of each new label: label i was class SourceIndices[i].</summary>
    public IReadOnlyList<int> SourceIndices { get; }

    /// <summary>The names of the selected classes, in the order of the new labels.</summary>
    public IReadOnlyList<string> ClassNames { get; }

    /// <summary>Number of classes in the data before the selection.</summary>
    public int SourceClassCount { get; }

    /// <summary>
    /// Resolves <paramref name="value"/> against the data's <paramref name="classNames"/>. Throws a
    /// <see cref="UserInputException"/> for an empty item, a reversed range, an index out of range, an
    /// unknown name, a class selected twice, or fewer than 2 classes.
    /// </summary>
    public static ClassSubset Parse(string value, IReadOnlyList<string> classNames)
    {
        string[] items = value.Split(',', StringSplitOptions.TrimEntries);
        if (items.All(item => item.Length == 0))
        {
            throw new UserInputException("--classes is empty: pass class indices such as 0-4, a list such as 5,6,7, or class names");
        }

        var selected = new List<int>();
        foreach (string item in items)
        {
            foreach (int index in ResolveItem(value, item, classNames))
            {
                if (selected.Contains(index))
                {
                    throw new UserInputException($"--classes '{value}' selects class {index} ('{classNames[index]}') twice; list each class once");
                }
                selected.Add(index);
            }
        }
        if (selected.Count < 2)
        {
            throw new UserInputException($"--classes '{value}' selects {selected.Count} class; a classifier needs at least 2");
        }
        return new ClassSubset(value, selected, classNames);
    }

    /// <summary>Returns the samples of the selected classes, in their original order, with the new labels and names.</summary>
    public ImageDataset Apply(ImageDataset data)
    {
        RequireSameClassCount(data.NumClasses);
        ImageDataset subset = data.Subset(KeptSamples(data.Labels));
        int[] labels = subset.Labels.Select(label => newLabelBySource[label]).ToArray();
        return new ImageDataset(subset.Pixels, labels, subset.Channels, subset.Height, subset.Width, ClassNames);
    }

    /// <summary>Returns the texts of the selected classes, in their original order, with the new labels and names.</summary>
    public TextDataset Apply(TextDataset data)
    {
        RequireSameClassCount(data.NumClasses);
        TextDataset subset = data.Subset(KeptSamples(data.Labels));
        int[] labels = subset.Labels.Select(label => newLabelBySource[label]).ToArray();
        return new TextDataset(subset.Texts, labels, ClassNames);
    }

    /// <summary>Applies the selection to both the training and the test set.</summary>
    public ImageDatasetPair Apply(ImageDatasetPair pair) => pair with { Train = Apply(pair.Train), Test = Apply(pair.Test) };

    /// <summary>Lists the selection for the run log, such as "5 Sandal → 0, 7 Sneaker → 1".</summary>
    public string Describe() =>
        string.Join(", ", SourceIndices.Select((source, label) => string.Create(CultureInfo.InvariantCulture, $"{source} {ClassNames[label]} → {label}")));

    private static IEnumerable<int> ResolveItem(string value, string item, IReadOnlyList<string> classNames)
    {
        if (item.Length == 0)
        {
            throw new UserInputException($"--classes '{value}' has an empty item; separate indices, ranges and names with single commas");
        }
        Match range = RangePattern().Match(item);
        if (range.Success)
        {
            int first = ParseIndex(value, range.Groups[1].Value, classNames.Count);
            int last = ParseIndex(value, range.Groups[2].Value, classNames.Count);
            if (last < first)
            {
                throw new UserInputException($"--classes '{value}': the range {item} is reversed; write the lower index first, as in {last}-{first}");
            }
            return Enumerable.Range(first, last - first + 1);
        }
        if (IndexPattern().IsMatch(item))
        {
            return new[] { ParseIndex(value, item, classNames.Count) };
        }
        return new[] { FindName(value, item, classNames) };
    }

    private static int ParseIndex(string value, string digits, int classCount)
    {
        bool parsed = int.TryParse(digits, NumberStyles.None, CultureInfo.InvariantCulture, out int index);
        if (!parsed || index >= classCount)
        {
            throw new UserInputException($"--classes '{value}': class index {digits} is out of range; the data has classes 0 to {classCount - 1}");
        }
        return index;
    }

    private static int FindName(string value, string name, IReadOnlyList<string> classNames)
    {
        for (int k = 0; k < classNames.Count; k++)
        {
            if (string.Equals(classNames[k], name, StringComparison.Ordinal))
            {
                return k;
            }
        }
        int[] caseless = Enumerable.Range(0, classNames.Count)
            .Where(k => string.Equals(classNames[k], name, StringComparison.OrdinalIgnoreCase)).ToArray();
        if (caseless.Length == 1)
        {
            return caseless[0];
        }
        string listed = classNames.Count <= 20
            ? string.Join(", ", classNames.Select(known => $"'{known}'"))
            : string.Join(", ", classNames.Take(20).Select(known => $"'{known}'")) + $" and {classNames.Count - 20} more";
        throw new UserInputException($"--classes '{value}': no class is named '{name}'; the classes are {listed}, or pass indices 0 to {classNames.Count - 1}");
    }

    private int[] KeptSamples(int[] labels) =>
        Enumerable.Range(0, labels.Length).Where(i => newLabelBySource[labels[i]] >= 0).ToArray();

    private void RequireSameClassCount(int numClasses)
    {
        if (numClasses != SourceClassCount)
        {
            throw new ArgumentException($"the selection was resolved against {SourceClassCount} classes, but the data has {numClasses}");
        }
    }

    [GeneratedRegex(@"^([0-9]+)-([0-9]+)$")]
    private static partial Regex RangePattern();

    [GeneratedRegex(@"^[0-9]+$")]
    private static partial Regex IndexPattern();
}
