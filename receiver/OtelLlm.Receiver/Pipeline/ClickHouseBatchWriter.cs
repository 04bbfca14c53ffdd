using OtelLlm.Storage.ClickHouse;

namespace OtelLlm.Receiver.Pipeline;

/// <summary>The default <see cref="IBatchWriter"/>: one RowBinary insert straight into ClickHouse.</summary>
internal sealed class ClickHouseBatchWriter(ClickHouseClient client) : IBatchWriter
{
    public Task WriteAsync(string table, string columns, ReadOnlyMemory<byte> rowBinary, int rowCount, CancellationToken ct)
        => client.InsertRowBinaryAsync(table, columns, rowBinary, "insert received telemetry", ct);
}
