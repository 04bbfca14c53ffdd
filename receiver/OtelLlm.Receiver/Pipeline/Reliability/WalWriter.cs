using System.Diagnostics;
using OtelLlm.Receiver.Configuration;
using OtelLlm.Receiver.Diagnostics;
using OtelLlm.Receiver.Pipeline.Wal;
using OtelLlm.Storage.ClickHouse;

namespace OtelLlm.Receiver.Pipeline.Reliability;

/// <summary>
/// Drains the write-ahead log into ClickHouse: takes the oldest durable records (up to <see cref="ReceiverOptions.BatchMaxRows"/>
/// rows and <see cref="ReceiverOptions.BatchMaxBytes"/> bytes, or whatever is there once the oldest is
/// <see cref="ReceiverOptions.BatchMaxDelayMilliseconds"/> old), makes one insert per table of them, retries each table's
/// insert with backoff until ClickHouse takes it (never giving up: the log holds the rows meanwhile, and refuses new
/// data once full), and only then completes the records, which moves the log's checkpoint. Rows ClickHouse refuses as
/// invalid go to the dead-letter store with its message; <c>llm_calls</c> rows that were written already (a re-sent
/// request, or a crash between an insert and the checkpoint) are dropped by the dedup.
/// </summary>
internal sealed partial class WalWriter : BackgroundService
{
    private readonly WriteAheadLog _log;
    private readonly IBatchWriter _inner;
    private readonly DeadLetterStore _deadLetters;
    private readonly WalOptions _options;
    private readonly ReliabilityMetrics _metrics;
    private readonly ReceiverMetrics _receiverMetrics;
    private readonly ILogger _logger;
    private readonly IBatchDeduplicator? _deduplicator;
    private readonly int _maxRows;
    private readonly long _maxBytes;
    private readonly TimeSpan _maxDelay;
    private readonly SemaphoreSlim _signal = new(0, 1);
    private readonly List<WalEntry> _window = [];
    private readonly Dictionary<(string Table, string Columns), TableBatch> _tables = [];
    private volatile bool _draining;
    private long _writtenRows;
    private long _windowsWritten;

    public WalWriter(
        WriteAheadLog log,
        IBatchWriter inner,
        DeadLetterStore deadLetters,
        WalOptions options,
        IOptions<ReceiverOptions> receiver,
        ReliabilityMetrics metrics,
        ReceiverMetrics receiverMetrics,
        ILogger<WalWriter> logger,
        IBatchDeduplicator? deduplicator = null)
    {
        _log = log;
        _inner = inner;
        _deadLetters = deadLetters;
        _options = options;
        _metrics = metrics;
        _receiverMetrics = receiverMetrics;
        _logger = logger;
        _deduplicator = deduplicator;
        _maxRows = Math.Max(1, receiver.Value.BatchMaxRows);
        _maxBytes = Math.Max(1, receiver.Value.BatchMaxBytes);
        _maxDelay = TimeSpan.FromMilliseconds(Math.Max(1, receiver.Value.BatchMaxDelayMilliseconds));
        metrics.ObserveLog(log, () => Interlocked.Read(ref _writtenRows));
    }

    /// <summary>Rows written to ClickHouse (or dead-lettered, or dropped as duplicates) by this process.</summary>
    public long WrittenRows => Interlocked.Read(ref _writtenRows);

    /// <summary>Windows of records completed by this process.</summary>
    public long WindowsWritten => Interlocked.Read(ref _windowsWritten);

    /// <summary>Tells the writer durable records wait.</summary>
    public void Wake()
    {
        if (_signal.CurrentCount == 0)
        {
            try
            {
                _signal.Release();
            }
            catch (SemaphoreFullException)
            {
                // Already awake.
            }
            catch (ObjectDisposedException)
            {
                // Stopped.
            }
        }
    }

    public override async Task StopAsync(CancellationToken cancellationToken)
    {
        // Write what is in the log while ClickHouse answers and the host allows; what is left stays in the log for the
        // next start.
        _draining = true;
        Wake();
        if (ExecuteTask is { } running)
        {
            await Task.WhenAny(running, Task.Delay(TimeSpan.FromSeconds(10), cancellationToken)).ConfigureAwait(false);
        }

        await base.StopAsync(cancellationToken);
    }

    public override void Dispose()
    {
        base.Dispose();
        _signal.Dispose();
        foreach (var t in _tables.Values)
        {
            t.Rows.Dispose();
        }
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        await Task.Yield();
        while (!stoppingToken.IsCancellationRequested)
        {
            var wait = NextWait();
            if (wait > TimeSpan.Zero)
            {
                if (_draining)
                {
                    return;
                }

                try
                {
                    await _signal.WaitAsync(wait, stoppingToken);
                }
                catch (OperationCanceledException)
                {
                    return;
                }

                continue;
            }

            _log.PeekDurable(_window, int.MaxValue, _maxBytes);
            if (_window.Count == 0)
            {
                continue;
            }

            if (!await WriteWindowAsync(stoppingToken))
            {
                return;
            }
        }
    }

    /// <summary>How long to wait before the next window: zero when a full batch or an old enough record waits.</summary>
    private TimeSpan NextWait()
    {
        if (_log.PendingCount == 0)
        {
            return TimeSpan.FromSeconds(1);
        }

        var durable = _log.DurableSequence;
        if (!_log.TryPeek(out var head) || (!head.FromEarlierRun && head.Sequence > durable))
        {
            return TimeSpan.FromMilliseconds(1);
        }

        if (_draining || head.FromEarlierRun || _log.PendingRows >= _maxRows || _log.PendingBytes >= _maxBytes)
        {
            return TimeSpan.Zero;
        }

        var age = _log.OldestPendingAge;
        return age >= _maxDelay ? TimeSpan.Zero : _maxDelay - age;
    }

    /// <summary>Writes the records in <see cref="_window"/> (trimmed to the row limit) and completes them; false when stopping.</summary>
    private async Task<bool> WriteWindowAsync(CancellationToken ct)
    {
        foreach (var t in _tables.Values)
        {
            t.Reset();
        }

        var rowCounts = new List<int>(_window.Count);
        var rows = 0;
        var take = 0;
        var earlierRun = false;
        for (; take < _window.Count; take++)
        {
            if (take > 0 && rows >= _maxRows)
            {
                break;
            }

            var entry = _window[take];
            earlierRun |= entry.FromEarlierRun;
            WalRecord record;
            try
            {
                record = _log.Read(entry);
            }
            catch (Exception e) when (e is IOException or InvalidDataException or UnauthorizedAccessException)
            {
                // Never dropped unseen: whatever can still be read of it is kept for an operator, and the drain goes on.
                var kept = _log.Discard(entry, "unreadable when written to ClickHouse: " + e.Message);
                _metrics.Unreadable();
                LogUnreadable(_logger, entry.Segment, entry.Offset, kept, e.Message);
                rowCounts.Add(0);
                continue;
            }

            if (!_tables.TryGetValue((record.Table, record.Columns), out var batch))
            {
                batch = new TableBatch(record.Table, record.Columns);
                _tables[(record.Table, record.Columns)] = batch;
            }

            batch.Rows.WriteRaw(record.RowBinary.Span);
            batch.RowCount += record.RowCount;
            rows += record.RowCount;
            rowCounts.Add(record.RowCount);
        }

        if (take < _window.Count)
        {
            _window.RemoveRange(take, _window.Count - take);
        }

        var writes = new List<Task<bool>>();
        foreach (var batch in _tables.Values)
        {
            if (batch.RowCount > 0 || batch.Rows.Length > 0)
            {
                writes.Add(WriteTableAsync(batch, earlierRun, ct));
            }
        }

        var results = await Task.WhenAll(writes);
        if (results.Any(ok => !ok))
        {
            return false;
        }

        _log.Complete(_window, rowCounts);
        Interlocked.Add(ref _writtenRows, rows);
        Interlocked.Increment(ref _windowsWritten);
        return true;
    }

    /// <summary>Inserts one table's rows of the window, retrying until done; false when stopping first.</summary>
    private async Task<bool> WriteTableAsync(TableBatch table, bool earlierRun, CancellationToken ct)
    {
        var batch = new RowBatch(table.Table, table.Columns, table.Rows.WrittenMemory, table.RowCount);
        for (var attempt = 1; ; attempt++)
        {
            var started = Stopwatch.GetTimestamp();
            DedupResult? dedup = null;
            var stored = false;
            try
            {
                var toWrite = batch;
                if (_deduplicator is not null && table.Table == Storage.Rows.LlmCallRow.Table)
                {
                    // Records of an earlier run, or an insert that failed (it may have been stored all the same), are
                    // checked against ClickHouse; the rest against the recent keys.
                    dedup = await _deduplicator.FilterAsync(batch, checkStorage: earlierRun || attempt > 1, ct);
                    toWrite = dedup.Value.Batch;
                }

                if (toWrite.RowCount > 0)
                {
                    await _inner.WriteAsync(toWrite.Table, toWrite.Columns, toWrite.RowBinary, toWrite.RowCount, ct);
                    _receiverMetrics.BatchWritten(toWrite.Table, toWrite.RowCount, Stopwatch.GetElapsedTime(started).TotalMilliseconds);
                }

                stored = true;
                if (attempt > 1)
                {
                    LogRecovered(_logger, table.Table, attempt - 1);
                }

                return true;
            }
            catch (OperationCanceledException) when (ct.IsCancellationRequested)
            {
                return false;
            }
            catch (Exception e) when (e is DedupUnavailableException || FailureClassifier.IsRetryable(e))
            {
                _receiverMetrics.BatchFailed(table.Table);
                if (_draining)
                {
                    return false;
                }

                var delay = Backoff(attempt, _options);
                LogRetrying(_logger, table.Table, table.RowCount, attempt, (int)delay.TotalMilliseconds, e.Message);
                try
                {
                    await Task.Delay(delay, ct);
                }
                catch (OperationCanceledException)
                {
                    return false;
                }
            }
            catch (Exception e)
            {
                _receiverMetrics.BatchFailed(table.Table);
                var rejected = dedup?.Batch ?? batch;
                _deadLetters.Add(rejected.Table, rejected.Columns, rejected.RowBinary.Span, rejected.RowCount, e.Message);
                _metrics.DeadLettered(rejected.RowCount);
                LogDeadLettered(_logger, rejected.Table, rejected.RowCount, _deadLetters.Directory, e.Message);
                stored = true;
                return true;
            }
            finally
            {
                if (dedup is { } d)
                {
                    // Not written: its keys are forgotten, so the next attempt (or the client's retry) is not taken for a duplicate.
                    _deduplicator!.Complete(d, stored);
                }
            }
        }
    }

    /// <summary>Exponential backoff from the initial to the maximum delay, with the upper half jittered.</summary>
    internal static TimeSpan Backoff(int attempt, WalOptions options)
    {
        var initial = Math.Max(1, options.RetryInitialMilliseconds);
        var max = Math.Max(initial, options.RetryMaxMilliseconds);
        var exponential = Math.Min(max, initial * Math.Pow(2, Math.Min(30, attempt - 1)));
        return TimeSpan.FromMilliseconds(exponential * (0.5 + (Random.Shared.NextDouble() * 0.5)));
    }

    /// <summary>One table's rows of a window, in a buffer reused window after window.</summary>
    private sealed class TableBatch(string table, string columns)
    {
        public string Table { get; } = table;

        public string Columns { get; } = columns;

        public RowBinaryWriter Rows { get; } = new(256 * 1024);

        public int RowCount { get; set; }

        public void Reset()
        {
            Rows.Reset();
            RowCount = 0;
        }
    }

    [LoggerMessage(EventId = ReceiverEventIds.InsertRetrying, Level = LogLevel.Warning, Message = "Inserting {Rows} rows from the write-ahead log into {Table} failed (attempt {Attempt}, next in {DelayMs} ms): {Error}")]
    private static partial void LogRetrying(ILogger logger, string table, int rows, int attempt, int delayMs, string error);

    [LoggerMessage(EventId = ReceiverEventIds.InsertsRecovered, Level = LogLevel.Information, Message = "ClickHouse accepts inserts into {Table} again after {Failures} failed attempts")]
    private static partial void LogRecovered(ILogger logger, string table, int failures);

    [LoggerMessage(EventId = ReceiverEventIds.DeadLettered, Level = LogLevel.Error, Message = "ClickHouse refused {Rows} rows for {Table} as invalid; kept in the dead-letter folder {Directory}: {Error}")]
    private static partial void LogDeadLettered(ILogger logger, string table, int rows, string directory, string error);

    [LoggerMessage(EventId = ReceiverEventIds.WalRecordUnreadable, Level = LogLevel.Error, Message = "Write-ahead log record at segment {Segment} offset {Offset} cannot be read ({Error}); its bytes are kept in {Path} and the writers go on")]
    private static partial void LogUnreadable(ILogger logger, long segment, long offset, string path, string error);
}
