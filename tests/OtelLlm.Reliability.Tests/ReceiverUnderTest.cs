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

    private readonly bool _keepWal;

    private ReceiverUnderTest(string walDirectory, bool keepWal)
    {
        WalDirectory = walDirectory;
        _keepWal = keepWal;
    }

    public int GrpcPort { get; private set; }

    public int HttpPort { get; private set; }

    public string WalDirectory { get; }

    public IServiceProvider Services => _app!.Services;

    /// <param name="clickHouse">ClickHouse URL (or a fault proxy in front of it).</param>
    /// <param name="database">The test's database.</param>
    /// <param name="extraArgs">More configuration, winning over the defaults here.</param>
    /// <param name="walDirectory">A folder an earlier receiver used, to restart on its spool; it is then kept on dispose.</param>
    public static async Task<ReceiverUnderTest> StartAsync(Uri clickHouse, string database, IEnumerable<string> extraArgs, string? walDirectory = null)
    {
        var receiver = new ReceiverUnderTest(walDirectory ?? Path.Combine(Path.GetTempPath(), "otelllm-rel-" + Guid.NewGuid().ToString("N")), walDirectory is not null);
        (receiver._app, receiver.GrpcPort, receiver.HttpPort) = await InProcessReceiver.StartAsync((grpcPort, httpPort) =>
        [
            $"--OtelLlm:Receiver:GrpcPort={grpcPort}",
            $"--OtelLlm:Receiver:HttpPort={httpPort}",
            "--OtelLlm:Receiver:BatchMaxDelayMilliseconds=100",
            $"--OtelLlm:ClickHouse:Url={clickHouse}",
            $"--OtelLlm:ClickHouse:Database={database}",
            "--OtelLlm:ClickHouse:Timeout=00:01:00",
            $"--OtelLlm:Receiver:Wal:Directory={Path.Combine(receiver.WalDirectory, "wal")}",
            $"--OtelLlm:Receiver:Wal:DeadLetterDirectory={Path.Combine(receiver.WalDirectory, "dead")}",
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

        if (!_keepWal && Directory.Exists(WalDirectory))
        {
            Directory.Delete(WalDirectory, recursive: true);
        }
    }

    /// <summary>Waits until the writers have taken everything acknowledged so far out of the write-ahead log.</summary>
    public async Task WaitUntilWrittenAsync()
    {
        var log = (Receiver.Pipeline.Wal.WriteAheadLog)Services.GetService(typeof(Receiver.Pipeline.Wal.WriteAheadLog))!;
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(120);
        while (log.PendingCount > 0 && DateTime.UtcNow < deadline)
        {
            await Task.Delay(20);
        }

        Assert.Equal(0, log.PendingCount);
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
