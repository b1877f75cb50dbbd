using System.Runtime.InteropServices;
using TorchSharp;
using Xunit;
using static TorchSharp.torch;

namespace Negentropy.Tests;

public sealed class TorchRuntimeTests
{
    [Fact]
    public void Torch_InitializesAndComputes()
    {
        TorchRuntime.EnsureLoaded();

        using Tensor a = torch.tensor(new float[] { 1, 2, 3, 4 }).reshape(2, 2);
        using Tensor product = a.matmul(a);

        Assert.Equal(new float[] { 7, 10, 15, 22 }, product.data<float>().ToArray());
        Assert.True(torch.get_num_threads() >= 1);
    }

    [Fact]
    public void LibtorchWarning_GoesToStderrWithoutCrash()
    {
        TorchRuntime.EnsureLoaded();
        string captured = Path.Combine(Path.GetTempPath(), $"negentropy-stderr-{Guid.NewGuid():N}.txt");
        using Tensor values = torch.arange(6).reshape(2, 3);
        using Tensor byteMask = torch.tensor(new byte[] { 1, 0 });

        long[] selectedShape;
        int savedStderr = Dup(2);
        Assert.True(savedStderr >= 0, "dup(2) failed");
        int file = Open(captured, OpenWriteCreateTruncate, Mode0644);
        Assert.True(file >= 0, $"open({captured}) failed");
        try
        {
            Assert.True(Dup2(file, 2) >= 0, "dup2 onto stderr failed");
            // libtorch 2.10 warns (IndexingUtils.h) that uint8 masks are deprecated, then indexes as with bool.
            using Tensor selected = values[byteMask];
            selectedShape = selected.shape;
        }
        finally
        {
            Dup2(savedStderr, 2);
            Close(savedStderr);
            Close(file);
        }

        string text = File.ReadAllText(captured);
        File.Delete(captured);
        Assert.Contains("Warning", text);
        Assert.Contains("uint8", text);
        Assert.Equal(new long[] { 1, 3 }, selectedShape);
        using Tensor sum = values.sum();
        Assert.Equal(15L, sum.item<long>());
    }

    private const int OpenWriteCreateTruncate = 0x1 | 0x40 | 0x200;
    private const int Mode0644 = 420;

    [DllImport("libc", EntryPoint = "dup", SetLastError = true)]
    private static extern int Dup(int fd);

    [DllImport("libc", EntryPoint = "dup2", SetLastError = true)]
    private static extern int Dup2(int oldFd, int newFd);

    [DllImport("libc", EntryPoint = "open", SetLastError = true)]
    private static extern int Open(string path, int flags, int mode);

    [DllImport("libc", EntryPoint = "close", SetLastError = true)]
    private static extern int Close(int fd);
}
