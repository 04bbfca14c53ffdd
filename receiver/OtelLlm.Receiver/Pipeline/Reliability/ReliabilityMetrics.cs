using System.Diagnostics.Metrics;
using OtelLlm.Receiver.Pipeline.Wal;

namespace OtelLlm.Receiver.Pipeline.Reliability;

/// <summary>Self-telemetry of the write-ahead log, its writers, dead letter and dedup (meter <c>OtelLlm.Receiver.Reliability</c>).</summary>
internal sealed class ReliabilityMetrics : IDisposable
{
    /// <summary>The meter name to subscribe to.</summary>
    public const string MeterName = "OtelLlm.Receiver.Reliability";

    private readonly Meter _meter = new(MeterName);
    private readonly Counter<long> _deadLettered;
    private readonly Counter<long> _duplicates;
    private readonly Counter<long> _unreadable;
    private readonly Histogram<double> _fsync;
    private long _deadLetteredRows;
    private long _duplicateRows;

    public ReliabilityMetrics()
    {
        _deadLettered = _meter.CreateCounter<long>("otel_llm.receiver.dead_letter.rows", "{row}", "Rows ClickHouse refused as invalid, kept in the dead-letter files.");
        _duplicates = _meter.CreateCounter<long>("otel_llm.receiver.dedup.dropped_rows", "{row}", "Re-delivered llm_calls rows dropped before insert.");
        _unreadable = _meter.CreateCounter<long>("otel_llm.receiver.wal.unreadable_records", "{record}", "Write-ahead log records that could not be read back and were set aside.");
        _fsync = _meter.CreateHistogram<double>("otel_llm.receiver.wal.fsync_duration", "ms", "Time one group-commit fsync of the write-ahead log took.");
    }

    public long DeadLetteredRows => Interlocked.Read(ref _deadLetteredRows);

    public long DuplicateRows => Interlocked.Read(ref _duplicateRows);

    /// <summary>Publishes the log's gauges: bytes, budget, unwritten records and rows, oldest unwritten age, rows acknowledged and written.</summary>
    public void ObserveLog(WriteAheadLog log, Func<long> writtenRows)
    {
        log.Synced += d => _fsync.Record(d.TotalMilliseconds);
        _meter.CreateObservableGauge("otel_llm.receiver.wal.bytes", () => log.DiskBytes, "By", "Bytes of write-ahead log segments on disk.");
        _meter.CreateObservableGauge("otel_llm.receiver.wal.max_bytes", () => log.MaxBytes, "By", "The log's disk budget; at it, new data is refused as retryable.");
        _meter.CreateObservableGauge("otel_llm.receiver.wal.unwritten_records", () => (long)log.PendingCount, "{record}", "Records acknowledged and not yet written to ClickHouse.");
        _meter.CreateObservableGauge("otel_llm.receiver.wal.unwritten_rows", () => log.PendingRows, "{row}", "Rows acknowledged and not yet written to ClickHouse.");
        _meter.CreateObservableGauge("otel_llm.receiver.wal.oldest_unwritten_age", () => log.OldestPendingAge.TotalSeconds, "s", "Age of the oldest record not yet written to ClickHouse.");
        _meter.CreateObservableCounter("otel_llm.receiver.wal.appended_records", () => log.AppendedSequence, "{record}", "Records appended to the log by this process.");
        _meter.CreateObservableCounter("otel_llm.receiver.wal.written_rows", writtenRows, "{row}", "Rows the writers took out of the log (inserted, dead-lettered or dropped as duplicates).");
    }

    public void Unreadable() => _unreadable.Add(1);

    public void DeadLettered(int rows)
    {
        Interlocked.Add(ref _deadLetteredRows, rows);
        _deadLettered.Add(rows);
    }

    public void Duplicates(int rows)
    {
        Interlocked.Add(ref _duplicateRows, rows);
        _duplicates.Add(rows);
    }

    public void Dispose() => _meter.Dispose();
}
