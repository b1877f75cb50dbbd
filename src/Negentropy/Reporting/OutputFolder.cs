namespace Negentropy.Reporting;

/// <summary>Checks that an output folder can be created before any work starts.</summary>
public static class OutputFolder
{
    /// <summary>Throws a <see cref="UserInputException"/> when <paramref name="path"/> is empty, a file, or below a file.</summary>
    public static void RequireCreatable(string path, string option = "--out")
    {
        if (string.IsNullOrWhiteSpace(path))
        {
            throw new UserInputException($"{option} is empty; pass a folder for the outputs");
        }
        if (File.Exists(path))
        {
            throw new UserInputException($"{option} {path} is a file; pass a folder for the outputs");
        }
        for (string? ancestor = Path.GetDirectoryName(Path.GetFullPath(path)); ancestor is not null; ancestor = Path.GetDirectoryName(ancestor))
        {
            if (File.Exists(ancestor))
            {
                throw new UserInputException($"{option} {path}: {ancestor} is a file, so the folder cannot be created there");
            }
            if (Directory.Exists(ancestor))
            {
                break;
            }
        }
    }
}
