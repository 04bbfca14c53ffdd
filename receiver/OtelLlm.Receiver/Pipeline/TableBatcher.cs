using System.Diagnostics;
using OtelLlm.Storage.ClickHouse;

using OtelLlm.Receiver.Diagnostics;

namespace OtelLlm.Receiver.Pipeline;

/// <summary>
/// Collects the rows of many requests for one table and writes them as one insert when the batch is full or old
/// enough. Every request added to a batch waits on that batch's single completion, which is set once
/// <see cref="IBatchWriter.WriteAsync"/> has made the rows durable (or failed).
/// </summary>
internal sealed partial class TableBatcher : IAsyncDisposable
{
    private readonly TableId _table;
    private readonly IBatchWriter _writer;
    private readonly int _maxRows;
    private readonly TimeSpan _maxDelay;
    private readonly MemoryBudget _budget;
    private readonly ReceiverMetrics _metrics;
    private readonly ILogger _logger;
    private readonly SemaphoreSlim _signal = new(0);
    private readonly Lock _gate = new();
    private readonly CancellationTokenSource _abort = new();
    private RowBinaryWriter _current = new(256 * 1024);
    private RowBinaryWriter _spare = new(256 * 1024);
    private int _rows;
    private long _firstRowTimestamp;
    private TaskCompletionSource _completion = NewCompletion();
    private bool _stopping;
    private bool _disposed;
    private Task? _loop;

    public TableBatcher(TableId table, IBatchWriter writer, int maxRows, TimeSpan maxDelay, MemoryBudget budget, ReceiverMetrics metrics, ILogger logger)
    {
        _table = table;
        _writer = writer;
        _maxRows = Math.Max(1, maxRows);
        _maxDelay = maxDelay;
        _budget = budget;
        _metrics = metrics;
        _logger = logger;
    }

    public void Start() => _loop ??= Task.Run(RunAsync);

    /// <summary>Adds encoded rows; the returned task completes when the batch holding them is written.</summary>
    /// <remarks>The caller has already reserved <paramref name="rowBinary"/>'s length in the memory budget.</remarks>
    public Task Add(ReadOnlySpan<byte> rowBinary, int rows)
    {
        bool wake;
        Task done;
        lock (_gate)
        {
            if (_stopping)
            {
                throw new PipelineOverloadedException("the receiver is shutting down");
            }

            _current.WriteRaw(rowBinary);
            if (_rows == 0)
            {
                _firstRowTimestamp = Stopwatch.GetTimestamp();
            }

            var wasEmpty = _rows == 0;
            _rows += rows;
            wake = wasEmpty || _rows >= _maxRows;
            done = _completion.Task;
        }

        if (wake)
        {
            _signal.Release();
        }

        return done;
    }

    /// <summary>Writes what is pending and stops the loop.</summary>
    public async ValueTask DisposeAsync()
    {
        lock (_gate)
        {
            if (_disposed)
            {
                return;
            }

            _disposed = true;
            _stopping = true;
        }

        _signal.Release();
        if (_loop is { } loop)
        {
            // A write stuck past the host's shutdown time is abandoned; its clients get an error and retry.
            if (await Task.WhenAny(loop, Task.Delay(TimeSpan.FromSeconds(30))) != loop)
            {
                await _abort.CancelAsync();
                await loop;
            }
        }

        _current.Dispose();
        _spare.Dispose();
        _abort.Dispose();
        _signal.Dispose();
    }

    private static TaskCompletionSource NewCompletion() => new(TaskCreationOptions.RunContinuationsAsynchronously);

    private async Task RunAsync()
    {
        while (true)
        {
            RowBinaryWriter batch;
            int rows;
            TaskCompletionSource completion;
            var wait = Timeout.InfiniteTimeSpan;
            lock (_gate)
            {
                if (_rows == 0)
                {
                    if (_stopping)
                    {
                        return;
                    }
                }
                else
                {
                    var age = Stopwatch.GetElapsedTime(_firstRowTimestamp);
                    if (!_stopping && _rows < _maxRows && age < _maxDelay)
                    {
                        wait = _maxDelay - age;
                    }
                }

                if (_rows == 0 || wait != Timeout.InfiniteTimeSpan)
                {
                    batch = null!;
                    rows = 0;
                    completion = null!;
                }
                else
                {
                    batch = _current;
                    rows = _rows;
                    completion = _completion;
                    _current = _spare;
                    _current.Reset();
                    _rows = 0;
                    _completion = NewCompletion();
                }
            }

            if (batch is null)
            {
                await _signal.WaitAsync(wait);
                continue;
            }

            await WriteBatchAsync(batch, rows, completion);
            _spare = batch;
        }
    }

    private async Task WriteBatchAsync(RowBinaryWriter batch, int rows, TaskCompletionSource completion)
    {
        var bytes = batch.Length;
        var name = Tables.Names[(int)_table];
        var started = Stopwatch.GetTimestamp();
        Exception? failure = null;
        try
        {
            await _writer.WriteAsync(name, Tables.Columns[(int)_table], batch.WrittenMemory, rows, _abort.Token);
            _metrics.BatchWritten(name, rows, Stopwatch.GetElapsedTime(started).TotalMilliseconds);
        }
        catch (Exception ex)
        {
            LogWriteFailed(_logger, ex, rows, name);
            _metrics.BatchFailed(name);
            failure = ex;
        }
        finally
        {
            _budget.Release(bytes);
            batch.Reset();
        }

        // Released before the senders hear back: a sender that sends again at once must not be refused for its own
        // batch's bytes.
        if (failure is null)
        {
            completion.TrySetResult();
        }
        else
        {
            completion.TrySetException(new PipelineWriteException($"writing to {name} failed: {failure.Message}", failure));
        }
    }

    [LoggerMessage(EventId = ReceiverEventIds.BatchWriteFailed, Level = LogLevel.Warning, Message = "Writing a batch of {Rows} rows to {Table} failed; the senders are told to retry")]
    private static partial void LogWriteFailed(ILogger logger, Exception exception, int rows, string table);
}
