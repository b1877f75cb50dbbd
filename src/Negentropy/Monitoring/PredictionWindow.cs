namespace Negentropy.Monitoring;

/// <summary>
/// Two sliding windows over recorded predictions: the last <see cref="CountCapacity"/> predictions in record
/// order, and the predictions whose timestamps fall in the <see cref="Duration"/> before a given moment.
/// </summary>
/// <remarks>
/// <see cref="Record"/> is safe to call from many threads at once. It takes a lock for O(1) amortized work
/// (an append and the eviction of expired entries), so it never waits on a snapshot for longer than one
/// pass over the buffer. Every entry takes 24 bytes, and the buffer keeps what either window still needs.
/// NOTE: at most <see cref="MaxEntries"/> entries are kept (48 MB). Above that rate, about 3,300 predictions
/// per second for a 600-second window, the time window covers less than <see cref="Duration"/>.
/// </remarks>
public sealed class PredictionWindow
{
    public const int MaxEntries = 2_000_000;

    /// <summary>
    /// The most entropies a snapshot returns per window (10,000). A snapshot of a busy time window would
    /// otherwise copy up to <see cref="MaxEntries"/> values every evaluation.
    /// </summary>
    public const int MaxEntropySample = 10_000;

    private readonly object gate = new();
    private Entry[] buffer = new Entry[1024];
    private int head;
    private int length;
    private long latestTicks = long.MinValue;

    /// <param name="numClasses">Number of classes; recorded class indexes must be below it.</param>
    /// <param name="countCapacity">N, the size of the count window.</param>
    /// <param name="duration">T, the length of the time window.</param>
    public PredictionWindow(int numClasses, int countCapacity, TimeSpan duration)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(numClasses, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(countCapacity, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(countCapacity, MaxEntries);
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(duration, TimeSpan.Zero);
        NumClasses = numClasses;
        CountCapacity = countCapacity;
        Duration = duration;
    }

    public int NumClasses { get; }

    public int CountCapacity { get; }

    public TimeSpan Duration { get; }

    /// <summary>Adds one prediction to both windows.</summary>
    /// <exception cref="ArgumentOutOfRangeException">The class index is outside [0, NumClasses) or the entropy is NaN or negative.</exception>
    public void Record(DateTimeOffset time, int classIndex, double entropyBits, bool abstain)
    {
        if ((uint)classIndex >= (uint)NumClasses)
        {
            throw new ArgumentOutOfRangeException(nameof(classIndex), classIndex, $"the window has {NumClasses} classes");
        }
        if (!(entropyBits >= 0))
        {
            throw new ArgumentOutOfRangeException(nameof(entropyBits), entropyBits, "entropy must be a non-negative number of bits");
        }
        var entry = new Entry(time.UtcTicks, entropyBits, classIndex, abstain);
        lock (gate)
        {
            if (length == buffer.Length)
            {
                Grow();
            }
            buffer[(head + length) % buffer.Length] = entry;
            length++;
            latestTicks = Math.Max(latestTicks, entry.Ticks);
            EvictBefore(latestTicks - Duration.Ticks);
        }
    }

    /// <summary>
    /// Returns the count window and the time window (now − T, now], aggregated without copying the buffer.
    /// Class counts, abstentions and the count are exact. The entropies are every k-th entry of the window,
    /// with k chosen so that at most <see cref="MaxEntropySample"/> are returned; a window of that size or
    /// smaller returns all of them, oldest first.
    /// </summary>
    public (WindowSnapshot Count, WindowSnapshot Time) Snapshot(DateTimeOffset now)
    {
        long nowTicks = now.UtcTicks;
        long cutoffTicks = nowTicks - Duration.Ticks;
        lock (gate)
        {
            EvictBefore(cutoffTicks);
            int countStart = Math.Max(0, length - CountCapacity);
            WindowSnapshot count = Aggregate(WindowSnapshot.CountWindow, countStart, long.MinValue, long.MaxValue);
            WindowSnapshot time = Aggregate(WindowSnapshot.TimeWindow, 0, cutoffTicks, nowTicks);
            return (count, time);
        }
    }

    /// <summary>Removes every recorded prediction, as when the model changes.</summary>
    public void Clear()
    {
        lock (gate)
        {
            head = 0;
            length = 0;
            latestTicks = long.MinValue;
        }
    }

    // Aggregates the entries from position first (0 is the oldest) whose time is in (afterTicks, untilTicks].
    // Called under the lock; one pass, and the only allocation is the entropy sample.
    private WindowSnapshot Aggregate(string window, int first, long afterTicks, long untilTicks)
    {
        var classCounts = new int[NumClasses];
        int stride = Math.Max(1, (length - first + MaxEntropySample - 1) / MaxEntropySample);
        var entropies = new List<double>(Math.Min(length - first, MaxEntropySample));
        int included = 0;
        int abstentions = 0;
        for (int i = first; i < length; i++)
        {
            Entry entry = buffer[(head + i) % buffer.Length];
            if (entry.Ticks <= afterTicks || entry.Ticks > untilTicks)
            {
                continue;
            }
            if (included % stride == 0)
            {
                entropies.Add(entry.EntropyBits);
            }
            included++;
            classCounts[entry.ClassIndex]++;
            if (entry.Abstain)
            {
                abstentions++;
            }
        }
        return new WindowSnapshot(window, included, classCounts, entropies.ToArray(), abstentions);
    }

    // Drops entries from the front that the count window no longer contains and that are at or before the cutoff.
    // Entries are in record order, which is timestamp order up to small races between request threads.
    // An out-of-order entry may therefore stay a little longer, and snapshots filter by timestamp anyway.
    private void EvictBefore(long cutoffTicks)
    {
        while (length > 0 && (length > MaxEntries || (length > CountCapacity && buffer[head].Ticks <= cutoffTicks)))
        {
            head = (head + 1) % buffer.Length;
            length--;
        }
    }

    private void Grow()
    {
        var larger = new Entry[Math.Min(buffer.Length * 2, MaxEntries + 1)];
        int firstPart = Math.Min(length, buffer.Length - head);
        Array.Copy(buffer, head, larger, 0, firstPart);
        Array.Copy(buffer, 0, larger, firstPart, length - firstPart);
        buffer = larger;
        head = 0;
    }

    // Fields ordered by size so the struct packs into 24 bytes.
    private readonly record struct Entry(long Ticks, double EntropyBits, int ClassIndex, bool Abstain);
}
