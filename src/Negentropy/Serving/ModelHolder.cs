namespace Negentropy.Serving;

/// <summary>
/// The model that serves new requests. A swap takes effect for requests that start after it. Requests
/// already running finish on the model they acquired, which is disposed after the last of them.
/// </summary>
public sealed class ModelHolder : IDisposable
{
    private ServedModel current;

    public ModelHolder(ServedModel initial)
    {
        current = initial;
    }

    /// <summary>Raised after a swap, with the new model.</summary>
    public event Action<ServedModel>? Swapped;

    /// <summary>The model new requests get; read it for metadata only, and <see cref="Acquire"/> to predict.</summary>
    public ServedModel Current => Volatile.Read(ref current);

    /// <summary>Returns the current model with a reference taken; the caller must <see cref="ServedModel.Release"/> it.</summary>
    public ServedModel Acquire()
    {
        while (true)
        {
            ServedModel model = Volatile.Read(ref current);
            if (model.TryAcquire())
            {
                return model;
            }
            // A swap released this model between the read and the acquire, so the next read returns its successor.
        }
    }

    /// <summary>Makes <paramref name="next"/> the current model and releases the holder's reference to the old one.</summary>
    public void Swap(ServedModel next)
    {
        ServedModel old = Interlocked.Exchange(ref current, next);
        old.Release();
        Swapped?.Invoke(next);
    }

    public void Dispose() => Volatile.Read(ref current).Release();
}
