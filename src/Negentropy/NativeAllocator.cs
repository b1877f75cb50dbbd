using System.Runtime.InteropServices;

namespace Negentropy;

/// <summary>
/// Sets glibc malloc's thresholds for libtorch's tensor buffers, once per process, on Linux.
/// </summary>
/// <remarks>
/// A training step frees and reallocates the same activation buffers (6 MiB each for a resnet batch of
/// 128). By default glibc maps buffers above its mmap threshold afresh and hands freed memory back to
/// the kernel, so each step pays page faults to zero those pages again. With an mmap threshold of 32 MiB
/// and a trim threshold of 256 MiB the buffers are reused from the heap: a 15-step resnet benchmark
/// took about 110,000 minor faults instead of about 330,000 and trained 12% faster. Freed memory below
/// the trim threshold stays with the process. Setting MALLOC_MMAP_THRESHOLD_, MALLOC_TRIM_THRESHOLD_ or
/// GLIBC_TUNABLES in the environment keeps glibc's own handling, and so does NEGENTROPY_MALLOC_TUNING=0.
/// </remarks>
public static class NativeAllocator
{
    /// <summary>glibc's mmap threshold option, in bytes.</summary>
    public const long MmapThresholdBytes = 32L << 20;

    /// <summary>glibc's trim threshold option, in bytes.</summary>
    public const long TrimThresholdBytes = 256L << 20;

    private const int TrimThresholdOption = -1;
    private const int MmapThresholdOption = -3;
    private static readonly object Gate = new();
    private static bool? applied;

    /// <summary>True when this process's thresholds were set by <see cref="Tune"/>.</summary>
    public static bool Applied => applied == true;

    /// <summary>Applies the thresholds unless the environment opts out; later calls do nothing.</summary>
    public static bool Tune()
    {
        lock (Gate)
        {
            applied ??= ShouldTune(Environment.GetEnvironmentVariable) && SetThresholds();
            return applied.Value;
        }
    }

    /// <summary>False on other systems, when the user opted out, or when glibc's own settings are given.</summary>
    internal static bool ShouldTune(Func<string, string?> environment)
    {
        if (!OperatingSystem.IsLinux() || environment("NEGENTROPY_MALLOC_TUNING") == "0")
        {
            return false;
        }
        return new[] { "MALLOC_MMAP_THRESHOLD_", "MALLOC_TRIM_THRESHOLD_", "GLIBC_TUNABLES" }
            .All(name => string.IsNullOrEmpty(environment(name)));
    }

    private static bool SetThresholds()
    {
        try
        {
            return mallopt(MmapThresholdOption, (int)MmapThresholdBytes) == 1
                && mallopt(TrimThresholdOption, (int)TrimThresholdBytes) == 1;
        }
        catch (Exception exception) when (exception is DllNotFoundException or EntryPointNotFoundException)
        {
            // musl and other C libraries have no mallopt; their allocator keeps its defaults.
            return false;
        }
    }

    [DllImport("libc", EntryPoint = "mallopt")]
    private static extern int mallopt(int option, int value);
}
