using System.Net;
using System.Net.Http.Headers;
using Google.Protobuf;
using Microsoft.Extensions.DependencyInjection;
using OtelLlm.Receiver.Pipeline;
using OtelLlm.Receiver.Pipeline.Reliability;
using OtelLlm.TestSupport;
using Xunit.Abstractions;

namespace OtelLlm.Reliability.Tests;

public sealed class ClickHouseOutageTests(ClickHouseDatabase database, ITestOutputHelper output) : IClassFixture<ClickHouseDatabase>
{
    private const int SpansPerRequest = 100;
    private const int Requests = 40;

    [Fact]
    public async Task Export_ClickHouseDownThenBack_EveryAckedSpanStoredOnce()
    {
        await using var proxy = new FaultProxy(database.Url);
        await using var receiver = await ReceiverUnderTest.StartAsync(proxy.Url, database.Name,
        [
            "--OtelLlm:Receiver:Wal:RetryInitialMilliseconds=100",
            "--OtelLlm:Receiver:Wal:RetryMaxMilliseconds=1000",
            "--OtelLlm:Receiver:MigrateOnStart=false",
        ]);
        var metrics = receiver.Services.GetRequiredService<ReliabilityMetrics>();
        var log = receiver.Services.GetRequiredService<TelemetryPipeline>().Log;
        var heldWhileDown = 0;
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(60) };
        var url = new Uri($"http://127.0.0.1:{receiver.HttpPort}/v1/traces");

        proxy.Down = true;
        var acked = 0;
        var requests = new IMessage[Requests];
        for (var r = 0; r < Requests; r++)
        {
            if (r == Requests / 2)
            {
                proxy.Down = false;
            }

            requests[r] = ReceiverUnderTest.Spans(r * SpansPerRequest, SpansPerRequest, "outage");
            if (await SendWithRetriesAsync(http, url, requests[r]))
            {
                acked += SpansPerRequest;
                if (proxy.Down)
                {
                    heldWhileDown = Math.Max(heldWhileDown, log.PendingCount);
                }
            }
        }

        // A client retry after a lost ack: the very same request again, byte for byte.
        await SendWithRetriesAsync(http, url, requests[0]);

        var stored = await database.WaitForCountAsync("SELECT count() FROM otel_traces FINAL", acked, TimeSpan.FromSeconds(120));
        var unique = await database.CountAsync("SELECT uniqExact(SpanId) FROM otel_traces");
        var raw = await database.CountAsync("SELECT count() FROM otel_traces");
        output.WriteLine($"sent={Requests * SpansPerRequest} acked={acked} stored(FINAL)={stored} unique={unique} raw={raw} " +
            $"records held in the log while down={heldWhileDown} droppedConnections={proxy.Dropped}");

        Assert.Equal(Requests * SpansPerRequest, acked);
        Assert.Equal(acked, stored);
        Assert.Equal(acked, unique);
        Assert.True(heldWhileDown >= Requests / 2, "requests were not acknowledged from the log while ClickHouse was down");
        // The writer completes its records just after ClickHouse has them: the log drains, it is not empty at that instant.
        await receiver.WaitUntilWrittenAsync();
        Assert.True(proxy.Dropped > 0);
        Assert.Equal(0, metrics.DeadLetteredRows);
    }

    /// <summary>Sends like the OTel SDK: retry on 429/502/503/504 and on a dropped connection, with backoff.</summary>
    private static async Task<bool> SendWithRetriesAsync(HttpClient http, Uri url, IMessage request)
    {
        var body = request.ToByteArray();
        for (var attempt = 0; attempt < 30; attempt++)
        {
            try
            {
                using var content = new ByteArrayContent(body);
                content.Headers.ContentType = new MediaTypeHeaderValue("application/x-protobuf");
                using var response = await http.PostAsync(url, content);
                if (response.StatusCode == HttpStatusCode.OK)
                {
                    return true;
                }

                if ((int)response.StatusCode is not (429 or 502 or 503 or 504))
                {
                    return false;
                }
            }
            catch (HttpRequestException)
            {
            }

            await Task.Delay(TimeSpan.FromMilliseconds(Math.Min(2000, 100 << Math.Min(attempt, 5))));
        }

        return false;
    }
}
