using System.Diagnostics.Metrics;

namespace OtelLlm.Receiver.Diagnostics;

/// <summary>The receiver's own telemetry, on the .NET <see cref="Meter"/> named <c>OtelLlm.Receiver</c>.</summary>
internal sealed class ReceiverMetrics : IDisposable
{
    public const string MeterName = "OtelLlm.Receiver";

    private readonly Meter _meter;
    private readonly Counter<long> _received;
    private readonly Counter<long> _rejected;
    private readonly Counter<long> _written;
    private readonly Counter<long> _failedBatches;
    private readonly Counter<long> _decodeFallbacks;
    private readonly Histogram<int> _batchRows;
    private readonly Histogram<double> _insertMs;

    public ReceiverMetrics(IMeterFactory meterFactory)
    {
        _meter = meterFactory.Create(MeterName);
        _received = _meter.CreateCounter<long>("otel_llm.receiver.received", "{item}", "Spans, log records and metric points received, by signal.");
        _rejected = _meter.CreateCounter<long>("otel_llm.receiver.rejected", "{request}", "Requests or items refused, by reason.");
        _written = _meter.CreateCounter<long>("otel_llm.receiver.written_rows", "{row}", "Rows written to ClickHouse, by table.");
        _failedBatches = _meter.CreateCounter<long>("otel_llm.receiver.failed_batches", "{batch}", "Batches whose write failed, by table.");
        _decodeFallbacks = _meter.CreateCounter<long>("otel_llm.receiver.decode_fallbacks", "{request}", "Protobuf trace requests the span-at-a-time reader left to the reference decoder.");
        _batchRows = _meter.CreateHistogram<int>("otel_llm.receiver.batch_size", "{row}", "Rows per insert.");
        _insertMs = _meter.CreateHistogram<double>("otel_llm.receiver.insert_duration", "ms", "Time one insert took.");
    }

    public void Received(string signal, long items) => _received.Add(items, new KeyValuePair<string, object?>("signal", signal));

    public void Rejected(string reason, long count = 1) => _rejected.Add(count, new KeyValuePair<string, object?>("reason", reason));

    public void BatchWritten(string table, int rows, double milliseconds)
    {
        var tag = new KeyValuePair<string, object?>("table", table);
        _written.Add(rows, tag);
        _batchRows.Record(rows, tag);
        _insertMs.Record(milliseconds, tag);
    }

    public void DecodeFallback() => _decodeFallbacks.Add(1);

    public void BatchFailed(string table) => _failedBatches.Add(1, new KeyValuePair<string, object?>("table", table));

    public void Dispose() => _meter.Dispose();
}
