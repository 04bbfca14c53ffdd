using System.Diagnostics.Metrics;

namespace OtelLlm.Receiver.Pipeline.Reliability;

/// <summary>Self-telemetry of the spool, the retrying writer and dedup (meter <c>OtelLlm.Receiver.Reliability</c>).</summary>
internal sealed class ReliabilityMetrics : IDisposable
{
    /// <summary>The meter name to subscribe to.</summary>
    public const string MeterName = "OtelLlm.Receiver.Reliability";

    private readonly Meter _meter = new(MeterName);
    private readonly Counter<long> _spooled;
    private readonly Counter<long> _replayed;
    private readonly Counter<long> _deadLettered;
    private readonly Counter<long> _duplicates;
    private long _spooledBatches;
    private long _replayedBatches;
    private long _deadLetteredRows;
    private long _duplicateRows;

    public ReliabilityMetrics()
    {
        _spooled = _meter.CreateCounter<long>("otel_llm.receiver.spool.spooled_batches", description: "Batches written to the spool because ClickHouse failed or the spool was not empty.");
        _replayed = _meter.CreateCounter<long>("otel_llm.receiver.spool.replayed_batches", description: "Spooled batches written to ClickHouse.");
        _deadLettered = _meter.CreateCounter<long>("otel_llm.receiver.dead_letter.rows", description: "Rows ClickHouse refused as invalid, kept in the dead-letter files.");
        _duplicates = _meter.CreateCounter<long>("otel_llm.receiver.dedup.dropped_rows", description: "Re-delivered rows dropped before insert.");
    }

    public long SpooledBatches => Interlocked.Read(ref _spooledBatches);

    public long ReplayedBatches => Interlocked.Read(ref _replayedBatches);

    public long DeadLetteredRows => Interlocked.Read(ref _deadLetteredRows);

    public long DuplicateRows => Interlocked.Read(ref _duplicateRows);

    public void Spooled()
    {
        Interlocked.Increment(ref _spooledBatches);
        _spooled.Add(1);
    }

    public void Replayed()
    {
        Interlocked.Increment(ref _replayedBatches);
        _replayed.Add(1);
    }

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
