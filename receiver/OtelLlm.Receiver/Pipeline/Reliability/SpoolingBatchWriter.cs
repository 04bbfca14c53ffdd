using OtelLlm.Receiver.Diagnostics;
using OtelLlm.Receiver.Pipeline.Spool;

namespace OtelLlm.Receiver.Pipeline.Reliability;

/// <summary>
/// An <see cref="IBatchWriter"/> that never loses an acknowledged batch: it tries ClickHouse a few times, and when
/// ClickHouse keeps failing it appends the batch to the durable spool and reports success (the batch is on disk).
/// <see cref="RunReplayAsync"/> drains the spool in order with exponential backoff and jitter. While the spool holds
/// anything, new batches queue behind it so a table's rows keep their order. Batches ClickHouse refuses as invalid
/// go to the dead-letter store, with a log line and a metric.
/// </summary>
internal sealed partial class SpoolingBatchWriter(
    IBatchWriter inner,
    DurableSpool spool,
    DeadLetterStore deadLetters,
    SpoolOptions options,
    ReliabilityMetrics metrics,
    ILogger<SpoolingBatchWriter> logger,
    IBatchDeduplicator? deduplicator = null) : IBatchWriter, IDisposable
{
    private readonly SemaphoreSlim _signal = new(0, int.MaxValue);

    /// <summary>The spool behind this writer.</summary>
    public DurableSpool Spool => spool;

    public async Task WriteAsync(string table, string columns, ReadOnlyMemory<byte> rowBinary, int rowCount, CancellationToken ct)
    {
        var batch = new RowBatch(table, columns, rowBinary, rowCount);
        if (deduplicator is null)
        {
            await WriteOrSpoolAsync(batch, ct);
            return;
        }

        DedupResult result;
        try
        {
            result = await deduplicator.FilterAsync(batch, checkStorage: false, ct);
        }
        catch (DedupUnavailableException e)
        {
            // The batch could not be checked against ClickHouse; the replay checks it once ClickHouse answers.
            LogSpooling(logger, batch.Table, batch.RowCount, e.Message);
            SpoolBatch(batch);
            return;
        }

        var stored = false;
        try
        {
            if (result.Batch.RowCount > 0)
            {
                await WriteOrSpoolAsync(result.Batch, ct);
            }

            stored = true;
        }
        finally
        {
            // Neither written nor spooled: the client is told to retry, and its retry must not look like a duplicate.
            deduplicator.Complete(result, stored);
        }
    }

    private async Task WriteOrSpoolAsync(RowBatch batch, CancellationToken ct)
    {
        if (spool.PendingCount == 0)
        {
            for (var attempt = 1; ; attempt++)
            {
                try
                {
                    await inner.WriteAsync(batch.Table, batch.Columns, batch.RowBinary, batch.RowCount, ct);
                    return;
                }
                catch (Exception e) when (!FailureClassifier.IsRetryable(e))
                {
                    DeadLetter(batch, e);
                    return;
                }
                catch (Exception e) when (attempt >= Math.Max(1, options.DirectAttempts) || ct.IsCancellationRequested)
                {
                    LogSpooling(logger, batch.Table, batch.RowCount, e.Message);
                    break;
                }
                catch (Exception)
                {
                    await DelayQuietly(Backoff(attempt, options), ct);
                }
            }
        }

        SpoolBatch(batch);
    }

    private void SpoolBatch(RowBatch batch)
    {
        spool.Append(batch.Table, batch.Columns, batch.RowBinary.Span, batch.RowCount);
        metrics.Spooled();
        _signal.Release();
    }

    /// <summary>Writes spooled batches to ClickHouse, oldest first, until <paramref name="ct"/> is cancelled.</summary>
    public async Task RunReplayAsync(CancellationToken ct)
    {
        var failures = 0;
        while (!ct.IsCancellationRequested)
        {
            if (!spool.TryPeek(out var entry))
            {
                try
                {
                    await _signal.WaitAsync(TimeSpan.FromSeconds(1), ct);
                }
                catch (OperationCanceledException)
                {
                    return;
                }

                continue;
            }

            SpoolRecord record;
            try
            {
                record = spool.Read(entry);
            }
            catch (Exception e) when (e is IOException or InvalidDataException)
            {
                // Never dropped unseen: whatever can still be read of it is kept for an operator before it is passed.
                var kept = spool.Discard(entry, "unreadable at replay: " + e.Message);
                LogUnreadable(logger, entry.Segment, entry.Offset, kept, e.Message);
                spool.Complete(entry);
                continue;
            }

            var batch = new RowBatch(record.Table, record.Columns, record.RowBinary, record.RowCount);
            try
            {
                if (deduplicator is not null)
                {
                    // A crash or a timed-out insert may have stored the batch already; ask ClickHouse before inserting again.
                    batch = (await deduplicator.FilterAsync(batch, checkStorage: true, ct)).Batch;
                }

                if (batch.RowCount > 0)
                {
                    await inner.WriteAsync(batch.Table, batch.Columns, batch.RowBinary, batch.RowCount, ct);
                }

                spool.Complete(entry);
                metrics.Replayed();
                if (failures > 0)
                {
                    LogRecovered(logger, failures);
                }

                failures = 0;
            }
            catch (OperationCanceledException) when (ct.IsCancellationRequested)
            {
                return;
            }
            catch (Exception e) when (FailureClassifier.IsRetryable(e))
            {
                failures++;
                var delay = Backoff(failures, options);
                LogReplayFailed(logger, batch.Table, failures, (int)delay.TotalMilliseconds, e.Message);
                await DelayQuietly(delay, ct);
            }
            catch (Exception e)
            {
                DeadLetter(batch, e);
                spool.Complete(entry);
            }
        }
    }

    public void Dispose() => _signal.Dispose();

    /// <summary>Exponential backoff from the initial to the maximum delay, with the upper half jittered.</summary>
    internal static TimeSpan Backoff(int attempt, SpoolOptions options)
    {
        var initial = Math.Max(1, options.RetryInitialMilliseconds);
        var max = Math.Max(initial, options.RetryMaxMilliseconds);
        var exponential = Math.Min(max, initial * Math.Pow(2, Math.Min(30, attempt - 1)));
        return TimeSpan.FromMilliseconds(exponential * (0.5 + (Random.Shared.NextDouble() * 0.5)));
    }

    private void DeadLetter(RowBatch batch, Exception e)
    {
        deadLetters.Add(batch.Table, batch.Columns, batch.RowBinary.Span, batch.RowCount, e.Message);
        metrics.DeadLettered(batch.RowCount);
        LogDeadLettered(logger, batch.Table, batch.RowCount, deadLetters.Directory, e.Message);
    }

    private static async Task DelayQuietly(TimeSpan delay, CancellationToken ct)
    {
        try
        {
            await Task.Delay(delay, ct);
        }
        catch (OperationCanceledException)
        {
            // Shutting down: the caller spools the batch or leaves it in the spool.
        }
    }

    [LoggerMessage(EventId = ReceiverEventIds.InsertSpooled, Level = LogLevel.Warning, Message = "ClickHouse insert into {Table} failed ({Error}); {Rows} rows kept in the spool and retried in the background")]
    private static partial void LogSpooling(ILogger logger, string table, int rows, string error);

    [LoggerMessage(EventId = ReceiverEventIds.ReplayFailed, Level = LogLevel.Warning, Message = "Replaying a spooled batch into {Table} failed (attempt {Attempt}, next in {DelayMs} ms): {Error}")]
    private static partial void LogReplayFailed(ILogger logger, string table, int attempt, int delayMs, string error);

    [LoggerMessage(EventId = ReceiverEventIds.InsertsRecovered, Level = LogLevel.Information, Message = "ClickHouse accepts inserts again after {Failures} failed replay attempts")]
    private static partial void LogRecovered(ILogger logger, int failures);

    [LoggerMessage(EventId = ReceiverEventIds.DeadLettered, Level = LogLevel.Error, Message = "ClickHouse refused {Rows} rows for {Table} as invalid; kept in the dead-letter folder {Directory}: {Error}")]
    private static partial void LogDeadLettered(ILogger logger, string table, int rows, string directory, string error);

    [LoggerMessage(EventId = ReceiverEventIds.SpoolRecordUnreadable, Level = LogLevel.Error, Message = "Spool record at segment {Segment} offset {Offset} cannot be read ({Error}); its bytes are kept in {Path} and the replay goes on")]
    private static partial void LogUnreadable(ILogger logger, long segment, long offset, string path, string error);
}
