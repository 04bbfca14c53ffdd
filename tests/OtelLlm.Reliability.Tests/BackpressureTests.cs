using System.Net;
using System.Net.Http.Headers;
using Google.Protobuf;
using Microsoft.Extensions.DependencyInjection;
using OtelLlm.Receiver.Pipeline;
using OtelLlm.TestSupport;

namespace OtelLlm.Reliability.Tests;

/// <summary>
/// ClickHouse hangs: requests are acknowledged while the write-ahead log has room (their rows are durable on disk);
/// once its small budget is used up, new requests are refused as retryable (HTTP 503 + Retry-After, gRPC UNAVAILABLE)
/// before their body is read, a flood holds no memory, and once ClickHouse answers the backlog drains and the refused
/// data gets in: every span once.
/// </summary>
[Collection(ProcessMemoryGroup.Name)]
public sealed class BackpressureTests(ClickHouseDatabase database) : IClassFixture<ClickHouseDatabase>
{
    [Fact]
    public async Task Export_LogBudgetExhaustedWhileClickHouseHangs_RetryableRefusalThenRecovery()
    {
        await using var proxy = new FaultProxy(database.Url);
        await using var receiver = await ReceiverUnderTest.StartAsync(proxy.Url, database.Name,
        [
            "--OtelLlm:Receiver:Wal:MaxLogBytes=65536",
            "--OtelLlm:Receiver:Wal:SegmentBytes=65536",
            "--OtelLlm:Receiver:Wal:RetryMaxMilliseconds=1000",
            "--OtelLlm:Receiver:RetryAfterSeconds=2",
            "--OtelLlm:Receiver:MigrateOnStart=false",
            "--OtelLlm:ClickHouse:Timeout=00:02:00",
        ]);
        var pipeline = receiver.Services.GetRequiredService<TelemetryPipeline>();
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(180) };
        var url = new Uri($"http://127.0.0.1:{receiver.HttpPort}/v1/traces");
        proxy.Stalled = true;

        // Acknowledged while ClickHouse hangs, until the log is full.
        var accepted = 0;
        byte[]? refused = null;
        while (refused is null && accepted < 200)
        {
            var body = Load.Spans("backpressure", accepted * 50, 50).ToByteArray();
            using var response = await PostAsync(http, url, body);
            if (response.StatusCode == HttpStatusCode.OK)
            {
                accepted++;
                continue;
            }

            Assert.Equal(HttpStatusCode.ServiceUnavailable, response.StatusCode);
            Assert.Equal(TimeSpan.FromSeconds(2), response.Headers.RetryAfter?.Delta);
            var status = Google.Rpc.Status.Parser.ParseFrom(await response.Content.ReadAsByteArrayAsync());
            Assert.Equal(14, status.Code);
            Assert.Contains("write-ahead log", status.Message, StringComparison.Ordinal);
            refused = body;
        }

        Assert.True(accepted > 0, "nothing was acknowledged while ClickHouse hung");
        Assert.NotNull(refused);
        Assert.True(pipeline.LogFull);
        var heldBytes = pipeline.Log.DiskBytes;

        using var grpc = ReceiverUnderTest.CreateGrpcClient();
        using (var request = new HttpRequestMessage(HttpMethod.Post, $"http://127.0.0.1:{receiver.GrpcPort}/opentelemetry.proto.collector.trace.v1.TraceService/Export")
        {
            Version = HttpVersion.Version20,
            VersionPolicy = HttpVersionPolicy.RequestVersionExact,
            Content = new ByteArrayContent(Load.GrpcFrame(refused)),
        })
        {
            request.Content.Headers.ContentType = new MediaTypeHeaderValue("application/grpc");
            using var response = await grpc.SendAsync(request, HttpCompletionOption.ResponseContentRead);
            Assert.Equal(14, RetryingExporter.GrpcStatus(response));
        }

        using (var ready = await http.GetAsync(new Uri($"http://127.0.0.1:{receiver.HttpPort}/readyz")))
        {
            Assert.Equal(HttpStatusCode.ServiceUnavailable, ready.StatusCode);
            Assert.Contains("write-ahead log is full", await ready.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        }

        // A flood while ClickHouse hangs: every request refused, nothing more held in memory or on disk.
        var memoryBefore = GC.GetTotalMemory(forceFullCollection: true);
        var big = Load.Spans("backpressure-flood", 0, 2000).ToByteArray();
        var flood = await Task.WhenAll(Enumerable.Range(0, 200).Select(async _ =>
        {
            using var response = await PostAsync(http, url, big);
            return response.StatusCode;
        }));
        Assert.All(flood, s => Assert.Equal(HttpStatusCode.ServiceUnavailable, s));
        Assert.Equal(heldBytes, pipeline.Log.DiskBytes);
        Assert.True(GC.GetTotalMemory(forceFullCollection: true) - memoryBefore < 256L << 20, "memory grew while refusing");

        proxy.Stalled = false;
        using var exporter = new RetryingExporter(receiver.HttpPort, receiver.GrpcPort);
        Assert.True(await exporter.ExportAsync(Load.Spans("backpressure", accepted * 50, 50), useGrpc: true, TimeSpan.FromSeconds(120)));
        var expected = (accepted + 1) * 50;
        Assert.Equal(expected, await database.WaitForCountAsync("SELECT count() FROM otel_traces FINAL WHERE ServiceName = 'backpressure'", expected, TimeSpan.FromSeconds(60)));
        Assert.Equal(0, await database.CountAsync("SELECT count() FROM otel_traces WHERE ServiceName = 'backpressure-flood'"));
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(60);
        while (pipeline.Log.PendingCount > 0 && DateTime.UtcNow < deadline)
        {
            await Task.Delay(20);
        }

        Assert.Equal(0, pipeline.Log.PendingCount);
        Assert.False(pipeline.LogFull);
    }

    private static async Task<HttpResponseMessage> PostAsync(HttpClient http, Uri url, byte[] body)
    {
        using var content = new ByteArrayContent(body);
        content.Headers.ContentType = new MediaTypeHeaderValue("application/x-protobuf");
        return await http.PostAsync(url, content);
    }
}
