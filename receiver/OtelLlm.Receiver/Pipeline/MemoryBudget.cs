namespace OtelLlm.Receiver.Pipeline;

/// <summary>Counts encoded bytes waiting to be written, so memory stays bounded whatever the load.</summary>
internal sealed class MemoryBudget(long maxBytes)
{
    private long _used;

    public long Used => Interlocked.Read(ref _used);

    public long Max => maxBytes;

    /// <summary>Reserves <paramref name="bytes"/>, or returns false when that would pass the budget.</summary>
    public bool TryReserve(long bytes)
    {
        var used = Interlocked.Add(ref _used, bytes);
        // A single request larger than the whole budget is still let through when nothing else waits, so a
        // budget smaller than the request limit cannot refuse a request forever.
        if (used > maxBytes && used != bytes)
        {
            Interlocked.Add(ref _used, -bytes);
            return false;
        }

        return true;
    }

    public void Release(long bytes) => Interlocked.Add(ref _used, -bytes);
}
