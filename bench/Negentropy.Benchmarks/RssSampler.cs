using System.Globalization;

namespace Negentropy.Benchmarks;

/// <summary>Samples another process's resident set size from /proc every 250 ms and keeps the peak.</summary>
public sealed class RssSampler : IDisposable
{
    private readonly int processId;
    private readonly Timer timer;
    private long currentKiB;
    private long peakKiB;

    public RssSampler(int processId)
    {
        this.processId = processId;
        timer = new Timer(_ => Sample(), null, TimeSpan.Zero, TimeSpan.FromMilliseconds(250));
    }

    public double CurrentMiB => Volatile.Read(ref currentKiB) / 1024.0;

    public double PeakMiB => Volatile.Read(ref peakKiB) / 1024.0;

    /// <summary>Starts a new peak from the current value.</summary>
    public void ResetPeak() => Volatile.Write(ref peakKiB, Volatile.Read(ref currentKiB));

    public void Dispose() => timer.Dispose();

    private void Sample()
    {
        try
        {
            foreach (string line in File.ReadLines($"/proc/{processId}/status"))
            {
                if (line.StartsWith("VmRSS:", StringComparison.Ordinal))
                {
                    long kib = long.Parse(line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1], CultureInfo.InvariantCulture);
                    Volatile.Write(ref currentKiB, kib);
                    long peak;
                    while (kib > (peak = Volatile.Read(ref peakKiB)) && Interlocked.CompareExchange(ref peakKiB, kib, peak) != peak)
                    {
                    }
                    return;
                }
            }
        }
        catch (IOException)
        {
            // The process has exited.
        }
    }
}
