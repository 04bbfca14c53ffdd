namespace OtelLlm.Receiver.Pipeline.Reliability;

/// <summary>One batch of RowBinary rows for a table.</summary>
internal readonly record struct RowBatch(string Table, string Columns, ReadOnlyMemory<byte> RowBinary, int RowCount);

/// <summary>Drops rows that were already written, so a re-delivered record is counted once by the rollups.</summary>
internal interface IBatchDeduplicator
{
    /// <summary>
    /// Removes rows whose key was written recently (and remembers the keys of the rows kept). With
    /// <paramref name="checkStorage"/> it also asks ClickHouse which keys already exist, for batches replayed
    /// from the spool that a crash may have inserted already.
    /// </summary>
    ValueTask<RowBatch> FilterAsync(RowBatch batch, bool checkStorage, CancellationToken ct);
}
