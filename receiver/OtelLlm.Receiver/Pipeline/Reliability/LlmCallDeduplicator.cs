using System.Text;
using OtelLlm.Storage.ClickHouse;
using OtelLlm.Storage.Rows;

namespace OtelLlm.Receiver.Pipeline.Reliability;

/// <summary>
/// Drops re-delivered <c>llm_calls</c> rows before insert, so rollups (which count <c>Revision = 0</c> rows) count each
/// call once: a bounded first-in-first-out window of recently written (TraceId, SpanId) keys of revision-0 rows, and,
/// for batches replayed from the spool, a query for the (TraceId, SpanId, Revision) rows ClickHouse already holds.
/// Other tables are left alone: their ReplacingMergeTree keys collapse duplicates under <c>FINAL</c>.
/// </summary>
internal sealed partial class LlmCallDeduplicator(ClickHouseClient client, int windowSize, ReliabilityMetrics metrics, ILogger<LlmCallDeduplicator> logger)
    : IBatchDeduplicator
{
    private const int LookupChunk = 2000;
    private readonly Lock _lock = new();
    private readonly HashSet<string> _seen = new(StringComparer.Ordinal);
    private readonly Queue<string> _order = new();
    private Dictionary<string, string>? _columnTypes;

    public async ValueTask<RowBatch> FilterAsync(RowBatch batch, bool checkStorage, CancellationToken ct)
    {
        if (batch.Table != LlmCallRow.Table || (windowSize <= 0 && !checkStorage))
        {
            return batch;
        }

        List<(int Start, int End, string[] Keys, ulong Last)> rows;
        try
        {
            var columns = batch.Columns.Split(',', StringSplitOptions.TrimEntries);
            var types = await GetColumnTypesAsync(ct);
            var keyColumns = new[] { Array.IndexOf(columns, "TraceId"), Array.IndexOf(columns, "SpanId") };
            if (keyColumns[0] < 0 || keyColumns[1] < 0 || columns[^1] != "Revision" || !columns.All(types.ContainsKey))
            {
                return batch;
            }

            rows = new RowBinaryScanner([.. columns.Select(c => types[c])]).Scan(batch.RowBinary.Span, batch.RowCount, keyColumns);
        }
        catch (Exception e) when (e is InvalidDataException or NotSupportedException)
        {
            LogCannotScan(logger, e.Message);
            return batch;
        }
        catch (Exception e) when (!checkStorage && FailureClassifier.IsRetryable(e))
        {
            // ClickHouse cannot describe the table right now; the insert will fail too and the spool replay checks storage.
            return batch;
        }

        var existing = checkStorage ? await ExistingAsync(rows, ct) : null;
        var keep = new List<(int Start, int End)>(rows.Count);
        lock (_lock)
        {
            foreach (var (start, end, keys, revision) in rows)
            {
                var key = keys[0] + ":" + keys[1];
                var stored = existing is not null && existing.Contains(key + ":" + revision.ToString(System.Globalization.CultureInfo.InvariantCulture));
                var recent = revision == 0 && windowSize > 0 && !Remember(key) && !checkStorage;
                if (!stored && !recent)
                {
                    keep.Add((start, end));
                }
            }
        }

        var dropped = rows.Count - keep.Count;
        if (dropped == 0)
        {
            return batch;
        }

        metrics.Duplicates(dropped);
        var buffer = new byte[keep.Sum(k => k.End - k.Start)];
        var o = 0;
        var source = batch.RowBinary.Span;
        foreach (var (start, end) in keep)
        {
            source[start..end].CopyTo(buffer.AsSpan(o));
            o += end - start;
        }

        return batch with { RowBinary = buffer, RowCount = keep.Count };
    }

    /// <summary>Adds a key to the window; false when it was already there.</summary>
    private bool Remember(string key)
    {
        if (!_seen.Add(key))
        {
            return false;
        }

        _order.Enqueue(key);
        while (_order.Count > windowSize)
        {
            _seen.Remove(_order.Dequeue());
        }

        return true;
    }

    private async Task<HashSet<string>> ExistingAsync(List<(int Start, int End, string[] Keys, ulong Last)> rows, CancellationToken ct)
    {
        var found = new HashSet<string>(StringComparer.Ordinal);
        for (var i = 0; i < rows.Count; i += LookupChunk)
        {
            var sql = new StringBuilder("SELECT TraceId, SpanId, Revision FROM ").Append(SqlLiteral.Identifier(LlmCallRow.Table)).Append(" WHERE SpanId IN (");
            var end = Math.Min(rows.Count, i + LookupChunk);
            for (var r = i; r < end; r++)
            {
                sql.Append(r > i ? "," : string.Empty).Append(SqlLiteral.Quote(rows[r].Keys[1]));
            }

            sql.Append(')');
            foreach (var row in await client.QueryAsync(sql.ToString(), "look up replayed llm_calls rows that are already stored", ct))
            {
                found.Add(row[0] + ":" + row[1] + ":" + row[2]);
            }
        }

        return found;
    }

    private async Task<Dictionary<string, string>> GetColumnTypesAsync(CancellationToken ct)
    {
        if (_columnTypes is { } cached)
        {
            return cached;
        }

        var types = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var row in await client.QueryAsync("DESCRIBE TABLE " + SqlLiteral.Identifier(LlmCallRow.Table), "read the llm_calls column types for dedup", ct))
        {
            types[row[0]] = row[1];
        }

        return _columnTypes = types;
    }

    [LoggerMessage(EventId = 7020, Level = LogLevel.Warning, Message = "An llm_calls batch could not be scanned for duplicates and is written as it is: {Error}")]
    private static partial void LogCannotScan(ILogger logger, string error);
}
