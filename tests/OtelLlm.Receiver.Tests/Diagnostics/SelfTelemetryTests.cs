using System.Net.Http.Headers;
using Google.Protobuf;
using OtelLlm.Receiver.TestHost;
using OtelLlm.TestSupport;

namespace OtelLlm.Receiver.Tests.Diagnostics;

/// <summary>
/// The receiver's own telemetry, exported through the OpenTelemetry SDK to the receiver itself, lands in ClickHouse
/// like anyone's: its meters, ASP.NET Core and runtime metrics in <c>otel_metrics</c>, HttpClient spans in <c>otel_traces</c>.
/// </summary>
public sealed class SelfTelemetryTests(ClickHouseDatabase database) : IClassFixture<ClickHouseDatabase>
{
    private const string Service = "otel-llm-receiver";

    [Fact]
    public async Task Receiver_ExportingToItself_StoresItsOwnMetricsAndSpans()
    {
        var (app, _, httpPort) = await InProcessReceiver.StartAsync((grpc, http) =>
        [
            $"--OtelLlm:Receiver:GrpcPort={grpc}", $"--OtelLlm:Receiver:HttpPort={http}",
            "--OtelLlm:Receiver:BatchMaxDelayMilliseconds=100",
            $"--OtelLlm:ClickHouse:Url={database.Url}", $"--OtelLlm:ClickHouse:Database={database.Name}",
            $"--OtelLlm:Receiver:SelfTelemetryEndpoint=http://127.0.0.1:{http}",
            "--OtelLlm:Receiver:SelfTelemetryExportIntervalMilliseconds=500",
            "--Logging:LogLevel:Default=Warning",
        ]);
        await using (app)
        {
            using var client = new HttpClient { Timeout = TimeSpan.FromSeconds(60) };
            using var content = new ByteArrayContent(Otlp.Spans("self-telemetry-load", 3).ToByteArray());
            content.Headers.ContentType = new MediaTypeHeaderValue("application/x-protobuf");
            using (var response = await client.PostAsync(new Uri($"http://127.0.0.1:{httpPort}/v1/traces"), content))
            {
                response.EnsureSuccessStatusCode();
            }

            foreach (var metric in new[] { "otel_llm.receiver.received", "otel_llm.receiver.written_rows", "http.server.request.duration" })
            {
                Assert.True(
                    await database.WaitForCountAsync($"SELECT count() FROM otel_metrics WHERE ServiceName = '{Service}' AND MetricName = '{metric}'", 1, TimeSpan.FromSeconds(60)) >= 1,
                    $"no {metric} point from the receiver itself");
            }

            Assert.True(await database.WaitForCountAsync($"SELECT count() FROM otel_metrics WHERE ServiceName = '{Service}' AND startsWith(MetricName, 'dotnet.')", 1, TimeSpan.FromSeconds(60)) >= 1, "no runtime metric");
            Assert.True(await database.WaitForCountAsync($"SELECT count() FROM otel_traces WHERE ServiceName = '{Service}' AND SpanKind = 'Client'", 1, TimeSpan.FromSeconds(60)) >= 1, "no HttpClient span (ClickHouse insert)");
            await app.StopAsync();
        }
    }
}
