using Negentropy.Build;
using TorchSharp;

namespace Negentropy;

/// <summary>Loads libtorch once and applies process-wide settings: malloc thresholds, thread count and seed.</summary>
public static class TorchRuntime
{
    private const string BridgeLibrary = "libLibTorchSharp.so";

    /// <summary>
    /// Loads the native libraries, or throws an <see cref="InvalidOperationException"/> whose message states
    /// the cause and the fix.
    /// </summary>
    /// <remarks>
    /// When the first load fails, unpatched copies of libLibTorchSharp.so in this application's folders
    /// (including the cpu/ folder of TorchSharp's fallback loader) get the same GLIBCXX_3.4.32 fix as the
    /// build applies, and the load is tried once more. Copies in the NuGet packages folder are left alone.
    /// </remarks>
    public static void EnsureLoaded()
    {
        NativeAllocator.Tune();
        try
        {
            torch.InitializeDeviceType(DeviceType.CPU);
            return;
        }
        catch (Exception exception) when (IsLoadFailure(exception)
            && PatchApplicationCopies(AppFolders(), NuGetPackagesFolder(), ElfVersionNeedPatcher.SystemLibstdcxxProvides(ElfVersionNeedPatcher.TargetVersion)) > 0)
        {
            // Patched a local copy, so the second attempt below can succeed.
        }
        catch (Exception exception) when (IsLoadFailure(exception))
        {
            throw LoadFailed(exception);
        }

        try
        {
            torch.InitializeDeviceType(DeviceType.CPU);
        }
        catch (Exception exception) when (IsLoadFailure(exception))
        {
            throw LoadFailed(exception);
        }
    }

    /// <summary>Sets libtorch's intra-op thread count and seeds its global generator.</summary>
    public static void Configure(int threads, int seed)
    {
        EnsureLoaded();
        torch.set_num_threads(threads);
        torch.manual_seed(seed);
    }

    /// <summary>
    /// Weakens the GLIBCXX_3.4.32 need of each libLibTorchSharp.so directly in <paramref name="folders"/> or
    /// in their cpu/ subfolders, skipping anything below <paramref name="protectedRoot"/>, unless the system
    /// libstdc++ provides that version. Returns the number of files patched.
    /// </summary>
    internal static int PatchApplicationCopies(IEnumerable<string> folders, string? protectedRoot, bool systemProvidesVersion)
    {
        if (!OperatingSystem.IsLinux() || systemProvidesVersion)
        {
            return 0;
        }

        int patched = 0;
        foreach (string folder in folders.Distinct())
        {
            foreach (string candidate in new[] { Path.Combine(folder, BridgeLibrary), Path.Combine(folder, "cpu", BridgeLibrary) })
            {
                string full = Path.GetFullPath(candidate);
                bool isProtected = protectedRoot is not null
                    && full.StartsWith(Path.GetFullPath(protectedRoot) + Path.DirectorySeparatorChar, StringComparison.Ordinal);
                if (isProtected || !File.Exists(full))
                {
                    continue;
                }
                if (ElfVersionNeedPatcher.MakeVersionNeedWeak(full, ElfVersionNeedPatcher.TargetVersion) == VersionNeedPatchResult.Patched)
                {
                    patched++;
                }
            }
        }
        return patched;
    }

    private static IEnumerable<string> AppFolders()
    {
        string baseFolder = AppContext.BaseDirectory;
        yield return baseFolder;
        yield return Path.Combine(baseFolder, "runtimes", "linux-x64", "native");
        string? torchSharpFolder = Path.GetDirectoryName(typeof(torch).Assembly.Location);
        if (!string.IsNullOrEmpty(torchSharpFolder))
        {
            yield return torchSharpFolder;
        }
    }

    private static string NuGetPackagesFolder() =>
        Environment.GetEnvironmentVariable("NUGET_PACKAGES")
        ?? Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".nuget", "packages");

    private static bool IsLoadFailure(Exception exception) =>
        exception is NotSupportedException or DllNotFoundException or TypeInitializationException or EntryPointNotFoundException;

    private static InvalidOperationException LoadFailed(Exception exception) => new(
        "libtorch failed to load: " + FirstLine(exception.GetBaseException().Message)
        + ". Build through ./negentropy or 'dotnet build', which patch libLibTorchSharp.so for a libstdc++ older than GCC 13's", exception);

    private static string FirstLine(string text)
    {
        int end = text.IndexOfAny(new[] { '\r', '\n' });
        return (end < 0 ? text : text[..end]).TrimEnd('.');
    }
}
