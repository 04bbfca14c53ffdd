using System.Collections.Concurrent;
using OtelLlm.Storage.ClickHouse;

namespace OtelLlm.Receiver.Pipeline;

/// <summary>
/// The rows of one request, already RowBinary-encoded per table while it was decoded. Writers come from a small
/// pool and go back to it on <see cref="Dispose"/>, so steady traffic does not allocate buffers.
/// </summary>
internal sealed class EncodedRequest : IDisposable
{
    private const int PoolLimit = 64;
    private const int MaxPooledBytes = 4 * 1024 * 1024;
    private static readonly ConcurrentBag<RowBinaryWriter> s_pool = [];

    private readonly RowBinaryWriter?[] _writers = new RowBinaryWriter?[Tables.Count];
    private readonly int[] _rows = new int[Tables.Count];

    /// <summary>The writer for a table; call <see cref="RowWritten"/> after each complete row.</summary>
    public RowBinaryWriter Writer(TableId table)
    {
        ref var writer = ref _writers[(int)table];
        if (writer is null)
        {
            writer = s_pool.TryTake(out var pooled) ? pooled : new RowBinaryWriter(16 * 1024);
            writer.Reset();
        }

        return writer;
    }

    public void RowWritten(TableId table) => _rows[(int)table]++;

    public int Rows(TableId table) => _rows[(int)table];

    public ReadOnlySpan<byte> Bytes(TableId table) => _writers[(int)table] is { } w ? w.WrittenSpan : [];

    public ReadOnlyMemory<byte> Memory(TableId table) => _writers[(int)table] is { } w ? w.WrittenMemory : ReadOnlyMemory<byte>.Empty;

    public long TotalBytes
    {
        get
        {
            long total = 0;
            foreach (var w in _writers)
            {
                total += w?.Length ?? 0;
            }

            return total;
        }
    }

    public void Dispose()
    {
        for (var i = 0; i < _writers.Length; i++)
        {
            if (_writers[i] is not { } w)
            {
                continue;
            }

            _writers[i] = null;
            if (w.Length <= MaxPooledBytes && s_pool.Count < PoolLimit)
            {
                w.Reset();
                s_pool.Add(w);
            }
            else
            {
                w.Dispose();
            }
        }
    }
}
