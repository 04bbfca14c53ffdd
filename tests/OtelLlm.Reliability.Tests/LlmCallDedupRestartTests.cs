using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using Google.Protobuf;
using System.Diagnostics.Metrics;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using OtelLlm.Receiver.Configuration;
using OtelLlm.Receiver.Diagnostics;
using OpenTelemetry.Proto.Collector.Trace.V1;
using OtelLlm.Receiver.Pipeline.Reliability;
using OtelLlm.Receiver.Pipeline.Wal;
using OtelLlm.Storage.ClickHouse;
using OtelLlm.Storage.Rows;
using OtelLlm.TestSupport;
using Xunit.Abstractions;

namespace OtelLlm.Reliability.Tests;

/// <summary>
/// A client re-sends GenAI spans whose acknowledgement a receiver crash lost: after <c>kill -9</c> and a restart the
/// re-sent calls are dropped before insert, so the rollups and every dashboard query family count each call once.
/// </summary>
public sealed class LlmCallDedupRestartTests(ClickHouseDatabase database, ITestOutputHelper output) : IClassFixture<ClickHouseDatabase>
{
    private const int Calls = 300;

    /// <param name="seedLookbackMinutes">
    /// 60: the restarted receiver refills its window from ClickHouse and finds the calls there. 0: it loads nothing,
    /// and the re-sent calls (older than the refill) are looked up in ClickHouse instead.
    /// </param>
    [Theory]
    [InlineData(60)]
    [InlineData(0)]
    public async Task Export_ReceiverKilledAfterStoringThenSameSpansResent_CountedOnce(int seedLookbackMinutes)
    {
        var service = "dedup-restart-" + seedLookbackMinutes.ToString(CultureInfo.InvariantCulture);
        var request = Load.GenAiSpans(service, 0, Calls);
        await using var child = await ChildReceiver.StartAsync(database.Url, database.Name, [$"--OtelLlm:Receiver:Wal:DedupSeedLookbackMinutes={seedLookbackMinutes}"]);
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(60) };

        // Acknowledged means durable in the write-ahead log: wait until every call is in ClickHouse, so the kill comes
        // after they are stored.
        Assert.Equal(HttpStatusCode.OK, await PostAsync(http, child.HttpPort, request));
        Assert.Equal(Calls, await database.WaitForCountAsync($"SELECT count() FROM llm_calls WHERE ServiceName = '{service}'", Calls, TimeSpan.FromSeconds(120)));
        await child.KillAsync();
        await child.RestartAsync();

        // The client never saw the acknowledgement and sends everything again: over HTTP, and half of it over gRPC.
        Assert.Equal(HttpStatusCode.OK, await PostAsync(http, child.HttpPort, request));
        using var exporter = new RetryingExporter(child.HttpPort, child.GrpcPort);
        Assert.True(await exporter.ExportAsync(Half(request), useGrpc: true, TimeSpan.FromSeconds(60)));

        var where = $"ServiceName = '{service}'";
        var raw = await database.CountAsync($"SELECT count() FROM llm_calls WHERE {where}");
        var rollup = await database.CountAsync($"SELECT sum(Calls) FROM llm_calls_1m WHERE {where}");
        output.WriteLine($"{service}: calls={Calls} re-sent after kill -9={3 * Calls / 2} raw llm_calls={raw} sum(Calls)={rollup}");
        await AssertCountedOnceAsync(where, Calls);
    }

    [Fact]
    public async Task Writer_InsertFailsThenSucceeds_RetryIsStoredNotDroppedAsDuplicate()
    {
        // The keys of a batch whose insert failed must be forgotten, or the writer's next attempt would drop it as a
        // duplicate of itself; a real duplicate of what was stored is still dropped.
        var dir = Path.Combine(Path.GetTempPath(), "otelllm-dedup-" + Guid.NewGuid().ToString("N"));
        var options = new WalOptions { Durability = WalDurability.Os, RetryInitialMilliseconds = 5, RetryMaxMilliseconds = 50 };
        using var metrics = new ReliabilityMetrics();
        using var services = new ServiceCollection().AddMetrics().BuildServiceProvider();
        var inner = new FakeBatchWriter { Failure = FakeBatchWriter.Unavailable };
        var dedup = new LlmCallDeduplicator(database.Client, 1000, TimeSpan.FromHours(1), metrics, NullLogger<LlmCallDeduplicator>.Instance);
        await dedup.SeedAsync(CancellationToken.None);
        try
        {
            using var log = WriteAheadLog.Open(Path.Combine(dir, "wal"), options, NullLogger.Instance);
            using var writer = new WalWriter(log, inner, new DeadLetterStore(Path.Combine(dir, "dead")), options,
                Options.Create(new ReceiverOptions { BatchMaxDelayMilliseconds = 10 }), metrics,
                new ReceiverMetrics(services.GetRequiredService<IMeterFactory>()), NullLogger<WalWriter>.Instance, dedup);
            await writer.StartAsync(CancellationToken.None);
            var batch = LlmCallBatch("dedup-insert-failed", 5);

            log.Append(LlmCallRow.Table, LlmCallRow.Columns, batch, 5);
            writer.Wake();
            await Wait.UntilAsync(() => inner.Attempts >= 3, TimeSpan.FromSeconds(60), "the writer retries");
            Assert.Empty(inner.Written);

            inner.Failure = null;
            await Wait.UntilAsync(() => log.PendingCount == 0, TimeSpan.FromSeconds(60), "the log drains");
            Assert.Equal(5, Assert.Single(inner.Written).RowCount);
            Assert.Equal(0, metrics.DuplicateRows);

            log.Append(LlmCallRow.Table, LlmCallRow.Columns, batch, 5);
            writer.Wake();
            await Wait.UntilAsync(() => log.PendingCount == 0, TimeSpan.FromSeconds(60), "the log drains");
            Assert.Single(inner.Written);
            Assert.Equal(5, metrics.DuplicateRows);
            await writer.StopAsync(CancellationToken.None);
        }
        finally
        {
            if (Directory.Exists(dir))
            {
                Directory.Delete(dir, recursive: true);
            }
        }
    }

    /// <summary>One query of every family the shipped dashboards use, each of which must count a call once.</summary>
    private async Task AssertCountedOnceAsync(string where, int calls)
    {
        // Rollups (stat and time-series panels): fed by the Revision = 0 rows that reach llm_calls.
        Assert.Equal(calls, await database.CountAsync($"SELECT sum(Calls) FROM llm_calls_1m WHERE {where}"));
        var tokens = await database.CountAsync($"SELECT sum(InputTokens) FROM llm_calls FINAL WHERE {where}");
        Assert.Equal(tokens, await database.CountAsync($"SELECT sum(InputTokensSum) FROM llm_calls_1m WHERE {where}"));
        // Nothing but the first write of each call reached the materialized views (which is what llm_latency_1m sums too).
        Assert.Equal(calls, await database.CountAsync($"SELECT count() FROM llm_calls WHERE {where}"));
        // Raw panels that count Revision = 0 rows (finish reasons, users, sessions).
        Assert.Equal(calls, await database.CountAsync($"SELECT count() FROM llm_calls WHERE Revision = 0 AND {where}"));
        // Raw panels that keep the newest revision of each call (slowest, most expensive, failures, session calls).
        Assert.Equal(calls, await database.CountAsync($"SELECT count() FROM (SELECT TraceId FROM llm_calls WHERE {where} ORDER BY Revision DESC LIMIT 1 BY TraceId, SpanId)"));
        // Trace panels and hand-written exact SQL read with FINAL.
        Assert.Equal(calls, await database.CountAsync($"SELECT count() FROM llm_calls FINAL WHERE {where}"));
        Assert.Equal(calls, await database.CountAsync($"SELECT count() FROM otel_traces FINAL WHERE {where}"));
    }

    private static ExportTraceServiceRequest Half(ExportTraceServiceRequest request)
    {
        var half = request.Clone();
        var spans = half.ResourceSpans[0].ScopeSpans[0].Spans;
        while (spans.Count > Calls / 2)
        {
            spans.RemoveAt(spans.Count - 1);
        }

        return half;
    }

    private static byte[] LlmCallBatch(string service, int count)
    {
        using var writer = new RowBinaryWriter();
        var now = (ulong)DateTimeOffset.UtcNow.ToUnixTimeMilliseconds() * 1_000_000UL;
        for (var i = 0; i < count; i++)
        {
            new LlmCallRow
            {
                Project = "default",
                StartTimeUnixNano = now,
                TraceId = Load.Hex(Load.TraceId(service, i)),
                SpanId = Load.Hex(Load.SpanId(service, i)),
                ServiceName = service,
                Operation = "chat",
            }.Write(writer);
        }

        return writer.WrittenSpan.ToArray();
    }

    private static async Task<HttpStatusCode> PostAsync(HttpClient http, int port, ExportTraceServiceRequest request)
    {
        using var content = new ByteArrayContent(request.ToByteArray());
        content.Headers.ContentType = new MediaTypeHeaderValue("application/x-protobuf");
        using var response = await http.PostAsync(new Uri($"http://127.0.0.1:{port}/v1/traces"), content);
        return response.StatusCode;
    }
}
