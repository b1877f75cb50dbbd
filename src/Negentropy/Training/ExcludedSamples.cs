using Negentropy.Data;
using Negentropy.Reporting;

namespace Negentropy.Training;

/// <summary><c>train --exclude FILE</c>: leaves out the training samples a label-issues file lists.</summary>
public static class ExcludedSamples
{
    /// <summary>
    /// Removes the samples that <paramref name="file"/> lists from <paramref name="full"/>. Indices refer
    /// to the training data as given (after --limit), before the validation split.
    /// </summary>
    public static (ImageDataset Kept, RunReport.Exclusion Excluded) Remove(ImageDataset full, string file, int? limit)
    {
        IReadOnlyList<Cleaning.LabelIssuesCsv.Listed> listed = Cleaning.LabelIssuesCsv.ReadListed(file);
        string hint = limit is null ? "" : $" (with --limit {limit})";
        foreach (Cleaning.LabelIssuesCsv.Listed entry in listed)
        {
            if (entry.Index >= full.Count)
            {
                throw new UserInputException($"--exclude {file}: index {entry.Index} is out of range; the training data{hint} has samples 0 to {full.Count - 1}; clean the same data you train on");
            }
            string actual = full.ClassNames[full.Labels[entry.Index]];
            if (entry.GivenLabel is string given && given != actual)
            {
                throw new UserInputException($"--exclude {file} line {entry.Line}: sample {entry.Index} has given_label '{given}', but the training data{hint} labels it '{actual}'; the file comes from other data");
            }
        }
        IReadOnlyList<int> indices = listed.Select(entry => entry.Index).Distinct().ToArray();
        var removed = new HashSet<int>(indices);
        int[] kept = Enumerable.Range(0, full.Count).Where(index => !removed.Contains(index)).ToArray();
        if (kept.Length < 2)
        {
            throw new UserInputException($"--exclude {file} removes {removed.Count} of {full.Count} training samples, which leaves too few to train on");
        }
        var perClass = full.ClassNames.ToDictionary(name => name, _ => 0);
        foreach (int index in removed)
        {
            perClass[full.ClassNames[full.Labels[index]]]++;
        }
        return (full.Subset(kept), new RunReport.Exclusion(Path.GetFullPath(file), indices.Order().ToArray(), perClass));
    }
}
