using OtelLlm.Receiver.Pipeline;
using OtelLlm.Storage.ClickHouse;

namespace OtelLlm.Reliability.Tests;

/// <summary>An inner writer that records what it was given and fails on demand like ClickHouse would.</summary>
internal sealed class FakeBatchWriter : IBatchWriter
{
    private readonly Lock _lock = new();
    private readonly List<(string Table, byte[] Rows, int RowCount)> _written = [];

    private int _attempts;

    /// <summary>When set, every write throws what it returns (nothing when it returns null).</summary>
    public Func<Exception?>? Failure { get; set; }

    /// <summary>When set, a write to a table throws what it returns for that table (nothing when it returns null).</summary>
    public Func<string, Exception?>? FailureFor { get; set; }

    /// <summary>Writes tried, successful or not.</summary>
    public int Attempts => Volatile.Read(ref _attempts);

    public List<(string Table, byte[] Rows, int RowCount)> Written
    {
        get
        {
            lock (_lock)
            {
                return [.. _written];
            }
        }
    }

    public Task WriteAsync(string table, string columns, ReadOnlyMemory<byte> rowBinary, int rowCount, CancellationToken ct)
    {
        Interlocked.Increment(ref _attempts);
        if ((Failure?.Invoke() ?? FailureFor?.Invoke(table)) is { } failure)
        {
            throw failure;
        }

        lock (_lock)
        {
            _written.Add((table, rowBinary.ToArray(), rowCount));
        }

        return Task.CompletedTask;
    }

    public static Exception Unavailable() => new ClickHouseException(0, "Connection refused", "insert received telemetry");

    public static Exception TypeMismatch() => new ClickHouseException(53, "Type mismatch", "insert received telemetry", 500);
}
