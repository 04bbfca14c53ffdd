using Google.Protobuf;
using Microsoft.AspNetCore.Builder;
using OpenTelemetry.Proto.Collector.Trace.V1;
using OpenTelemetry.Proto.Common.V1;
using OpenTelemetry.Proto.Resource.V1;
using OpenTelemetry.Proto.Trace.V1;
using OtelLlm.Receiver.TestHost;

namespace OtelLlm.Reliability.Tests;

/// <summary>The real receiver, in process, on free loopback ports, with its spool in a private temporary folder.</summary>
internal sealed class ReceiverUnderTest : IAsyncDisposable
{
    private WebApplication? _app;

    private readonly bool _keepSpool;

    private ReceiverUnderTest(string spoolDirectory, bool keepSpool)
    {
        SpoolDirectory = spoolDirectory;
        _keepSpool = keepSpool;
    }

    public int GrpcPort { get; private set; }

    public int HttpPort { get; private set; }

    public string SpoolDirectory { get; }

    public IServiceProvider Services => _app!.Services;

    /// <param name="clickHouse">ClickHouse URL (or a fault proxy in front of it).</param>
    /// <param name="database">The test's database.</param>
    /// <param name="extraArgs">More configuration, winning over the defaults here.</param>
    /// <param name="spoolDirectory">A folder an earlier receiver used, to restart on its spool; it is then kept on dispose.</param>
    public static async Task<ReceiverUnderTest> StartAsync(Uri clickHouse, string database, IEnumerable<string> extraArgs, string? spoolDirectory = null)
    {
        var receiver = new ReceiverUnderTest(spoolDirectory ?? Path.Combine(Path.GetTempPath(), "otelllm-rel-" + Guid.NewGuid().ToString("N")), spoolDirectory is not null);
        (receiver._app, receiver.GrpcPort, receiver.HttpPort) = await InProcessReceiver.StartAsync((grpcPort, httpPort) =>
        [
            $"--OtelLlm:Receiver:GrpcPort={grpcPort}",
            $"--OtelLlm:Receiver:HttpPort={httpPort}",
            "--OtelLlm:Receiver:BatchMaxDelayMilliseconds=100",
            $"--OtelLlm:ClickHouse:Url={clickHouse}",
            $"--OtelLlm:ClickHouse:Database={database}",
            "--OtelLlm:ClickHouse:Timeout=00:01:00",
            $"--OtelLlm:Receiver:Spool:Directory={Path.Combine(receiver.SpoolDirectory, "spool")}",
            $"--OtelLlm:Receiver:Spool:DeadLetterDirectory={Path.Combine(receiver.SpoolDirectory, "dead")}",
            "--Logging:LogLevel:Default=Warning",
            .. extraArgs,
        ]);
        return receiver;
    }

    public async ValueTask DisposeAsync()
    {
        if (_app is not null)
        {
            await _app.StopAsync();
            await _app.DisposeAsync();
        }

        if (!_keepSpool && Directory.Exists(SpoolDirectory))
        {
            Directory.Delete(SpoolDirectory, recursive: true);
        }
    }

    public static HttpClient CreateGrpcClient() => InProcessReceiver.CreateGrpcClient();

    /// <summary>A request with <paramref name="count"/> spans whose ids are derived from <paramref name="first"/>.</summary>
    public static ExportTraceServiceRequest Spans(int first, int count, string runId)
    {
        var scope = new ScopeSpans { Scope = new InstrumentationScope { Name = "reliability-test" } };
        for (var i = first; i < first + count; i++)
        {
            var traceId = new byte[16];
            var spanId = new byte[8];
            BitConverter.TryWriteBytes(traceId, (long)i);
            BitConverter.TryWriteBytes(traceId.AsSpan(8), runId.GetHashCode(StringComparison.Ordinal));
            BitConverter.TryWriteBytes(spanId, (long)i + 1);
            var now = (ulong)DateTimeOffset.UtcNow.ToUnixTimeMilliseconds() * 1_000_000;
            scope.Spans.Add(new Span
            {
                TraceId = ByteString.CopyFrom(traceId),
                SpanId = ByteString.CopyFrom(spanId),
                Name = "chat test-model",
                Kind = Span.Types.SpanKind.Client,
                StartTimeUnixNano = now,
                EndTimeUnixNano = now + 1_000_000,
                Attributes = { new KeyValue { Key = "run.id", Value = new AnyValue { StringValue = runId } } },
            });
        }

        var resource = new ResourceSpans { Resource = new Resource { Attributes = { new KeyValue { Key = "service.name", Value = new AnyValue { StringValue = "rel-test" } } } } };
        resource.ScopeSpans.Add(scope);
        var request = new ExportTraceServiceRequest();
        request.ResourceSpans.Add(resource);
        return request;
    }
}
