using Microsoft.Extensions.Logging.Abstractions;
using OtelLlm.Receiver.Pipeline.Reliability;
using OtelLlm.Receiver.Pipeline.Spool;

namespace OtelLlm.Reliability.Tests;

public sealed class SpoolingBatchWriterTests : IDisposable
{
    private static readonly TimeSpan s_wait = TimeSpan.FromSeconds(60);
    private readonly string _dir = Path.Combine(Path.GetTempPath(), "otelllm-writer-" + Guid.NewGuid().ToString("N"));
    private readonly SpoolOptions _options = new() { DirectAttempts = 2, RetryInitialMilliseconds = 5, RetryMaxMilliseconds = 50 };
    private readonly FakeBatchWriter _inner = new();
    private readonly ReliabilityMetrics _metrics = new();

    public void Dispose()
    {
        _metrics.Dispose();
        if (Directory.Exists(_dir))
        {
            Directory.Delete(_dir, recursive: true);
        }
    }

    [Fact]
    public async Task WriteAsync_ClickHouseUp_WritesDirectlyWithoutSpooling()
    {
        using var spool = OpenSpool();
        using var writer = NewWriter(spool);
        await writer.WriteAsync("t", "A", new byte[] { 1, 2 }, 1, CancellationToken.None);
        Assert.Single(_inner.Written);
        Assert.Equal(0, _metrics.SpooledBatches);
        Assert.Empty(Directory.GetFiles(Path.Combine(_dir, "spool"), "*.spool"));
    }

    [Fact]
    public async Task WriteAsync_ClickHouseDown_SpoolsAndReplaysInOrderOnceBack()
    {
        using var spool = OpenSpool();
        using var writer = NewWriter(spool);
        _inner.Failure = FakeBatchWriter.Unavailable;
        for (byte i = 0; i < 20; i++)
        {
            await writer.WriteAsync("t", "A", new[] { i }, 1, CancellationToken.None);
        }

        Assert.Equal(20, spool.PendingCount);
        Assert.Empty(_inner.Written);

        using var cts = new CancellationTokenSource();
        var replay = writer.RunReplayAsync(cts.Token);
        await Task.Delay(50);
        _inner.Failure = null;
        await WaitUntil(() => spool.PendingCount == 0);

        // Written while the replayer may still be draining: must land behind the spooled batches.
        await writer.WriteAsync("t", "A", new byte[] { 20 }, 1, CancellationToken.None);
        await WaitUntil(() => _inner.Written.Count == 21);
        await cts.CancelAsync();
        await replay;

        Assert.Equal(Enumerable.Range(0, 21).Select(i => (byte)i), _inner.Written.Select(w => w.Rows[0]));
        Assert.Equal(20, _metrics.ReplayedBatches);
    }

    [Fact]
    public async Task WriteAsync_SpoolNotEmpty_NewBatchGoesBehindIt()
    {
        using var spool = OpenSpool();
        using var writer = NewWriter(spool);
        _inner.Failure = FakeBatchWriter.Unavailable;
        await writer.WriteAsync("t", "A", new byte[] { 1 }, 1, CancellationToken.None);
        _inner.Failure = null;
        await writer.WriteAsync("t", "A", new byte[] { 2 }, 1, CancellationToken.None);

        Assert.Empty(_inner.Written);
        Assert.Equal(2, spool.PendingCount);
    }

    [Fact]
    public async Task Replay_AfterRestart_WritesWhatEarlierProcessSpooled()
    {
        using (var spool = OpenSpool())
        {
            using var writer = NewWriter(spool);
            _inner.Failure = FakeBatchWriter.Unavailable;
            await writer.WriteAsync("t", "A", new byte[] { 9 }, 3, CancellationToken.None);
        }

        _inner.Failure = null;
        using var reopened = OpenSpool();
        using var restarted = NewWriter(reopened);
        using var cts = new CancellationTokenSource();
        var replay = restarted.RunReplayAsync(cts.Token);
        await WaitUntil(() => _inner.Written.Count == 1);
        await cts.CancelAsync();
        await replay;
        Assert.Equal(3, _inner.Written[0].RowCount);
    }

    [Fact]
    public async Task WriteAsync_PermanentError_GoesToDeadLetterWithReason()
    {
        using var spool = OpenSpool();
        using var writer = NewWriter(spool);
        _inner.Failure = FakeBatchWriter.TypeMismatch;
        await writer.WriteAsync("llm_calls", "A, B", new byte[] { 7, 8 }, 2, CancellationToken.None);

        var dead = new DeadLetterStore(Path.Combine(_dir, "dead")).ReadAll();
        var record = Assert.Single(dead);
        Assert.Equal("llm_calls", record.Table);
        Assert.Equal(new byte[] { 7, 8 }, record.RowBinary.ToArray());
        Assert.Contains("53", record.Reason, StringComparison.Ordinal);
        Assert.Equal(2, _metrics.DeadLetteredRows);
        Assert.Equal(0, spool.PendingCount);
    }

    [Fact]
    public async Task Replay_PermanentError_DeadLettersAndMovesOn()
    {
        using var spool = OpenSpool();
        using var writer = NewWriter(spool);
        _inner.Failure = FakeBatchWriter.Unavailable;
        await writer.WriteAsync("t", "A", new byte[] { 1 }, 1, CancellationToken.None);
        await writer.WriteAsync("t", "A", new byte[] { 2 }, 1, CancellationToken.None);
        var calls = 0;
        _inner.Failure = () => Interlocked.Increment(ref calls) == 1 ? FakeBatchWriter.TypeMismatch() : null;

        using var cts = new CancellationTokenSource();
        var replay = writer.RunReplayAsync(cts.Token);
        await WaitUntil(() => spool.PendingCount == 0);
        await cts.CancelAsync();
        await replay;

        Assert.Single(new DeadLetterStore(Path.Combine(_dir, "dead")).ReadAll());
        Assert.Equal(2, _inner.Written.Single().Rows[0]);
    }

    [Fact]
    public async Task WriteAsync_SpoolFull_ThrowsSoClientRetries()
    {
        _options.MaxSpoolBytes = 200;
        using var spool = OpenSpool();
        using var writer = NewWriter(spool);
        _inner.Failure = FakeBatchWriter.Unavailable;
        await writer.WriteAsync("t", "A", new byte[100], 1, CancellationToken.None);
        await Assert.ThrowsAsync<SpoolFullException>(() => writer.WriteAsync("t", "A", new byte[100], 1, CancellationToken.None));
    }

    [Fact]
    public void Backoff_GrowsToMaxWithJitter()
    {
        var options = new SpoolOptions { RetryInitialMilliseconds = 100, RetryMaxMilliseconds = 1000 };
        for (var i = 0; i < 100; i++)
        {
            var first = SpoolingBatchWriter.Backoff(1, options).TotalMilliseconds;
            var late = SpoolingBatchWriter.Backoff(20, options).TotalMilliseconds;
            Assert.InRange(first, 50, 100);
            Assert.InRange(late, 500, 1000);
        }
    }

    private DurableSpool OpenSpool() => DurableSpool.Open(Path.Combine(_dir, "spool"), _options, NullLogger.Instance);

    private SpoolingBatchWriter NewWriter(DurableSpool spool)
        => new(_inner, spool, new DeadLetterStore(Path.Combine(_dir, "dead")), _options, _metrics, NullLogger<SpoolingBatchWriter>.Instance);

    private static async Task WaitUntil(Func<bool> condition)
    {
        var deadline = DateTime.UtcNow + s_wait;
        while (!condition() && DateTime.UtcNow < deadline)
        {
            await Task.Delay(20);
        }

        Assert.True(condition(), "condition not reached in time");
    }
}
