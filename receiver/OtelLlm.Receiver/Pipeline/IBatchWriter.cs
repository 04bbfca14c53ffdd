namespace OtelLlm.Receiver.Pipeline;

/// <summary>
/// Writes one batch of RowBinary rows to a table. When <see cref="WriteAsync"/> completes successfully the data
/// is durable and the clients waiting on it are acknowledged; when it throws they are told to retry.
/// </summary>
internal interface IBatchWriter
{
    /// <summary>Writes <paramref name="rowCount"/> rows, encoded in <paramref name="columns"/> order, to <paramref name="table"/>.</summary>
    /// <remarks>The memory is only valid until the returned task completes; copy it to keep it.</remarks>
    Task WriteAsync(string table, string columns, ReadOnlyMemory<byte> rowBinary, int rowCount, CancellationToken ct);
}
