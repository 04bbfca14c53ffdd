using System.Diagnostics;
using System.Net;
using System.Net.Http.Headers;
using Google.Protobuf;
using Microsoft.AspNetCore.Builder;
using OpenTelemetry.Proto.Collector.Trace.V1;
using OtelLlm.Receiver.TestHost;
using OtelLlm.TestSupport;

namespace OtelLlm.Cluster.Tests;

/// <summary>
/// The real receiver, in process, configured as one of a fleet: every node of the local cluster as its endpoints, the
/// cluster's name, and a log directory of its own. Several of them share nothing but the cluster.
/// </summary>
internal sealed class FleetReceiver : IAsyncDisposable
{
    private readonly HttpClient _http = new() { Timeout = TimeSpan.FromSeconds(60) };
    private WebApplication? _app;

    private FleetReceiver(string directory) => Directory = directory;

    /// <summary>This receiver's own durable log (spool) and dead-letter folders live here.</summary>
    public string Directory { get; }

    public int HttpPort { get; private set; }

    /// <param name="database">The cluster database (its configured name).</param>
    /// <param name="endpoints">The ClickHouse nodes this receiver knows, in its order.</param>
    /// <param name="extraArgs">More configuration, winning over the defaults here.</param>
    public static async Task<FleetReceiver> StartAsync(string database, IEnumerable<Uri> endpoints, params string[] extraArgs)
    {
        var receiver = new FleetReceiver(Path.Combine(Path.GetTempPath(), "otelllm-fleet-" + Guid.NewGuid().ToString("N")));
        (receiver._app, _, receiver.HttpPort) = await InProcessReceiver.StartAsync((grpcPort, httpPort) =>
        [
            $"--OtelLlm:Receiver:GrpcPort={grpcPort}",
            $"--OtelLlm:Receiver:HttpPort={httpPort}",
            "--OtelLlm:Receiver:BatchMaxDelayMilliseconds=100",
            $"--OtelLlm:ClickHouse:Endpoints={string.Join(",", endpoints)}",
            $"--OtelLlm:ClickHouse:Cluster={LocalCluster.Name}",
            $"--OtelLlm:ClickHouse:Database={database}",
            "--OtelLlm:ClickHouse:Timeout=00:00:30",
            $"--OtelLlm:Receiver:Wal:Directory={Path.Combine(receiver.Directory, "wal")}",
            $"--OtelLlm:Receiver:Wal:DeadLetterDirectory={Path.Combine(receiver.Directory, "dead")}",
            "--OtelLlm:Receiver:Wal:RetryInitialMilliseconds=100",
            "--OtelLlm:Receiver:Wal:RetryMaxMilliseconds=1000",
            "--Logging:LogLevel:Default=Warning",
            .. extraArgs,
        ]);
        return receiver;
    }

    /// <summary>Waits until <c>/readyz</c> answers 200 (schema applied, ClickHouse reachable).</summary>
    public async Task WaitReadyAsync(TimeSpan timeout)
    {
        var clock = Stopwatch.StartNew();
        while (true)
        {
            try
            {
                using var response = await _http.GetAsync(new Uri($"http://127.0.0.1:{HttpPort}/readyz"));
                if (response.IsSuccessStatusCode)
                {
                    return;
                }
            }
            catch (HttpRequestException)
            {
            }

            Assert.True(clock.Elapsed < timeout, $"receiver on {HttpPort} not ready within {timeout}");
            await Task.Delay(100);
        }
    }

    /// <summary>Sends one OTLP/HTTP protobuf request and returns the status: 200 means acknowledged (durable).</summary>
    public async Task<HttpStatusCode> ExportAsync(ExportTraceServiceRequest request)
    {
        using var content = new ByteArrayContent(request.ToByteArray());
        content.Headers.ContentType = new MediaTypeHeaderValue("application/x-protobuf");
        using var response = await _http.PostAsync(new Uri($"http://127.0.0.1:{HttpPort}/v1/traces"), content);
        return response.StatusCode;
    }

    public async ValueTask DisposeAsync()
    {
        if (_app is not null)
        {
            await _app.StopAsync();
            await _app.DisposeAsync();
        }

        _http.Dispose();
        if (System.IO.Directory.Exists(Directory))
        {
            System.IO.Directory.Delete(Directory, recursive: true);
        }
    }
}
