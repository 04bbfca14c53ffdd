using System.Diagnostics.Metrics;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using OtelLlm.Receiver.Configuration;
using OtelLlm.Receiver.Diagnostics;
using OtelLlm.Receiver.Pipeline.Reliability;
using OtelLlm.Receiver.Pipeline.Wal;

namespace OtelLlm.Reliability.Tests;

/// <summary>The writer that drains the write-ahead log, against a fake ClickHouse that fails on demand.</summary>
public sealed class WalWriterTests : IDisposable
{
    private static readonly TimeSpan s_wait = TimeSpan.FromSeconds(60);
    private readonly string _dir = Path.Combine(Path.GetTempPath(), "otelllm-writer-" + Guid.NewGuid().ToString("N"));
    private readonly WalOptions _options = new() { RetryInitialMilliseconds = 5, RetryMaxMilliseconds = 50, Durability = WalDurability.Os };
    private readonly ReceiverOptions _receiver = new() { BatchMaxDelayMilliseconds = 20 };
    private readonly FakeBatchWriter _inner = new();
    private readonly ReliabilityMetrics _metrics = new();
    private readonly ServiceProvider _services = new ServiceCollection().AddMetrics().BuildServiceProvider();

    public void Dispose()
    {
        _metrics.Dispose();
        _services.Dispose();
        if (Directory.Exists(_dir))
        {
            Directory.Delete(_dir, recursive: true);
        }
    }

    [Fact]
    public async Task Run_DurableRecords_OneInsertPerTableInOrderThenTheLogIsEmpty()
    {
        using var log = OpenLog();
        for (byte i = 0; i < 30; i++)
        {
            log.Append(i % 2 == 0 ? "t" : "u", "A", new[] { i }, 1);
        }

        await using var writer = await StartAsync(log);
        await WaitUntil(() => log.PendingCount == 0);

        var written = _inner.Written;
        Assert.Equal([.. Enumerable.Range(0, 30).Where(i => i % 2 == 0).Select(i => (byte)i)], written.Where(w => w.Table == "t").SelectMany(w => w.Rows).ToArray());
        Assert.Equal([.. Enumerable.Range(0, 30).Where(i => i % 2 == 1).Select(i => (byte)i)], written.Where(w => w.Table == "u").SelectMany(w => w.Rows).ToArray());
        Assert.Equal(2, written.Count);
        Assert.Empty(Directory.GetFiles(LogDirectory, "*.wal"));
        Assert.Equal(0, log.PendingRows);
    }

    [Fact]
    public async Task Run_RecordsNotYetDurable_AreNotWrittenUntilSynced()
    {
        // Fsync mode with nobody asking for the fsync: the record is in the file but not acknowledged, so not written.
        _options.Durability = WalDurability.Fsync;
        using var log = OpenLog();
        var sequence = log.Append("t", "A", new byte[] { 1 }, 1);
        await using var writer = await StartAsync(log);
        writer.Wake();
        await Task.Delay(100);
        Assert.Empty(_inner.Written);
        Assert.Equal(1, log.PendingCount);

        await log.WaitDurableAsync(sequence);
        writer.Wake();
        await WaitUntil(() => log.PendingCount == 0);
        Assert.Single(_inner.Written);
    }

    [Fact]
    public async Task Run_ClickHouseDown_KeepsRetryingThenWritesEverythingOnceInOrder()
    {
        using var log = OpenLog();
        _inner.Failure = FakeBatchWriter.Unavailable;
        await using var writer = await StartAsync(log);
        for (byte i = 0; i < 20; i++)
        {
            log.Append("t", "A", new[] { i }, 1);
            writer.Wake();
        }

        await WaitUntil(() => _inner.Attempts >= 3);
        Assert.Empty(_inner.Written);
        Assert.Equal(20, log.PendingCount);

        _inner.Failure = null;
        await WaitUntil(() => log.PendingCount == 0);
        log.Append("t", "A", new byte[] { 20 }, 1);
        writer.Wake();
        await WaitUntil(() => log.PendingCount == 0);

        Assert.Equal(Enumerable.Range(0, 21).Select(i => (byte)i), _inner.Written.SelectMany(w => w.Rows));
    }

    [Fact]
    public async Task Run_OneTableFails_TheOtherIsWrittenOnceNotAgainOnEveryRetry()
    {
        using var log = OpenLog();
        log.Append("t", "A", new byte[] { 1 }, 1);
        log.Append("u", "A", new byte[] { 2 }, 1);
        var failU = 1;
        _inner.FailureFor = table => table == "u" && Volatile.Read(ref failU) == 1 ? FakeBatchWriter.Unavailable() : null;
        await using var writer = await StartAsync(log);
        await WaitUntil(() => _inner.Attempts >= 5);
        Assert.Equal(2, log.PendingCount);
        Volatile.Write(ref failU, 0);
        await WaitUntil(() => log.PendingCount == 0);

        Assert.Equal(1, _inner.Written.Count(w => w.Table == "t"));
        Assert.Equal(1, _inner.Written.Count(w => w.Table == "u"));
    }

    [Fact]
    public async Task Run_AfterRestart_WritesWhatTheEarlierProcessLeft()
    {
        _inner.Failure = FakeBatchWriter.Unavailable;
        using (var log = OpenLog())
        {
            log.Append("t", "A", new byte[] { 9 }, 3);
            await using var writer = await StartAsync(log);
            await WaitUntil(() => _inner.Attempts >= 1);
        }

        _inner.Failure = null;
        using var reopened = OpenLog();
        Assert.Equal(1, reopened.RecoveredRecords);
        await using var restarted = await StartAsync(reopened);
        await WaitUntil(() => reopened.PendingCount == 0);
        Assert.Equal(3, Assert.Single(_inner.Written).RowCount);
    }

    [Fact]
    public async Task Run_PermanentError_GoesToDeadLetterWithTheServersMessageAndMovesOn()
    {
        using var log = OpenLog();
        log.Append("llm_calls", "A, B", new byte[] { 7, 8 }, 2);
        var calls = 0;
        _inner.Failure = () => Interlocked.Increment(ref calls) == 1 ? FakeBatchWriter.TypeMismatch() : null;
        await using var writer = await StartAsync(log);
        await WaitUntil(() => log.PendingCount == 0);
        log.Append("llm_calls", "A, B", new byte[] { 9 }, 1);
        writer.Wake();
        await WaitUntil(() => log.PendingCount == 0);

        var record = Assert.Single(new DeadLetterStore(Path.Combine(_dir, "dead")).ReadAll());
        Assert.Equal("llm_calls", record.Table);
        Assert.Equal(new byte[] { 7, 8 }, record.RowBinary.ToArray());
        Assert.Contains("Type mismatch", record.Reason, StringComparison.Ordinal);
        Assert.Equal(2, _metrics.DeadLetteredRows);
        Assert.Equal(new byte[] { 9 }, Assert.Single(_inner.Written).Rows);
    }

    [Fact]
    public async Task Run_ManyRecords_InsertsStayWithinBatchMaxRows()
    {
        _receiver.BatchMaxRows = 10;
        using var log = OpenLog();
        for (byte i = 0; i < 35; i++)
        {
            log.Append("t", "A", new[] { i }, 1);
        }

        await using var writer = await StartAsync(log);
        await WaitUntil(() => log.PendingCount == 0);
        Assert.All(_inner.Written, w => Assert.InRange(w.RowCount, 1, 10));
        Assert.Equal(35, _inner.Written.Sum(w => w.RowCount));
        Assert.True(_inner.Written.Count >= 4);
    }

    [Fact]
    public async Task Run_RecordCorruptedOnDisk_IsSetAsideAndTheRestIsWritten()
    {
        using var log = OpenLog();
        log.Append("t", "A", new byte[] { 1, 1, 1, 1 }, 1);
        log.Append("t", "A", new byte[] { 2, 2, 2, 2 }, 1);
        var segment = Assert.Single(Directory.GetFiles(LogDirectory, "*.wal"));
        var first = File.ReadAllBytes(segment).AsSpan().IndexOf(new byte[] { 1, 1, 1, 1 });
        using (var stream = new FileStream(segment, FileMode.Open, FileAccess.Write, FileShare.ReadWrite | FileShare.Delete))
        {
            stream.Position = first;
            stream.WriteByte(0xFF);
        }

        await using var writer = await StartAsync(log);
        await WaitUntil(() => log.PendingCount == 0);
        Assert.Equal(new byte[] { 2, 2, 2, 2 }, Assert.Single(_inner.Written).Rows);
        Assert.Single(Directory.GetFiles(Path.Combine(_dir, "discarded"), "*.bin"));
    }

    [Fact]
    public void Backoff_GrowsToMaxWithJitter()
    {
        var options = new WalOptions { RetryInitialMilliseconds = 100, RetryMaxMilliseconds = 1000 };
        for (var i = 0; i < 100; i++)
        {
            var first = WalWriter.Backoff(1, options).TotalMilliseconds;
            var late = WalWriter.Backoff(20, options).TotalMilliseconds;
            Assert.InRange(first, 50, 100);
            Assert.InRange(late, 500, 1000);
        }
    }

    private string LogDirectory => Path.Combine(_dir, "wal");

    private WriteAheadLog OpenLog() => WriteAheadLog.Open(LogDirectory, _options, NullLogger.Instance, Path.Combine(_dir, "discarded"));

    private async Task<RunningWriter> StartAsync(WriteAheadLog log)
    {
        var writer = new WalWriter(
            log,
            _inner,
            new DeadLetterStore(Path.Combine(_dir, "dead")),
            _options,
            Options.Create(_receiver),
            _metrics,
            new ReceiverMetrics(_services.GetRequiredService<IMeterFactory>()),
            NullLogger<WalWriter>.Instance);
        await writer.StartAsync(CancellationToken.None);
        return new RunningWriter(writer);
    }

    private static async Task WaitUntil(Func<bool> condition)
    {
        var deadline = DateTime.UtcNow + s_wait;
        while (!condition() && DateTime.UtcNow < deadline)
        {
            await Task.Delay(20);
        }

        Assert.True(condition(), "condition not reached in time");
    }

    /// <summary>A started writer, stopped without its final drain when disposed.</summary>
    private sealed class RunningWriter(WalWriter writer) : IAsyncDisposable
    {
        public void Wake() => writer.Wake();

        public async ValueTask DisposeAsync()
        {
            using var stopNow = new CancellationTokenSource();
            await stopNow.CancelAsync();
            try
            {
                await writer.StopAsync(stopNow.Token);
            }
            catch (OperationCanceledException)
            {
                // Stopped at once, as asked.
            }

            writer.Dispose();
        }
    }
}
