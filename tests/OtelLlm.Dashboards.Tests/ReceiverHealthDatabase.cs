using System.Globalization;
using System.Text;
using OtelLlm.Receiver.TestHost;

namespace OtelLlm.Dashboards.Tests;

/// <summary>
/// A test database holding the telemetry a real receiver exported about itself while it took traffic: its
/// <c>OtelLlm:Receiver:SelfTelemetryEndpoint</c> points at itself, so its meters, ASP.NET Core and runtime metrics land
/// in its own <c>otel_metrics</c>, as in the compose stack.
/// </summary>
public sealed class ReceiverHealthDatabase : DemoDatabase
{
    public const string Service = "otel-llm-receiver";

    /// <summary>The write-ahead log budget the receiver runs with, which the dashboard must show.</summary>
    public const long MaxLogBytes = 200L * 1024 * 1024;

    /// <summary>Valid spans sent; one more span with a malformed trace id is refused.</summary>
    public const int Spans = 7;

    public const int LogRecords = 4;

    /// <summary>When the receiver started and after it stopped: every point lies in between.</summary>
    public DateTimeOffset From { get; private set; }

    public DateTimeOffset To { get; private set; }

    protected override async Task WriteAsync()
    {
        From = DateTimeOffset.UtcNow.AddMinutes(-1);
        var (app, _, httpPort) = await InProcessReceiver.StartAsync((grpc, http) =>
        [
            $"--OtelLlm:Receiver:GrpcPort={grpc}", $"--OtelLlm:Receiver:HttpPort={http}",
            "--OtelLlm:Receiver:BatchMaxDelayMilliseconds=100",
            $"--OtelLlm:Receiver:Wal:MaxLogBytes={MaxLogBytes}",
            $"--OtelLlm:ClickHouse:Url={Db.Url}", $"--OtelLlm:ClickHouse:Database={Db.Name}",
            $"--OtelLlm:Receiver:SelfTelemetryEndpoint=http://127.0.0.1:{http}",
            "--OtelLlm:Receiver:SelfTelemetryExportIntervalMilliseconds=300",
            "--Logging:LogLevel:Default=Warning",
        ]);
        await using (app)
        {
            using var client = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{httpPort}"), Timeout = TimeSpan.FromSeconds(60) };
            await PostAsync(client, "/v1/traces", TracesJson());
            await PostAsync(client, "/v1/logs", LogsJson());
            await app.WaitUntilWrittenAsync();

            // Several exports after everything was written, so the counters' last points hold the final totals and each
            // series has more than one point for the rates.
            var received = $"SELECT count() FROM otel_metrics WHERE ServiceName = '{Service}' AND MetricName = 'otel_llm.receiver.received'";
            var written = $"SELECT count() FROM otel_metrics WHERE ServiceName = '{Service}' AND MetricName = 'otel_llm.receiver.written_rows' AND Value > 0";
            var afterWrite = await Db.CountAsync(written);
            Assert.True(await Db.WaitForCountAsync(received, 6, TimeSpan.FromSeconds(60)) >= 6, "the receiver exported no metrics to itself");
            Assert.True(await Db.WaitForCountAsync(written, afterWrite + 6, TimeSpan.FromSeconds(60)) >= afterWrite + 6, "the receiver stopped exporting");
            await app.StopAsync();
        }

        To = DateTimeOffset.UtcNow.AddMinutes(1);
    }

    private static async Task PostAsync(HttpClient client, string path, string json)
    {
        using var content = new StringContent(json, Encoding.UTF8, "application/json");
        using var response = await client.PostAsync(new Uri(path, UriKind.Relative), content);
        response.EnsureSuccessStatusCode();
    }

    private static string TracesJson()
    {
        var now = (ulong)DateTimeOffset.UtcNow.ToUnixTimeMilliseconds() * 1_000_000UL;
        var spans = Enumerable.Range(1, Spans).Select(i => Span($"{i:x32}", now))
            .Append(Span("abcd", now));
        return $$$"""{"resourceSpans":[{"resource":{"attributes":[{"key":"service.name","value":{"stringValue":"health-load"}}]},"scopeSpans":[{"spans":[{{{string.Join(",", spans)}}}]}]}]}""";
    }

    private static string Span(string traceId, ulong now) => string.Create(CultureInfo.InvariantCulture,
        $$$"""{"traceId":"{{{traceId}}}","spanId":"{{{traceId.PadLeft(16, '0')[^16..]}}}","name":"work","kind":2,"startTimeUnixNano":"{{{now}}}","endTimeUnixNano":"{{{now + 5_000_000}}}"}""");

    private static string LogsJson()
    {
        var now = (ulong)DateTimeOffset.UtcNow.ToUnixTimeMilliseconds() * 1_000_000UL;
        var records = Enumerable.Range(1, LogRecords).Select(i => string.Create(CultureInfo.InvariantCulture,
            $$$"""{"timeUnixNano":"{{{now}}}","severityText":"INFO","body":{"stringValue":"line {{{i}}}"}}"""));
        return $$$"""{"resourceLogs":[{"resource":{"attributes":[{"key":"service.name","value":{"stringValue":"health-load"}}]},"scopeLogs":[{"logRecords":[{{{string.Join(",", records)}}}]}]}]}""";
    }
}
