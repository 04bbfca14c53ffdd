using OtelLlm.Receiver.Diagnostics;
using OtelLlm.Receiver.Pipeline.Reliability;
using OtelLlm.Receiver.Pipeline.Wal;

namespace OtelLlm.Receiver.Pipeline;

/// <summary>
/// Decoded rows → the write-ahead log. A request is acknowledged once its rows are durable in the log (one append of
/// all its tables' records, then the group commit); the <see cref="WalWriter"/> writes them to ClickHouse behind that.
/// A full log or a disk that refuses the write is a retryable refusal.
/// </summary>
internal sealed partial class TelemetryPipeline(WriteAheadLog log, WalWriter writer, ReceiverMetrics metrics, ILogger<TelemetryPipeline> logger)
{
    /// <summary>The log behind the pipeline.</summary>
    public WriteAheadLog Log => log;

    /// <summary>Whether the log is at its disk budget: new requests are refused before their body is read.</summary>
    public bool LogFull => log.Full;

    /// <summary>Appends a request's rows to the log; the task completes when they are durable.</summary>
    /// <exception cref="PipelineOverloadedException">The log is full; nothing was appended.</exception>
    /// <exception cref="PipelineWriteException">The disk refused the write or the fsync; the client should retry.</exception>
    public Task SubmitAsync(EncodedRequest request)
    {
        Span<int> present = stackalloc int[Tables.Count];
        var count = 0;
        for (var i = 0; i < Tables.Count; i++)
        {
            if (request.Rows((TableId)i) > 0 || request.Bytes((TableId)i).Length > 0)
            {
                present[count++] = i;
            }
        }

        if (count == 0)
        {
            return Task.CompletedTask;
        }

        var records = new WalAppend[count];
        for (var k = 0; k < count; k++)
        {
            var table = (TableId)present[k];
            records[k] = new WalAppend(Tables.Names[(int)table], Tables.Columns[(int)table], request.Memory(table), request.Rows(table));
        }

        long sequence;
        try
        {
            sequence = log.Append(records);
        }
        catch (WalFullException e)
        {
            metrics.Rejected("wal_full");
            LogFullRefused(logger, log.DiskBytes, log.MaxBytes);
            throw new PipelineOverloadedException(e.Message);
        }
        catch (IOException e)
        {
            metrics.Rejected("wal_write_failed");
            LogAppendFailed(logger, e, log.DirectoryPath, e.Message);
            throw new PipelineWriteException("the write-ahead log cannot be written: " + e.Message, e);
        }

        return WaitAsync(sequence);
    }

    private async Task WaitAsync(long sequence)
    {
        try
        {
            await log.WaitDurableAsync(sequence);
        }
        catch (IOException e)
        {
            metrics.Rejected("wal_sync_failed");
            throw new PipelineWriteException("the write-ahead log cannot be synced to disk: " + e.Message, e);
        }
        catch (ObjectDisposedException e)
        {
            throw new PipelineOverloadedException("the receiver is shutting down: " + e.Message);
        }

        writer.Wake();
    }

    [LoggerMessage(EventId = ReceiverEventIds.WalFull, Level = LogLevel.Warning, Message = "The write-ahead log is full ({Bytes} of {MaxBytes} bytes): requests are refused as retryable until the writers catch up with ClickHouse")]
    private static partial void LogFullRefused(ILogger logger, long bytes, long maxBytes);

    [LoggerMessage(EventId = ReceiverEventIds.WalAppendFailed, Level = LogLevel.Error, Message = "Appending to the write-ahead log in {Directory} failed ({Error}); the request is refused as retryable")]
    private static partial void LogAppendFailed(ILogger logger, Exception exception, string directory, string error);
}
