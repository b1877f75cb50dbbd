using System.Security.Cryptography;
using Negentropy.Build;
using Xunit;

namespace Negentropy.Tests.Build;

public sealed class ElfVersionNeedPatcherTests : IDisposable
{
    private readonly TemporaryFolder folder = new();

    public void Dispose() => folder.Dispose();

    private static string NuGetCacheLibrary()
    {
        string packages = Environment.GetEnvironmentVariable("NUGET_PACKAGES")
            ?? Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".nuget", "packages");
        string path = Path.Combine(packages, "torchsharp", "0.107.0", "runtimes", "linux-x64", "native", "libLibTorchSharp.so");
        Assert.True(File.Exists(path), $"TorchSharp's native library is not in the NuGet cache at {path}");
        return path;
    }

    [Fact]
    public void Patch_SetsWeakFlagOnCopyOnly()
    {
        string original = NuGetCacheLibrary();
        byte[] originalHash = SHA256.HashData(File.ReadAllBytes(original));
        string copy = folder.Combine("libLibTorchSharp.so");
        File.Copy(original, copy);
        Assert.Equal((ushort)0, ElfVersionNeedPatcher.ReadVersionNeedFlags(copy, ElfVersionNeedPatcher.TargetVersion));

        VersionNeedPatchResult result = ElfVersionNeedPatcher.MakeVersionNeedWeak(copy, ElfVersionNeedPatcher.TargetVersion);

        Assert.Equal(VersionNeedPatchResult.Patched, result);
        Assert.Equal(ElfVersionNeedPatcher.WeakFlag, ElfVersionNeedPatcher.ReadVersionNeedFlags(copy, ElfVersionNeedPatcher.TargetVersion));
        Assert.Equal(originalHash, SHA256.HashData(File.ReadAllBytes(original)));
        Assert.Equal(new FileInfo(original).Length, new FileInfo(copy).Length);
    }

    [Fact]
    public void Patch_ChangesExactlyTheFlagBytes()
    {
        string copy = folder.Combine("libLibTorchSharp.so");
        File.Copy(NuGetCacheLibrary(), copy);
        byte[] before = File.ReadAllBytes(copy);

        ElfVersionNeedPatcher.MakeVersionNeedWeak(copy, ElfVersionNeedPatcher.TargetVersion);
        byte[] after = File.ReadAllBytes(copy);

        int[] changed = Enumerable.Range(0, before.Length).Where(i => before[i] != after[i]).ToArray();
        Assert.Single(changed);
        Assert.Equal(before[changed[0]] | ElfVersionNeedPatcher.WeakFlag, after[changed[0]]);
    }

    [Fact]
    public void Patch_SecondCallReportsAlreadyWeak()
    {
        string copy = folder.Combine("libLibTorchSharp.so");
        File.Copy(NuGetCacheLibrary(), copy);
        ElfVersionNeedPatcher.MakeVersionNeedWeak(copy, ElfVersionNeedPatcher.TargetVersion);
        byte[] once = File.ReadAllBytes(copy);

        VersionNeedPatchResult again = ElfVersionNeedPatcher.MakeVersionNeedWeak(copy, ElfVersionNeedPatcher.TargetVersion);

        Assert.Equal(VersionNeedPatchResult.AlreadyWeak, again);
        Assert.Equal(once, File.ReadAllBytes(copy));
    }

    [Fact]
    public void Patch_LeavesHardLinkedOriginalAlone()
    {
        string original = folder.Combine("original.so");
        File.Copy(NuGetCacheLibrary(), original);
        string link = folder.Combine("linked.so");
        Assert.Equal(0, Link(original, link));

        ElfVersionNeedPatcher.MakeVersionNeedWeak(link, ElfVersionNeedPatcher.TargetVersion);

        Assert.Equal((ushort)0, ElfVersionNeedPatcher.ReadVersionNeedFlags(original, ElfVersionNeedPatcher.TargetVersion));
        Assert.Equal(ElfVersionNeedPatcher.WeakFlag, ElfVersionNeedPatcher.ReadVersionNeedFlags(link, ElfVersionNeedPatcher.TargetVersion));
    }

    [Fact]
    public void Patch_LibraryWithoutNeedIsNotRequired()
    {
        string copy = folder.Combine("libc-user");
        File.Copy("/bin/ls", copy);
        byte[] before = File.ReadAllBytes(copy);

        VersionNeedPatchResult result = ElfVersionNeedPatcher.MakeVersionNeedWeak(copy, ElfVersionNeedPatcher.TargetVersion);

        Assert.Equal(VersionNeedPatchResult.NotRequired, result);
        Assert.Equal(before, File.ReadAllBytes(copy));
    }

    [Fact]
    public void Patch_RejectsNonElfAndTruncatedFiles()
    {
        string text = folder.Combine("not-elf.so");
        File.WriteAllText(text, "this is not an ELF file, just text that is long enough to pass the size check........");
        string truncated = folder.Combine("truncated.so");
        File.WriteAllBytes(truncated, File.ReadAllBytes(NuGetCacheLibrary()).AsSpan(0, 4096).ToArray());

        var notElf = Assert.Throws<InvalidDataException>(() => ElfVersionNeedPatcher.MakeVersionNeedWeak(text, ElfVersionNeedPatcher.TargetVersion));
        var cut = Assert.Throws<InvalidDataException>(() => ElfVersionNeedPatcher.MakeVersionNeedWeak(truncated, ElfVersionNeedPatcher.TargetVersion));

        Assert.Contains("not an ELF file", notElf.Message);
        Assert.Contains("truncated", cut.Message);
    }

    [Fact]
    public void BuildOutput_CopyIsWeakened()
    {
        string output = Path.Combine(AppContext.BaseDirectory, "runtimes", "linux-x64", "native", "libLibTorchSharp.so");
        Assert.True(File.Exists(output), $"the build did not copy {output}");
        ushort? flags = ElfVersionNeedPatcher.ReadVersionNeedFlags(output, ElfVersionNeedPatcher.TargetVersion);

        if (ElfVersionNeedPatcher.SystemLibstdcxxProvides(ElfVersionNeedPatcher.TargetVersion))
        {
            Assert.Equal((ushort)0, flags);
        }
        else
        {
            Assert.Equal(ElfVersionNeedPatcher.WeakFlag, flags);
        }
    }

    [Fact]
    public void RuntimeFallback_PatchesLocalCopiesNotCache()
    {
        string app = folder.Combine("app");
        string cache = folder.Combine("cache", "torchsharp", "lib");
        Directory.CreateDirectory(Path.Combine(app, "cpu"));
        Directory.CreateDirectory(cache);
        string appCopy = Path.Combine(app, "libLibTorchSharp.so");
        string fallbackCopy = Path.Combine(app, "cpu", "libLibTorchSharp.so");
        string cacheCopy = Path.Combine(cache, "libLibTorchSharp.so");
        foreach (string copy in new[] { appCopy, fallbackCopy, cacheCopy })
        {
            File.Copy(NuGetCacheLibrary(), copy);
        }

        int whenProvided = TorchRuntime.PatchApplicationCopies(new[] { app, cache }, folder.Combine("cache"), systemProvidesVersion: true);
        int patched = TorchRuntime.PatchApplicationCopies(new[] { app, cache }, folder.Combine("cache"), systemProvidesVersion: false);

        Assert.Equal(0, whenProvided);
        Assert.Equal(2, patched);
        Assert.Equal(ElfVersionNeedPatcher.WeakFlag, ElfVersionNeedPatcher.ReadVersionNeedFlags(appCopy, ElfVersionNeedPatcher.TargetVersion));
        Assert.Equal(ElfVersionNeedPatcher.WeakFlag, ElfVersionNeedPatcher.ReadVersionNeedFlags(fallbackCopy, ElfVersionNeedPatcher.TargetVersion));
        Assert.Equal((ushort)0, ElfVersionNeedPatcher.ReadVersionNeedFlags(cacheCopy, ElfVersionNeedPatcher.TargetVersion));
    }

    [System.Runtime.InteropServices.DllImport("libc", EntryPoint = "link", SetLastError = true)]
    private static extern int Link(string existing, string created);
}
