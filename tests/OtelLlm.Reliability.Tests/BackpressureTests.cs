using System.Net;
using System.Net.Http.Headers;
using Google.Protobuf;
using Microsoft.Extensions.DependencyInjection;
using OtelLlm.Receiver.Pipeline;
using OtelLlm.TestSupport;

namespace OtelLlm.Reliability.Tests;

/// <summary>
/// ClickHouse hangs, the spool is off and the in-memory budget is tiny: new requests are refused as retryable
/// (HTTP 503 + Retry-After, gRPC UNAVAILABLE) instead of piling up, and everything gets in once ClickHouse answers.
/// </summary>
[Collection(ProcessMemoryGroup.Name)]
public sealed class BackpressureTests(ClickHouseDatabase database) : IClassFixture<ClickHouseDatabase>
{
    [Fact]
    public async Task Export_QueueBudgetExceeded_RetryableRefusalThenRecovery()
    {
        await using var proxy = new FaultProxy(database.Url);
        await using var receiver = await ReceiverUnderTest.StartAsync(proxy.Url, database.Name,
        [
            "--OtelLlm:Receiver:Spool:Enabled=false",
            "--OtelLlm:Receiver:QueueMaxBytes=1",
            "--OtelLlm:Receiver:RetryAfterSeconds=2",
            "--OtelLlm:Receiver:MigrateOnStart=false",
            "--OtelLlm:ClickHouse:Timeout=00:02:00",
        ]);
        var pipeline = receiver.Services.GetRequiredService<TelemetryPipeline>();
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(180) };
        var url = new Uri($"http://127.0.0.1:{receiver.HttpPort}/v1/traces");
        proxy.Stalled = true;

        var held = PostAsync(http, url, Load.Spans("backpressure", 0, 50).ToByteArray());
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(60);
        while (pipeline.PendingBytes == 0 && DateTime.UtcNow < deadline)
        {
            await Task.Delay(20);
        }

        var heldBytes = pipeline.PendingBytes;
        Assert.True(heldBytes > 0, "the first request never reached the queue");

        var refused = Load.Spans("backpressure", 50, 50).ToByteArray();
        using (var response = await PostAsync(http, url, refused))
        {
            Assert.Equal(HttpStatusCode.ServiceUnavailable, response.StatusCode);
            Assert.Equal(TimeSpan.FromSeconds(2), response.Headers.RetryAfter?.Delta);
            var status = Google.Rpc.Status.Parser.ParseFrom(await response.Content.ReadAsByteArrayAsync());
            Assert.Equal(14, status.Code);
        }

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

        // A flood while ClickHouse hangs: every request refused, nothing more held in memory.
        var memoryBefore = GC.GetTotalMemory(forceFullCollection: true);
        var big = Load.Spans("backpressure-flood", 0, 2000).ToByteArray();
        var flood = await Task.WhenAll(Enumerable.Range(0, 200).Select(async _ =>
        {
            using var response = await PostAsync(http, url, big);
            return response.StatusCode;
        }));
        Assert.All(flood, s => Assert.Equal(HttpStatusCode.ServiceUnavailable, s));
        Assert.Equal(heldBytes, pipeline.PendingBytes);
        Assert.True(GC.GetTotalMemory(forceFullCollection: true) - memoryBefore < 256L << 20, "memory grew while refusing");

        proxy.Stalled = false;
        using (var first = await held)
        {
            Assert.Equal(HttpStatusCode.OK, first.StatusCode);
        }

        using var exporter = new RetryingExporter(receiver.HttpPort, receiver.GrpcPort);
        Assert.True(await exporter.ExportAsync(Load.Spans("backpressure", 50, 50), useGrpc: true, TimeSpan.FromSeconds(120)));
        Assert.Equal(100, await database.WaitForCountAsync("SELECT count() FROM otel_traces FINAL WHERE ServiceName = 'backpressure'", 100, TimeSpan.FromSeconds(60)));
        Assert.Equal(0, await database.CountAsync("SELECT count() FROM otel_traces WHERE ServiceName = 'backpressure-flood'"));
        Assert.Equal(0, pipeline.PendingBytes);
    }

    private static async Task<HttpResponseMessage> PostAsync(HttpClient http, Uri url, byte[] body)
    {
        using var content = new ByteArrayContent(body);
        content.Headers.ContentType = new MediaTypeHeaderValue("application/x-protobuf");
        return await http.PostAsync(url, content);
    }
}
