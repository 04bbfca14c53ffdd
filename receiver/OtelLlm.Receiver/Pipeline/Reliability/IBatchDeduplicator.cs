namespace OtelLlm.Receiver.Pipeline.Reliability;

/// <summary>One batch of RowBinary rows for a table.</summary>
internal readonly record struct RowBatch(string Table, string Columns, ReadOnlyMemory<byte> RowBinary, int RowCount);

/// <summary>
/// What <see cref="IBatchDeduplicator.FilterAsync"/> kept of a batch, and the keys it started remembering for it (a
/// pooled array, handed back through <see cref="IBatchDeduplicator.Complete"/>).
/// </summary>
internal readonly record struct DedupResult(RowBatch Batch, LlmCallKey[]? Remembered, int RememberedCount);

/// <summary>Drops rows that were already written, so a re-delivered record is counted once by the rollups.</summary>
internal interface IBatchDeduplicator
{
    /// <summary>
    /// Removes rows whose key was written recently (and remembers the keys of the rows kept). With
    /// <paramref name="checkStorage"/> it also asks ClickHouse which keys already exist, for batches replayed
    /// from the spool that a crash may have inserted already.
    /// </summary>
    /// <exception cref="DedupUnavailableException">
    /// The batch needs ClickHouse to be checked and ClickHouse cannot answer; the caller spools it unfiltered, and the
    /// replay checks it.
    /// </exception>
    ValueTask<DedupResult> FilterAsync(RowBatch batch, bool checkStorage, CancellationToken ct);

    /// <summary>
    /// Ends a batch's dedup: when it was neither written nor spooled (<paramref name="stored"/> false) its keys are
    /// forgotten, so the client's retry is not taken for a duplicate.
    /// </summary>
    void Complete(DedupResult result, bool stored);
}

/// <summary>Deduplication needed ClickHouse and could not reach it.</summary>
internal sealed class DedupUnavailableException(string message, Exception inner) : Exception(message, inner);
