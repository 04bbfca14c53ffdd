using System.Globalization;
using BenchmarkDotNet.Attributes;
using Microsoft.Extensions.Logging.Abstractions;
using OtelLlm.Receiver.Pipeline.Reliability;
using OtelLlm.Storage.ClickHouse;
using OtelLlm.Storage.Rows;
using OtelLlm.Storage.Schema;

namespace OtelLlm.Benchmarks;

/// <summary>
/// The receiver's <c>llm_calls</c> de-duplication before insert: one batch of <see cref="Rows"/> new calls through a
/// window already holding <see cref="Window"/> keys (every key added evicts one), and filling an empty window with
/// <see cref="Window"/> keys (allocated bytes include what the window keeps). Needs ClickHouse
/// (<c>CLICKHOUSE_URL</c>, default <c>http://127.0.0.1:8123</c>) once, for the column types of a scratch database.
/// </summary>
[Config(typeof(BenchConfig))]
public class DedupBenchmarks
{
    private const int Rows = 10_000;
    private const int Window = 1_000_000;
    private ClickHouseClient _client = null!;
    private LlmCallDeduplicator _full = null!;
    private ReliabilityMetrics _metrics = null!;
    private RowBinaryWriter _batch = null!;
    private int[] _traceIdOffsets = null!;
    private long _next;

    [GlobalSetup]
    public async Task Setup()
    {
        var url = new Uri(Environment.GetEnvironmentVariable("CLICKHOUSE_URL") is { Length: > 0 } u ? u : "http://127.0.0.1:8123");
        _client = new ClickHouseClient(new ClickHouseOptions { Url = url, Database = "otel_llm_bench_dedup" });
        await new MigrationRunner(_client).ApplyAsync();
        _metrics = new ReliabilityMetrics();

        // One batch whose trace ids are rewritten before each use, so every filtered row is a new call.
        _batch = new RowBinaryWriter(Rows * 400);
        _traceIdOffsets = new int[Rows];
        var now = (ulong)DateTimeOffset.UtcNow.ToUnixTimeMilliseconds() * 1_000_000UL;
        for (var i = 0; i < Rows; i++)
        {
            var row = new LlmCallRow
            {
                Project = "default",
                StartTimeUnixNano = now,
                Duration = 1_500_000_000,
                TraceId = new string('0', 32),
                SpanId = (i + 1).ToString("x16", CultureInfo.InvariantCulture),
                ServiceName = "bench",
                Operation = "chat",
                Provider = "openai",
                RequestModel = "gpt-4o",
                ResponseModel = "gpt-4o-2024-08-06",
                InputTokens = 120,
                OutputTokens = 40,
                StatusCode = "Ok",
                SourceFormat = "otel-1.37",
            };
            var before = _batch.Length;
            row.Write(_batch);
            // Project ("default"), Timestamp, StartTimeUnixNano, Duration, then the trace id's length byte.
            _traceIdOffsets[i] = before + 1 + row.Project.Length + 4 + 8 + 8 + 1;
        }

        var memoryBefore = GC.GetTotalMemory(forceFullCollection: true);
        _full = await NewDeduplicatorAsync();
        for (var filled = 0; filled < Window; filled += Rows)
        {
            await FilterAsync(_full);
        }

        var retained = GC.GetTotalMemory(forceFullCollection: true) - memoryBefore;
        Console.WriteLine($"// dedup window of {Window:N0} keys retains {retained / (1024.0 * 1024.0):F1} MiB ({retained / Window} bytes a key)");
    }

    [GlobalCleanup]
    public async Task Cleanup()
    {
        await _client.ExecuteAsync("DROP DATABASE IF EXISTS otel_llm_bench_dedup", "drop the dedup benchmark database", useDatabase: false);
        _client.Dispose();
        _batch.Dispose();
        _metrics.Dispose();
    }

    /// <summary>10,000 new calls through a full window.</summary>
    [Benchmark]
    public Task FilterBatchFullWindow() => FilterAsync(_full);

    /// <summary>An empty window filled with 1,000,000 keys, 10,000 a batch.</summary>
    [Benchmark]
    public async Task FillWindow()
    {
        var dedup = await NewDeduplicatorAsync();
        for (var filled = 0; filled < Window; filled += Rows)
        {
            await FilterAsync(dedup);
        }
    }

    /// <summary>A deduplicator refilled from the (empty) scratch database, as at start-up.</summary>
    private async Task<LlmCallDeduplicator> NewDeduplicatorAsync()
    {
        var dedup = new LlmCallDeduplicator(_client, Window, TimeSpan.FromHours(1), _metrics, NullLogger<LlmCallDeduplicator>.Instance);
        await dedup.SeedAsync(CancellationToken.None);
        return dedup;
    }

    private async Task FilterAsync(LlmCallDeduplicator dedup)
    {
        // The first 16 hex digits of every trace id say which batch this is, so keys never repeat.
        Span<byte> hex = stackalloc byte[16];
        ((ulong)++_next).TryFormat(hex, out _, "x16", CultureInfo.InvariantCulture);
        var buffer = System.Runtime.InteropServices.MemoryMarshal.AsMemory(_batch.WrittenMemory).Span;
        foreach (var offset in _traceIdOffsets)
        {
            hex.CopyTo(buffer[offset..]);
        }

        var kept = await dedup.FilterAsync(new RowBatch(LlmCallRow.Table, LlmCallRow.Columns, _batch.WrittenMemory, Rows), checkStorage: false, CancellationToken.None);
        if (kept.Batch.RowCount != Rows)
        {
            throw new InvalidOperationException($"expected every row to be new, kept {kept.Batch.RowCount}");
        }

        dedup.Complete(kept, stored: true);
    }
}
