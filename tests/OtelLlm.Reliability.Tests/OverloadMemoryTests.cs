using System.Net;
using System.Net.Http.Headers;
using Google.Protobuf;
using OtelLlm.TestSupport;

namespace OtelLlm.Reliability.Tests;

/// <summary>
/// Many large requests at once against a small budget: the receiver refuses what it cannot hold as retryable before
/// reading it, so its memory stays bounded however many bodies are in flight, and good data still gets in.
/// </summary>
public sealed class OverloadMemoryTests(ClickHouseDatabase database) : IClassFixture<ClickHouseDatabase>
{
    private const int Requests = 48;
    private const int SpansPerRequest = 1500;

    [Fact]
    public async Task Export_FloodOfLargeRequests_RefusedRetryableAndMemoryBounded()
    {
        await using var receiver = await ChildReceiver.StartAsync(database.Url, database.Name,
        [
            "--OtelLlm:Receiver:QueueMaxBytes=16777216",
            "--OtelLlm:Receiver:InFlightMaxBytes=8388608",
        ]);

        // About 12 MB per request, 48 at once: reading them all before refusing would take well over 600 MB of
        // bodies alone, decoding them several times that.
        var filler = new string('x', 8 * 1024);
        var big = Load.GrpcFrame(Load.Spans("overload-flood", 0, SpansPerRequest, (span, _) => span.Attributes.Add(Load.Attr("filler", filler))).ToByteArray());
        var url = new Uri($"http://127.0.0.1:{receiver.GrpcPort}/opentelemetry.proto.collector.trace.v1.TraceService/Export");
        using var grpc = ReceiverUnderTest.CreateGrpcClient();
        grpc.Timeout = TimeSpan.FromSeconds(180);

        var statuses = await Task.WhenAll(Enumerable.Range(0, Requests).Select(async _ =>
        {
            using var request = new HttpRequestMessage(HttpMethod.Post, url)
            {
                Version = HttpVersion.Version20,
                VersionPolicy = HttpVersionPolicy.RequestVersionExact,
                Content = new ByteArrayContent(big),
            };
            request.Content.Headers.ContentType = new MediaTypeHeaderValue("application/grpc");
            try
            {
                using var response = await grpc.SendAsync(request, HttpCompletionOption.ResponseContentRead);
                return RetryingExporter.GrpcStatus(response);
            }
            catch (HttpRequestException)
            {
                // A stream reset after an early refusal, before the body was fully sent: retryable for exporters.
                return 14;
            }
        }));

        Assert.All(statuses, s => Assert.True(s is 0 or 14, $"status {s} is neither OK nor UNAVAILABLE"));
        Assert.Contains<int?>(14, statuses);
        var peak = receiver.PeakWorkingSet;
        Assert.True(peak < 1536L << 20, $"the receiver's peak memory was {peak >> 20} MiB");

        using var exporter = new RetryingExporter(receiver.HttpPort, receiver.GrpcPort);
        Assert.True(await exporter.ExportAsync(Load.Spans("overload-good", 0, 100), useGrpc: true, TimeSpan.FromSeconds(120)));
        Assert.Equal(100, await database.WaitForCountAsync("SELECT count() FROM otel_traces FINAL WHERE ServiceName = 'overload-good'", 100, TimeSpan.FromSeconds(60)));
    }
}
