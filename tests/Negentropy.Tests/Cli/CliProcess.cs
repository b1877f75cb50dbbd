using System.Diagnostics;

namespace Negentropy.Tests.Cli;

/// <summary>Runs the negentropy CLI from the test output folder as a child process.</summary>
public static class CliProcess
{
    public sealed record Outcome(int ExitCode, string Output, string Error)
    {
        public string[] ErrorLines => Error.Split('\n', StringSplitOptions.RemoveEmptyEntries);
    }

    public static ProcessStartInfo StartInfo(params string[] arguments)
    {
        var start = new ProcessStartInfo("dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = AppContext.BaseDirectory,
        };
        start.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "Negentropy.Cli.dll"));
        foreach (string argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }
        start.Environment["CI"] = "true";
        return start;
    }

    /// <summary>Runs the CLI to completion, failing after <paramref name="timeout"/>.</summary>
    public static Outcome Run(TimeSpan timeout, params string[] arguments) => Run(timeout, new Dictionary<string, string>(), arguments);

    /// <summary>Runs the CLI with <paramref name="environment"/> added to its environment variables.</summary>
    public static Outcome Run(TimeSpan timeout, IReadOnlyDictionary<string, string> environment, params string[] arguments)
    {
        ProcessStartInfo start = StartInfo(arguments);
        foreach ((string name, string value) in environment)
        {
            start.Environment[name] = value;
        }
        using Process process = Process.Start(start)!;
        Task<string> output = process.StandardOutput.ReadToEndAsync();
        Task<string> error = process.StandardError.ReadToEndAsync();
        if (!process.WaitForExit(timeout))
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"negentropy {string.Join(' ', arguments)} did not finish within {timeout}");
        }
        return new Outcome(process.ExitCode, output.Result, error.Result);
    }

    public static Outcome Run(params string[] arguments) => Run(TimeSpan.FromMinutes(5), arguments);
}
