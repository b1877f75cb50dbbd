using TorchSharp;

namespace Negentropy;

/// <summary>Loads libtorch once and applies process-wide settings: thread count and seed.</summary>
public static class TorchRuntime
{
    /// <summary>
    /// Loads the native libraries, or throws an <see cref="InvalidOperationException"/> whose message says
    /// why and how to fix it.
    /// </summary>
    public static void EnsureLoaded()
    {
        try
        {
            torch.InitializeDeviceType(DeviceType.CPU);
        }
        catch (Exception exception) when (exception is NotSupportedException or DllNotFoundException or TypeInitializationException or EntryPointNotFoundException)
        {
            throw new InvalidOperationException(
                "libtorch failed to load: " + FirstLine(exception.GetBaseException().Message)
                + ". Build through ./negentropy or 'dotnet build', which patch libLibTorchSharp.so for a libstdc++ older than GCC 13's", exception);
        }
    }

    /// <summary>Sets libtorch's intra-op thread count and seeds its global generator.</summary>
    public static void Configure(int threads, int seed)
    {
        EnsureLoaded();
        torch.set_num_threads(threads);
        torch.manual_seed(seed);
    }

    private static string FirstLine(string text)
    {
        int end = text.IndexOfAny(new[] { '\r', '\n' });
        return (end < 0 ? text : text[..end]).TrimEnd('.');
    }
}
