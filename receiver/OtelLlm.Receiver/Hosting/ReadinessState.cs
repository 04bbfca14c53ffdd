namespace OtelLlm.Receiver.Hosting;

/// <summary>Whether start-up has brought the schema up to date; <c>/readyz</c> reports it.</summary>
internal sealed class ReadinessState
{
    private volatile bool _schemaReady;

    public bool SchemaReady => _schemaReady;

    public void MarkSchemaReady() => _schemaReady = true;
}

/// <summary>The body of <c>/readyz</c>.</summary>
/// <param name="Status"><c>ready</c> or <c>not ready</c>.</param>
/// <param name="Reason">Why not ready, or what to know while ready (ClickHouse not answering).</param>
/// <param name="ClickHouse">Whether ClickHouse answered a ping within 2 seconds.</param>
/// <param name="Wal">What the write-ahead log holds.</param>
internal sealed record ReadyState(string Status, string Reason, bool ClickHouse, WalState Wal);

/// <summary>What the write-ahead log holds, in <c>/readyz</c>.</summary>
/// <param name="Bytes">Bytes of segments on disk.</param>
/// <param name="MaxBytes">The disk budget.</param>
/// <param name="UnwrittenRecords">Records acknowledged and not yet written to ClickHouse.</param>
/// <param name="UnwrittenRows">Rows acknowledged and not yet written to ClickHouse.</param>
/// <param name="OldestUnwrittenSeconds">Age of the oldest of them.</param>
/// <param name="AppendedRecords">Records appended by this process.</param>
/// <param name="DurableRecords">Of those, how many are durable.</param>
internal sealed record WalState(long Bytes, long MaxBytes, int UnwrittenRecords, long UnwrittenRows, double OldestUnwrittenSeconds, long AppendedRecords, long DurableRecords);
