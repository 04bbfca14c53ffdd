namespace OtelLlm.Demo.Traffic;

/// <summary>What the generator sent, counted by the demo itself so the stored rows can be checked against it.</summary>
internal sealed class TrafficLedger
{
    private readonly Lock _lock = new();
    private readonly Dictionary<(string Service, string Model), Entry> _entries = [];
    private int _total;
    private int _errors;

    public int Total => Volatile.Read(ref _total);

    public int Errors => Volatile.Read(ref _errors);

    public void Record(string service, string model, bool failed, bool streaming)
    {
        lock (_lock)
        {
            ref var entry = ref System.Runtime.InteropServices.CollectionsMarshal.GetValueRefOrAddDefault(_entries, (service, model), out _);
            entry.Calls++;
            entry.Errors += failed ? 1 : 0;
            entry.Streaming += streaming ? 1 : 0;
        }

        Interlocked.Increment(ref _total);
        if (failed)
        {
            Interlocked.Increment(ref _errors);
        }
    }

    /// <summary>Calls per service and model, sorted.</summary>
    public IReadOnlyList<LedgerLine> Lines()
    {
        lock (_lock)
        {
            return [.. _entries
                .Select(e => new LedgerLine(e.Key.Service, e.Key.Model, e.Value.Calls, e.Value.Errors, e.Value.Streaming))
                .OrderBy(l => l.Service, StringComparer.Ordinal)
                .ThenBy(l => l.Model, StringComparer.Ordinal)];
        }
    }

    private struct Entry
    {
        public int Calls;
        public int Errors;
        public int Streaming;
    }
}

internal sealed record LedgerLine(string Service, string Model, int Calls, int Errors, int Streaming);
