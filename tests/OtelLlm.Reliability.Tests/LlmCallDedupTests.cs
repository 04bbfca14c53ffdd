using System.Net;
using System.Net.Http.Headers;
using Google.Protobuf;
using Microsoft.Extensions.DependencyInjection;
using OpenTelemetry.Proto.Collector.Trace.V1;
using OtelLlm.Receiver.Pipeline.Reliability;
using OtelLlm.Receiver.Pipeline.Wal;
using OtelLlm.TestSupport;
using Xunit.Abstractions;

namespace OtelLlm.Reliability.Tests;

/// <summary>Re-delivered GenAI spans reach the real ClickHouse once as llm_calls rows, so the rollups count each call once.</summary>
public sealed class LlmCallDedupTests(ClickHouseDatabase database, ITestOutputHelper output) : IClassFixture<ClickHouseDatabase>
{
    private const int Calls = 300;

    [Fact]
    public async Task Export_SameGenAiSpansTwice_LlmCallsAndRollupCountEachCallOnce()
    {
        const string service = "dedup-retry";
        await using var receiver = await ReceiverUnderTest.StartAsync(database.Url, database.Name, []);
        var metrics = receiver.Services.GetRequiredService<ReliabilityMetrics>();
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(60) };
        var url = new Uri($"http://127.0.0.1:{receiver.HttpPort}/v1/traces");
        var request = Load.GenAiSpans(service, 0, Calls);
        Assert.Equal(HttpStatusCode.OK, await PostAsync(http, url, request));
        Assert.Equal(Calls, await database.WaitForCountAsync($"SELECT count() FROM llm_calls WHERE ServiceName = '{service}'", Calls, TimeSpan.FromSeconds(60)));

        // The client lost the first ack and sends the same spans again (half over gRPC, as another exporter would).
        Assert.Equal(HttpStatusCode.OK, await PostAsync(http, url, request));
        using var exporter = new RetryingExporter(receiver.HttpPort, receiver.GrpcPort);
        var half = request.Clone();
        var spans = half.ResourceSpans[0].ScopeSpans[0].Spans;
        while (spans.Count > Calls / 2)
        {
            spans.RemoveAt(spans.Count - 1);
        }

        // Acknowledged means durable in the log: wait until the writers have taken everything out of it, then count.
        Assert.True(await exporter.ExportAsync(half, useGrpc: true, TimeSpan.FromSeconds(60)));
        await receiver.WaitUntilWrittenAsync();

        await AssertCountedOnceAsync(service, Calls);
        output.WriteLine($"{service}: calls={Calls} re-delivered={3 * Calls / 2} dedupDropped={metrics.DuplicateRows}");
        Assert.Equal(3 * Calls / 2, metrics.DuplicateRows);
    }

    [Fact]
    public async Task Restart_BatchAlreadyStoredAndStillInTheLog_NotInsertedTwice()
    {
        const string service = "dedup-replay";
        var request = Load.GenAiSpans(service, 0, Calls);
        var spool = Path.Combine(Path.GetTempPath(), "otelllm-rel-" + Guid.NewGuid().ToString("N"));
        string[] args = ["--OtelLlm:Receiver:Wal:RetryInitialMilliseconds=100", "--OtelLlm:Receiver:Wal:RetryMaxMilliseconds=500", "--OtelLlm:Receiver:MigrateOnStart=false"];
        try
        {
            await using var proxy = new FaultProxy(database.Url);
            using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(60) };
            proxy.Down = true;
            await using (var first = await ReceiverUnderTest.StartAsync(proxy.Url, database.Name, args, spool))
            {
                // ClickHouse unreachable: the request is acknowledged from the write-ahead log.
                Assert.Equal(HttpStatusCode.OK, await PostAsync(http, new Uri($"http://127.0.0.1:{first.HttpPort}/v1/traces"), request));
                Assert.True(first.Services.GetRequiredService<WriteAheadLog>().PendingCount > 0);
            }

            Assert.NotEmpty(Directory.GetFiles(Path.Combine(spool, "wal"), "*.wal"));

            // The same rows reach ClickHouse another way (as if the insert had succeeded just before a crash).
            await using (var other = await ReceiverUnderTest.StartAsync(database.Url, database.Name, []))
            {
                Assert.Equal(HttpStatusCode.OK, await PostAsync(http, new Uri($"http://127.0.0.1:{other.HttpPort}/v1/traces"), request));
            }

            Assert.Equal(Calls, await database.WaitForCountAsync($"SELECT count() FROM llm_calls WHERE ServiceName = '{service}'", Calls, TimeSpan.FromSeconds(60)));

            proxy.Down = false;
            await using var restarted = await ReceiverUnderTest.StartAsync(proxy.Url, database.Name, args, spool);
            var metrics = restarted.Services.GetRequiredService<ReliabilityMetrics>();
            var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(90);
            var pending = restarted.Services.GetRequiredService<WriteAheadLog>();
            var writer = restarted.Services.GetRequiredService<WalWriter>();
            while ((writer.WindowsWritten == 0 || pending.PendingCount > 0) && DateTime.UtcNow < deadline)
            {
                await Task.Delay(100);
            }

            Assert.True(writer.WindowsWritten > 0, "the log was not written after the restart");
            await AssertCountedOnceAsync(service, Calls);
            output.WriteLine($"{service}: calls={Calls} windowsWritten={writer.WindowsWritten} dedupDropped={metrics.DuplicateRows}");
            Assert.Equal(Calls, metrics.DuplicateRows);
        }
        finally
        {
            if (Directory.Exists(spool))
            {
                Directory.Delete(spool, recursive: true);
            }
        }
    }

    private async Task AssertCountedOnceAsync(string service, int calls)
    {
        var where = $"ServiceName = '{service}'";
        Assert.Equal(calls, await database.CountAsync($"SELECT count() FROM llm_calls WHERE {where}"));
        Assert.Equal(calls, await database.CountAsync($"SELECT count() FROM llm_calls FINAL WHERE {where}"));
        Assert.Equal(calls, await database.CountAsync($"SELECT uniqExact(TraceId, SpanId) FROM llm_calls WHERE {where}"));
        Assert.Equal(calls, await database.CountAsync($"SELECT count() FROM otel_traces FINAL WHERE {where}"));
        Assert.Equal(calls, await database.CountAsync($"SELECT sum(Calls) FROM llm_calls_1m WHERE {where}"));
        var tokens = await database.CountAsync($"SELECT sum(InputTokens) FROM llm_calls FINAL WHERE {where}");
        Assert.Equal(tokens, await database.CountAsync($"SELECT sum(InputTokensSum) FROM llm_calls_1m WHERE {where}"));
    }

    private static async Task<HttpStatusCode> PostAsync(HttpClient http, Uri url, ExportTraceServiceRequest request)
    {
        using var content = new ByteArrayContent(request.ToByteArray());
        content.Headers.ContentType = new MediaTypeHeaderValue("application/x-protobuf");
        using var response = await http.PostAsync(url, content);
        return response.StatusCode;
    }
}
