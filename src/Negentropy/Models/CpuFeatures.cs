namespace Negentropy.Models;

/// <summary>The instruction-set flags of the CPU, as Linux lists them in /proc/cpuinfo.</summary>
public sealed class CpuFeatures
{
    public const string CpuInfoPath = "/proc/cpuinfo";

    /// <summary>
    /// An environment variable that names a file to read in place of /proc/cpuinfo, in the same format.
    /// The tests set it to simulate a CPU without bfloat16 instructions.
    /// </summary>
    public const string CpuInfoVariable = "NEGENTROPY_CPUINFO";

    private static readonly string[] BFloat16Flags = { "avx512_bf16", "amx_bf16" };

    /// <param name="source">Where the flags came from, such as /proc/cpuinfo, for error messages.</param>
    /// <param name="flags">The flags, or null when the operating system does not list them (not Linux).</param>
    public CpuFeatures(string source, IEnumerable<string>? flags)
    {
        Source = source;
        Flags = flags?.ToHashSet(StringComparer.Ordinal);
    }

    /// <summary>The file the flags were read from, or the reason there are none.</summary>
    public string Source { get; }

    /// <summary>The CPU flags, or null when they are unknown because the operating system is not Linux.</summary>
    public IReadOnlySet<string>? Flags { get; }

    /// <summary>
    /// True when the CPU has bfloat16 dot-product instructions (AVX-512 BF16 or AMX-BF16). Without them
    /// bfloat16 inference is emulated and slower than fp32, as Intel's OpenVINO bfloat16 guide states for
    /// AVX-512 CPUs without avx512_bf16.
    /// </summary>
    public bool HasBFloat16 => Flags is not null && BFloat16Flags.Any(Flags.Contains);

    /// <summary>
    /// Reads the flags of this machine: from the file in <see cref="CpuInfoVariable"/> when it is set, else
    /// from /proc/cpuinfo on Linux. On other systems the flags are unknown.
    /// </summary>
    public static CpuFeatures Current()
    {
        string? overridePath = Environment.GetEnvironmentVariable(CpuInfoVariable);
        if (!string.IsNullOrEmpty(overridePath))
        {
            return Read(overridePath);
        }
        return OperatingSystem.IsLinux()
            ? Read(CpuInfoPath)
            : new CpuFeatures($"{Environment.OSVersion.Platform}, which has no {CpuInfoPath}", null);
    }

    /// <summary>Reads a file in /proc/cpuinfo's format; throws <see cref="UserInputException"/> when it is missing.</summary>
    public static CpuFeatures Read(string path)
    {
        try
        {
            return Parse(File.ReadAllText(path), path);
        }
        catch (Exception exception) when (exception is IOException or UnauthorizedAccessException)
        {
            throw new UserInputException($"{path}: cannot read the CPU flags ({exception.Message}); use --precision fp32", exception);
        }
    }

    /// <summary>
    /// Parses /proc/cpuinfo text: the flags are the words after the colon of the first line whose key is
    /// "flags". Text without such a line gives an empty set.
    /// </summary>
    public static CpuFeatures Parse(string cpuInfo, string source)
    {
        foreach (string line in cpuInfo.Split('\n'))
        {
            int colon = line.IndexOf(':', StringComparison.Ordinal);
            if (colon > 0 && line[..colon].Trim() == "flags")
            {
                return new CpuFeatures(source, line[(colon + 1)..].Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries));
            }
        }
        return new CpuFeatures(source, Array.Empty<string>());
    }
}
