using System.Buffers;
using System.Globalization;
using System.Text;
using OtelLlm.Receiver.Diagnostics;
using OtelLlm.Storage.ClickHouse;
using OtelLlm.Storage.Rows;

namespace OtelLlm.Receiver.Pipeline.Reliability;

/// <summary>
/// Drops re-delivered <c>llm_calls</c> rows before insert, so rollups (which count <c>Revision = 0</c> rows) count each
/// call once:
/// <list type="bullet">
/// <item>a bounded first-in-first-out window of the (TraceId, SpanId) keys of the last <c>windowSize</c> revision-0
/// rows accepted;</item>
/// <item>at start-up the window is refilled from ClickHouse (<see cref="SeedAsync"/>) with the newest revision-0 keys
/// stored in the last <c>seedLookback</c>, so a client re-sending a batch whose acknowledgement a crash lost is still
/// caught; a revision-0 row older than what was loaded is looked up in ClickHouse instead, until the window has taken
/// <c>windowSize</c> new keys (by then the keys from before the restart would have left it anyway), and every row is
/// looked up while the seed has not finished;</item>
/// <item>for batches replayed from the spool, a lookup of the (TraceId, SpanId, Revision) rows ClickHouse already holds
/// (a crash can come after the insert and before the spool record was marked done).</item>
/// </list>
/// Lookups are bounded by the rows' own <c>Timestamp</c> range (the table's sort key after <c>Project</c>), so they read
/// the granules of those seconds, not the table. Other tables are left alone: their ReplacingMergeTree keys collapse
/// duplicates under <c>FINAL</c>.
/// </summary>
internal sealed partial class LlmCallDeduplicator(
    ClickHouseClient client,
    int windowSize,
    TimeSpan seedLookback,
    ReliabilityMetrics metrics,
    ILogger<LlmCallDeduplicator> logger,
    TimeProvider? time = null) : IBatchDeduplicator
{
    private const int LookupChunk = 2000;
    private const int SeedChunkRows = 100_000;
    private readonly Lock _lock = new();
    private readonly HashSet<LlmCallKey> _seen = [];
    private readonly Queue<LlmCallKey> _order = new();
    private readonly TimeProvider _time = time ?? TimeProvider.System;
    private Dictionary<string, string>? _columnTypes;
    private volatile bool _seeded = windowSize <= 0;
    private uint _lookUpBefore;
    private long _addedSinceSeed;

    /// <summary>Whether the window has been refilled from ClickHouse since start-up.</summary>
    public bool Seeded => _seeded;

    /// <summary>Keys in the window now.</summary>
    public int Count
    {
        get
        {
            lock (_lock)
            {
                return _seen.Count;
            }
        }
    }

    /// <summary>
    /// Refills the window from ClickHouse: the keys of the newest revision-0 rows (by <c>Timestamp</c>) in the last
    /// <c>seedLookback</c>, at most <c>windowSize</c>, oldest first. Retries while ClickHouse cannot answer.
    /// </summary>
    public async Task SeedAsync(CancellationToken ct)
    {
        if (_seeded)
        {
            return;
        }

        var delay = TimeSpan.FromMilliseconds(500);
        while (!ct.IsCancellationRequested)
        {
            try
            {
                var (loaded, from) = await LoadRecentKeysAsync(ct);
                lock (_lock)
                {
                    _lookUpBefore = from;
                    _addedSinceSeed = 0;
                    _seeded = true;
                }

                LogSeeded(logger, loaded, from);
                return;
            }
            catch (ClickHouseException e) when (e.Code is 60 or 81)
            {
                // No llm_calls table (60) or no database (81, a first start before migrations ran): nothing is
                // stored, so nothing can be re-delivered.
                _seeded = true;
                return;
            }
            catch (Exception e) when (FailureClassifier.IsRetryable(e) && !ct.IsCancellationRequested)
            {
                LogSeedRetry(logger, e.Message, (int)delay.TotalMilliseconds);
            }

            try
            {
                await Task.Delay(delay, _time, ct);
            }
            catch (OperationCanceledException)
            {
                return;
            }

            delay = TimeSpan.FromMilliseconds(Math.Min(delay.TotalMilliseconds * 2, 30_000));
        }
    }

    public async ValueTask<DedupResult> FilterAsync(RowBatch batch, bool checkStorage, CancellationToken ct)
    {
        if (batch.Table != LlmCallRow.Table || (windowSize <= 0 && !checkStorage) || batch.RowCount == 0)
        {
            return new DedupResult(batch, null, 0);
        }

        var rows = ArrayPool<ScannedRow>.Shared.Rent(batch.RowCount);
        try
        {
            try
            {
                if (!await TryScanAsync(batch, rows, ct))
                {
                    return new DedupResult(batch, null, 0);
                }
            }
            catch (Exception e) when (!checkStorage && FailureClassifier.IsRetryable(e) && !ct.IsCancellationRequested)
            {
                throw new DedupUnavailableException("ClickHouse cannot describe llm_calls to check the batch for duplicates: " + e.Message, e);
            }

            HashSet<(LlmCallKey, ulong)>? stored = null;
            if (NeedsLookup(rows.AsSpan(0, batch.RowCount), checkStorage, out var lookUpBefore))
            {
                try
                {
                    stored = await StoredAsync(rows, batch.RowCount, checkStorage, lookUpBefore, ct);
                }
                catch (Exception e) when (!checkStorage && FailureClassifier.IsRetryable(e) && !ct.IsCancellationRequested)
                {
                    throw new DedupUnavailableException("ClickHouse cannot say which llm_calls rows it holds: " + e.Message, e);
                }
            }

            return Decide(batch, rows, checkStorage, stored);
        }
        finally
        {
            ArrayPool<ScannedRow>.Shared.Return(rows);
        }
    }

    public void Complete(DedupResult result, bool stored)
    {
        if (result.Remembered is not { } remembered)
        {
            return;
        }

        if (!stored)
        {
            lock (_lock)
            {
                // Their queue entries stay and later evict nothing or, if re-added by then, the re-added key a little early.
                foreach (var key in remembered.AsSpan(0, result.RememberedCount))
                {
                    _seen.Remove(key);
                }
            }
        }

        ArrayPool<LlmCallKey>.Shared.Return(remembered);
    }

    private DedupResult Decide(RowBatch batch, ScannedRow[] rows, bool checkStorage, HashSet<(LlmCallKey, ulong)>? stored)
    {
        var keep = 0;
        var keepBytes = 0;
        var remembered = checkStorage ? null : ArrayPool<LlmCallKey>.Shared.Rent(batch.RowCount);
        var rememberedCount = 0;
        var verdict = ArrayPool<bool>.Shared.Rent(batch.RowCount);
        try
        {
            lock (_lock)
            {
                for (var i = 0; i < batch.RowCount; i++)
                {
                    var row = rows[i];
                    var kept = true;
                    if (row.HasKey)
                    {
                        var inStorage = stored is not null && stored.Contains((row.Key, row.Revision));
                        if (row.Revision == 0 && windowSize > 0)
                        {
                            var added = Remember(row.Key);
                            if (added && !inStorage && remembered is not null)
                            {
                                remembered[rememberedCount++] = row.Key;
                            }

                            // The window only drops rows on the direct path; a replay trusts what ClickHouse says.
                            kept = !inStorage && (added || checkStorage);
                        }
                        else
                        {
                            kept = !inStorage;
                        }
                    }

                    verdict[i] = kept;
                    if (kept)
                    {
                        keep++;
                        keepBytes += row.End - row.Start;
                    }
                }
            }

            var dropped = batch.RowCount - keep;
            if (dropped == 0)
            {
                return new DedupResult(batch, remembered, rememberedCount);
            }

            metrics.Duplicates(dropped);
            var buffer = new byte[keepBytes];
            var o = 0;
            var source = batch.RowBinary.Span;
            for (var i = 0; i < batch.RowCount; i++)
            {
                if (verdict[i])
                {
                    var row = rows[i];
                    source[row.Start..row.End].CopyTo(buffer.AsSpan(o));
                    o += row.End - row.Start;
                }
            }

            return new DedupResult(batch with { RowBinary = buffer, RowCount = keep }, remembered, rememberedCount);
        }
        finally
        {
            ArrayPool<bool>.Shared.Return(verdict);
        }
    }

    /// <summary>Whether any row must be looked up in ClickHouse, and (direct path) which start seconds need it.</summary>
    private bool NeedsLookup(ReadOnlySpan<ScannedRow> rows, bool checkStorage, out uint lookUpBefore)
    {
        lock (_lock)
        {
            lookUpBefore = !_seeded ? uint.MaxValue : _lookUpBefore;
        }

        if (checkStorage)
        {
            return true;
        }

        if (lookUpBefore == 0)
        {
            return false;
        }

        foreach (var row in rows)
        {
            if (row.HasKey && row.Revision == 0 && row.Timestamp < lookUpBefore)
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>Adds a key to the window; false when it was already there.</summary>
    private bool Remember(LlmCallKey key)
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

        if (_seeded && _lookUpBefore != 0 && ++_addedSinceSeed >= windowSize)
        {
            // The window has turned over since start-up: what it held before the restart would have left it by now.
            _lookUpBefore = 0;
        }

        return true;
    }

    private async Task<bool> TryScanAsync(RowBatch batch, ScannedRow[] rows, CancellationToken ct)
    {
        var columns = batch.Columns.Split(',', StringSplitOptions.TrimEntries);
        var types = await GetColumnTypesAsync(ct);
        var traceId = Array.IndexOf(columns, "TraceId");
        var spanId = Array.IndexOf(columns, "SpanId");
        var timestamp = Array.IndexOf(columns, "Timestamp");
        if (traceId < 0 || spanId < 0 || timestamp < 0 || columns[^1] != "Revision" || !columns.All(types.ContainsKey))
        {
            return false;
        }

        try
        {
            new RowBinaryScanner([.. columns.Select(c => types[c])]).Scan(batch.RowBinary.Span, rows.AsSpan(0, batch.RowCount), traceId, spanId, timestamp);
            return true;
        }
        catch (Exception e) when (e is InvalidDataException or NotSupportedException)
        {
            LogCannotScan(logger, e.Message);
            return false;
        }
    }

    /// <summary>
    /// The (key, revision) pairs ClickHouse holds among the rows that need a lookup: every row on a replay, revision-0
    /// rows that start before <paramref name="lookUpBefore"/> otherwise.
    /// </summary>
    private async Task<HashSet<(LlmCallKey, ulong)>> StoredAsync(ScannedRow[] rows, int count, bool checkStorage, uint lookUpBefore, CancellationToken ct)
    {
        var found = new HashSet<(LlmCallKey, ulong)>();
        var sql = new StringBuilder();
        var inChunk = 0;
        uint min = uint.MaxValue, max = 0;
        for (var i = 0; i <= count; i++)
        {
            if (i < count)
            {
                var row = rows[i];
                if (!row.HasKey || (!checkStorage && (row.Revision != 0 || row.Timestamp >= lookUpBefore)))
                {
                    continue;
                }

                sql.Append(inChunk == 0 ? string.Empty : ",").Append(SqlLiteral.Quote(row.Key.SpanId));
                min = Math.Min(min, row.Timestamp);
                max = Math.Max(max, row.Timestamp);
                inChunk++;
            }

            if (inChunk > 0 && (inChunk == LookupChunk || i == count))
            {
                var query = string.Create(
                    CultureInfo.InvariantCulture,
                    $"SELECT TraceId, SpanId, Revision FROM {SqlLiteral.Identifier(LlmCallRow.Table)} WHERE Timestamp >= toDateTime({min}) AND Timestamp <= toDateTime({max}) AND SpanId IN ({sql})");
                foreach (var row in await client.QueryAsync(query, "look up llm_calls rows that are already stored", ct))
                {
                    if (LlmCallKey.TryParse(row[0], row[1], out var key) && ulong.TryParse(row[2], CultureInfo.InvariantCulture, out var revision))
                    {
                        found.Add((key, revision));
                    }
                }

                sql.Clear();
                inChunk = 0;
                min = uint.MaxValue;
                max = 0;
            }
        }

        return found;
    }

    /// <summary>Loads the newest revision-0 keys into the window; returns how many and the first second they cover.</summary>
    private async Task<(int Loaded, uint From)> LoadRecentKeysAsync(CancellationToken ct)
    {
        var table = SqlLiteral.Identifier(LlmCallRow.Table);
        var since = (uint)Math.Max(0, _time.GetUtcNow().ToUnixTimeSeconds() - (long)seedLookback.TotalSeconds);

        // Rows per start second, newest first, to find how far back windowSize keys reach.
        var perSecond = await client.QueryAsync(
            string.Create(CultureInfo.InvariantCulture, $"SELECT toUInt32(Timestamp) AS Second, count() FROM {table} WHERE Revision = 0 AND Timestamp >= toDateTime({since}) GROUP BY Second ORDER BY Second DESC"),
            "count recent llm_calls keys to refill the dedup window",
            ct);
        var seconds = new List<(uint Second, long Rows)>(perSecond.Count);
        long total = 0;
        var from = since;
        foreach (var row in perSecond)
        {
            var second = uint.Parse(row[0], CultureInfo.InvariantCulture);
            var rowsInSecond = long.Parse(row[1], CultureInfo.InvariantCulture);
            if (total + rowsInSecond > windowSize)
            {
                // Keys of this second and before are looked up in ClickHouse when they come again.
                from = second + 1;
                break;
            }

            total += rowsInSecond;
            seconds.Add((second, rowsInSecond));
        }

        // Oldest first, in chunks of about SeedChunkRows, so the oldest leave the window first.
        seconds.Reverse();
        var loaded = 0;
        for (var i = 0; i < seconds.Count;)
        {
            var first = seconds[i].Second;
            long chunkRows = 0;
            var last = first;
            while (i < seconds.Count && (chunkRows == 0 || chunkRows + seconds[i].Rows <= SeedChunkRows))
            {
                chunkRows += seconds[i].Rows;
                last = seconds[i].Second;
                i++;
            }

            var keys = await client.QueryAsync(
                string.Create(CultureInfo.InvariantCulture, $"SELECT TraceId, SpanId FROM {table} WHERE Revision = 0 AND Timestamp >= toDateTime({first}) AND Timestamp <= toDateTime({last}) ORDER BY Timestamp"),
                "load recent llm_calls keys into the dedup window",
                ct);
            lock (_lock)
            {
                foreach (var row in keys)
                {
                    if (LlmCallKey.TryParse(row[0], row[1], out var key) && _seen.Add(key))
                    {
                        _order.Enqueue(key);
                        loaded++;
                    }
                }

                while (_order.Count > windowSize)
                {
                    _seen.Remove(_order.Dequeue());
                }
            }
        }

        return (loaded, from);
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

    [LoggerMessage(EventId = ReceiverEventIds.DedupScanFailed, Level = LogLevel.Warning, Message = "An llm_calls batch could not be scanned for duplicates and is written as it is: {Error}")]
    private static partial void LogCannotScan(ILogger logger, string error);

    [LoggerMessage(EventId = ReceiverEventIds.DedupWindowRefilled, Level = LogLevel.Information, Message = "Dedup window refilled with {Keys} llm_calls keys of calls started since {FromUnixSeconds} (Unix seconds); older re-deliveries are looked up in ClickHouse")]
    private static partial void LogSeeded(ILogger logger, int keys, uint fromUnixSeconds);

    [LoggerMessage(EventId = ReceiverEventIds.DedupRefillRetry, Level = LogLevel.Warning, Message = "Cannot refill the dedup window from ClickHouse yet ({Error}); every llm_calls row is looked up until then, next try in {DelayMs} ms")]
    private static partial void LogSeedRetry(ILogger logger, string error, int delayMs);
}
