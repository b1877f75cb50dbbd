using Xunit;

namespace Negentropy.Tests;

/// <summary>glibc malloc thresholds: set when libtorch loads, except where the environment opts out.</summary>
public sealed class NativeAllocatorTests
{
    [Theory]
    [InlineData(null, null, null, null, true)]
    [InlineData("0", null, null, null, false)]
    [InlineData("1", null, null, null, true)]
    [InlineData(null, "65536", null, null, false)]
    [InlineData(null, null, "131072", null, false)]
    [InlineData(null, null, null, "glibc.malloc.arena_max=2", false)]
    public void ShouldTune_HonorsEnvironmentOptOuts(string? optOut, string? mmap, string? trim, string? tunables, bool expected)
    {
        var environment = new Dictionary<string, string?>
        {
            ["NEGENTROPY_MALLOC_TUNING"] = optOut,
            ["MALLOC_MMAP_THRESHOLD_"] = mmap,
            ["MALLOC_TRIM_THRESHOLD_"] = trim,
            ["GLIBC_TUNABLES"] = tunables,
        };

        Assert.Equal(expected && OperatingSystem.IsLinux(), NativeAllocator.ShouldTune(name => environment.GetValueOrDefault(name)));
    }

    [Fact]
    public void EnsureLoaded_AppliesThresholds()
    {
        TorchRuntime.EnsureLoaded();

        // mallopt returns 1 only when glibc accepted a value, so Applied reports whether glibc accepted both thresholds.
        Assert.Equal(NativeAllocator.ShouldTune(Environment.GetEnvironmentVariable), NativeAllocator.Applied);
        Assert.Equal(NativeAllocator.Applied, NativeAllocator.Tune());
    }
}
