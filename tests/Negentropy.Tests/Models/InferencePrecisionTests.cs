using Negentropy.Models;
using Xunit;

namespace Negentropy.Tests.Models;

/// <summary>--precision values and the CPU check behind bf16, on /proc/cpuinfo text written by the tests.</summary>
public sealed class InferencePrecisionTests : IDisposable
{
    private const string Bf16CpuInfo = "processor\t: 0\nvendor_id\t: GenuineIntel\nflags\t\t: fpu sse2 avx2 avx512f avx512_bf16 avx512_vnni\n\nprocessor\t: 1\nflags\t\t: fpu sse2\n";
    private const string AmxCpuInfo = "processor\t: 0\nflags\t\t: fpu avx512f amx_bf16 amx_tile amx_int8\n";
    private const string Avx2CpuInfo = "processor\t: 0\nflags\t\t: fpu sse2 avx avx2 fma\nbugs\t\t: spectre_v1\n";

    private readonly TemporaryFolder folder = new();

    public void Dispose() => folder.Dispose();

    [Theory]
    [InlineData("fp32", "fp32")]
    [InlineData("bf16", "bf16")]
    [InlineData("BF16", "bf16")]
    public void Parse_AcceptsBothNames(string value, string name)
    {
        Assert.Equal(name, InferencePrecision.Parse(value).Name);
    }

    [Theory]
    [InlineData("fp16")]
    [InlineData("bfloat16")]
    [InlineData("")]
    public void Parse_RejectsOtherNames(string value)
    {
        var exception = Assert.Throws<UserInputException>(() => InferencePrecision.Parse(value));

        Assert.Equal($"--precision {value} is unknown: expected fp32 or bf16", exception.Message);
    }

    [Fact]
    public void CpuFeatures_ReadsTheFirstFlagsLine()
    {
        CpuFeatures cpu = CpuFeatures.Parse(Bf16CpuInfo, "test");

        Assert.NotNull(cpu.Flags);
        Assert.Contains("avx512_bf16", cpu.Flags!);
        Assert.Equal(6, cpu.Flags!.Count);
        Assert.True(cpu.HasBFloat16);
    }

    [Theory]
    [InlineData(Bf16CpuInfo, true)]
    [InlineData(AmxCpuInfo, true)]
    [InlineData(Avx2CpuInfo, false)]
    [InlineData("processor\t: 0\n", false)]
    public void CpuFeatures_FindsBFloat16Instructions(string cpuInfo, bool expected)
    {
        Assert.Equal(expected, CpuFeatures.Parse(cpuInfo, "test").HasBFloat16);
    }

    [Fact]
    public void Bf16_PassesOnABFloat16Cpu()
    {
        InferencePrecision.BFloat16.EnsureSupported(CpuFeatures.Parse(AmxCpuInfo, "test"));
        InferencePrecision.Float32.EnsureSupported(CpuFeatures.Parse(Avx2CpuInfo, "test"));
    }

    [Fact]
    public void Bf16_IsRejectedWithoutBFloat16Flags()
    {
        string path = folder.Combine("cpuinfo");
        File.WriteAllText(path, Avx2CpuInfo);

        var exception = Assert.Throws<UserInputException>(() => InferencePrecision.BFloat16.EnsureSupported(CpuFeatures.Read(path)));

        Assert.Equal($"--precision bf16 needs a CPU with AVX-512 BF16 or AMX-BF16, but the flags in {path} have neither avx512_bf16 nor amx_bf16, so oneDNN would emulate bfloat16 slowly; use --precision fp32", exception.Message);
    }

    [Fact]
    public void Bf16_IsRejectedWhenFlagsAreUnknown()
    {
        var cpu = new CpuFeatures("Win32NT, which has no /proc/cpuinfo", null);

        var exception = Assert.Throws<UserInputException>(() => InferencePrecision.BFloat16.EnsureSupported(cpu));

        Assert.False(cpu.HasBFloat16);
        Assert.Equal("--precision bf16 runs on Linux only, where /proc/cpuinfo shows whether the CPU has bfloat16 instructions, but this is Win32NT, which has no /proc/cpuinfo; use --precision fp32", exception.Message);
    }

    [Fact]
    public void CpuFeatures_MissingFileIsAUserError()
    {
        string path = folder.Combine("absent");

        var exception = Assert.Throws<UserInputException>(() => CpuFeatures.Read(path));

        Assert.StartsWith($"{path}: cannot read the CPU flags (", exception.Message);
        Assert.EndsWith("; use --precision fp32", exception.Message);
    }
}
