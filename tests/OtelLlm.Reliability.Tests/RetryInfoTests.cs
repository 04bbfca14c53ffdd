using System.Diagnostics;
using System.Net;
using System.Net.Http.Headers;
using Google.Protobuf;
using Google.Protobuf.Reflection;
using Google.Rpc;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using OpenTelemetry;
using OpenTelemetry.Exporter;
using OpenTelemetry.Resources;
using OpenTelemetry.Trace;
using OtelLlm.Receiver.Pipeline;
using OtelLlm.Receiver.TestHost;
using OtelLlm.TestSupport;

namespace OtelLlm.Reliability.Tests;

/// <summary>
/// Refusals for overload or a failed write tell the client how long to wait: gRPC <c>UNAVAILABLE</c> with a
/// <c>google.rpc.RetryInfo</c> in <c>grpc-status-details-bin</c>, HTTP 503 with <c>Retry-After</c> and the same
/// RetryInfo in the <c>google.rpc.Status</c> body; the OpenTelemetry .NET exporter obeys it.
/// </summary>
public sealed class RetryInfoTests(ClickHouseDatabase database) : IClassFixture<ClickHouseDatabase>
{
    private const string TracePath = "/opentelemetry.proto.collector.trace.v1.TraceService/Export";

    [Fact]
    public async Task Export_DiskFull_GrpcStatusDetailsCarryRetryInfoWithConfiguredDelay()
    {
        await using var receiver = await StartAsync(null, retryAfterSeconds: 7);
        receiver.App.Services.GetRequiredService<TelemetryPipeline>().Log.WriteFault = new FlakyDisk(failures: int.MaxValue).Next;
        using var grpc = InProcessReceiver.CreateGrpcClient();

        // Several messages so the base64 text comes out in every length class (no '=' either way).
        foreach (var spans in new[] { 1, 2, 3 })
        {
            using var response = await SendGrpcAsync(grpc, receiver.GrpcPort, Load.Spans("retryinfo-grpc", 0, spans).ToByteArray());
            var (status, details) = ReadGrpcStatus(response);
            Assert.Equal(14, status);
            Assert.True(response.TrailingHeaders.Contains("grpc-status"), "the status should be in trailers, where every exporter reads its details");
            Assert.DoesNotContain('=', details);
            var decoded = DecodeDetails(details);
            Assert.Equal(14, decoded.Code);
            Assert.StartsWith("Storing the data failed, retry later", decoded.Message, StringComparison.Ordinal);
            Assert.Equal(TimeSpan.FromSeconds(7), RetryDelay(decoded));
            // Strict decoders (padding required) read the same text.
            Assert.Equal(decoded, Google.Rpc.Status.Parser.ParseFrom(Convert.FromBase64String(details)));
        }
    }

    [Fact]
    public async Task Export_RefusedTrailersOnly_DetailsGoWithTheStatusInTheHeaders()
    {
        // A call refused before its body is read ends Trailers-Only: whichever block carries grpc-status carries
        // grpc-status-details-bin too.
        await using var receiver = await StartAsync(new FlakyWriter(null, failures: 0), retryAfterSeconds: 4, "--OtelLlm:Receiver:Auth:Keys=retryinfo-key=retryinfo");
        using var grpc = InProcessReceiver.CreateGrpcClient();
        using var response = await SendGrpcAsync(grpc, receiver.GrpcPort, Load.Spans("retryinfo-unauthenticated", 0, 1).ToByteArray());

        Assert.False(response.TrailingHeaders.Contains("grpc-status"), "a call refused before its body is read should end Trailers-Only");
        var (status, details) = ReadGrpcStatus(response);
        Assert.Equal(16, status);
        var decoded = DecodeDetails(details);
        Assert.Equal(16, decoded.Code);
        Assert.Contains("API key", decoded.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Export_LogFull_GrpcRefusedBeforeReadingCarriesRetryInfo()
    {
        // A one-byte log budget and a ClickHouse insert that never finishes: the first call is acknowledged (its rows
        // are in the log), and the log stays full, so the next call is refused before its body is read.
        var writer = new FlakyWriter(null, failures: 0) { Hang = true };
        await using var receiver = await StartAsync(writer, retryAfterSeconds: 3, "--OtelLlm:Receiver:Wal:MaxLogBytes=1", "--OtelLlm:Receiver:Wal:SegmentBytes=1");
        using var grpc = InProcessReceiver.CreateGrpcClient();
        using (var first = await SendGrpcAsync(grpc, receiver.GrpcPort, Load.Spans("retryinfo-overload", 0, 5).ToByteArray()))
        {
            Assert.Equal(0, ReadGrpcStatus(first).Status);
        }

        var pipeline = receiver.App.Services.GetRequiredService<TelemetryPipeline>();
        Assert.True(pipeline.Log.DiskBytes > 0);
        using (var response = await SendGrpcAsync(grpc, receiver.GrpcPort, Load.Spans("retryinfo-overload", 5, 5).ToByteArray()))
        {
            var (status, details) = ReadGrpcStatus(response);
            Assert.Equal(14, status);
            var decoded = DecodeDetails(details);
            Assert.StartsWith("Overloaded, retry later", decoded.Message, StringComparison.Ordinal);
            Assert.Contains("write-ahead log is full", decoded.Message, StringComparison.Ordinal);
            Assert.Equal(TimeSpan.FromSeconds(3), RetryDelay(decoded));
        }

        writer.Hang = false;
        writer.Release();
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(60);
        while (pipeline.LogFull && DateTime.UtcNow < deadline)
        {
            await Task.Delay(20);
        }

        using var again = await SendGrpcAsync(grpc, receiver.GrpcPort, Load.Spans("retryinfo-overload", 5, 5).ToByteArray());
        Assert.Equal(0, ReadGrpcStatus(again).Status);
    }

    [Theory]
    [InlineData("application/x-protobuf")]
    [InlineData("application/json")]
    public async Task Export_DiskFull_HttpBodyCarriesSameRetryInfoAsRetryAfter(string contentType)
    {
        await using var receiver = await StartAsync(null, retryAfterSeconds: 7);
        var disk = new FlakyDisk(failures: int.MaxValue);
        receiver.App.Services.GetRequiredService<TelemetryPipeline>().Log.WriteFault = disk.Next;
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(60) };
        var json = contentType == "application/json";
        using var content = new ByteArrayContent(json ? Load.JsonSpans("retryinfo-http", 0, 2) : Load.Spans("retryinfo-http", 0, 2).ToByteArray());
        content.Headers.ContentType = new MediaTypeHeaderValue(contentType);
        using var response = await http.PostAsync(new Uri($"http://127.0.0.1:{receiver.HttpPort}/v1/traces"), content);

        Assert.Equal(HttpStatusCode.ServiceUnavailable, response.StatusCode);
        Assert.Equal(TimeSpan.FromSeconds(7), response.Headers.RetryAfter?.Delta);
        Assert.Equal(contentType, response.Content.Headers.ContentType?.MediaType);
        var body = await response.Content.ReadAsByteArrayAsync();
        var status = json
            ? new JsonParser(JsonParser.Settings.Default.WithTypeRegistry(TypeRegistry.FromMessages(RetryInfo.Descriptor))).Parse<Google.Rpc.Status>(System.Text.Encoding.UTF8.GetString(body))
            : Google.Rpc.Status.Parser.ParseFrom(body);
        Assert.Equal(14, status.Code);
        Assert.Contains("No space left on device", status.Message, StringComparison.Ordinal);
        Assert.Equal(TimeSpan.FromSeconds(7), RetryDelay(status));
        Assert.Equal(0, receiver.App.Services.GetRequiredService<TelemetryPipeline>().Log.PendingCount);
    }

    [Fact]
    public async Task SdkExporter_RefusedWithRetryInfo_RetriesAndItsSpansAreStored()
    {
        await using var receiver = await StartAsync(null, retryAfterSeconds: 1);
        var disk = new FlakyDisk(failures: 2);
        receiver.App.Services.GetRequiredService<TelemetryPipeline>().Log.WriteFault = disk.Next;
        var service = "retryinfo-sdk-" + Guid.NewGuid().ToString("N")[..8];
        ExportWithSdk(receiver.GrpcPort, service, spans: 10, timeout: TimeSpan.FromSeconds(90));

        Assert.Equal(2, disk.Refused);
        Assert.Equal(12, disk.Attempts);
        Assert.Equal(10, await database.WaitForCountAsync($"SELECT count() FROM otel_traces FINAL WHERE ServiceName = '{service}'", 10, TimeSpan.FromSeconds(60)));
    }

    [Fact]
    public async Task SdkExporter_RetryDelayBeyondItsDeadline_GivesUpInsteadOfRetryingSooner()
    {
        // Proves the exporter reads our RetryInfo: asked to wait an hour with a 20 s budget it drops the span after
        // one attempt, where its own backoff (under a second) would have retried and succeeded. (The test above shows
        // the same exporter set-up does retry.)
        await using var receiver = await StartAsync(null, retryAfterSeconds: 3600);
        var disk = new FlakyDisk(failures: 1);
        var pipeline = receiver.App.Services.GetRequiredService<TelemetryPipeline>();
        pipeline.Log.WriteFault = disk.Next;
        var service = "retryinfo-sdk-late-" + Guid.NewGuid().ToString("N")[..8];
        ExportWithSdk(receiver.GrpcPort, service, spans: 1, timeout: TimeSpan.FromSeconds(20));

        Assert.Equal(1, disk.Attempts);
        Assert.Equal(0, pipeline.Log.AppendedSequence);
        Assert.Equal(0, await database.CountAsync($"SELECT count() FROM otel_traces WHERE ServiceName = '{service}'"));
    }

    /// <summary>
    /// Spans through the real OpenTelemetry .NET OTLP/gRPC exporter with its in-memory retry turned on (as
    /// <c>OTEL_DOTNET_EXPERIMENTAL_OTLP_RETRY=in_memory</c> does). The simple processor exports each span when it
    /// ends, so when this returns every export, retries included, has finished.
    /// </summary>
    private static void ExportWithSdk(int grpcPort, string service, int spans, TimeSpan timeout)
    {
        var sourceName = "retryinfo." + service;
        using var source = new ActivitySource(sourceName);
        var configuration = new ConfigurationBuilder()
            .AddInMemoryCollection(new Dictionary<string, string?> { ["OTEL_DOTNET_EXPERIMENTAL_OTLP_RETRY"] = "in_memory" })
            .Build();
        using var tracerProvider = Sdk.CreateTracerProviderBuilder()
            .ConfigureServices(s => s.AddSingleton<IConfiguration>(configuration))
            .AddSource(sourceName)
            .SetResourceBuilder(ResourceBuilder.CreateEmpty().AddService(service))
            .AddOtlpExporter(o =>
            {
                o.Protocol = OtlpExportProtocol.Grpc;
                o.Endpoint = new Uri($"http://127.0.0.1:{grpcPort}");
                o.ExportProcessorType = ExportProcessorType.Simple;
                o.TimeoutMilliseconds = (int)timeout.TotalMilliseconds;
            })
            .Build();
        for (var i = 0; i < spans; i++)
        {
            source.StartActivity("work " + i)?.Stop();
        }
    }

    private async Task<Receiver> StartAsync(FlakyWriter? writer, int retryAfterSeconds, params string[] extra)
    {
        var (app, grpcPort, httpPort) = await InProcessReceiver.StartAsync(
            (grpc, http) =>
            [
                $"--OtelLlm:Receiver:GrpcPort={grpc}",
                $"--OtelLlm:Receiver:HttpPort={http}",
                "--OtelLlm:Receiver:BatchMaxDelayMilliseconds=50",
                "--OtelLlm:Receiver:MigrateOnStart=false",
                $"--OtelLlm:ClickHouse:Url={database.Url}",
                $"--OtelLlm:ClickHouse:Database={database.Name}",
                $"--OtelLlm:Receiver:Wal:Directory={Path.Combine(Path.GetTempPath(), "otelllm-retryinfo-" + Guid.NewGuid().ToString("N"))}",
                $"--OtelLlm:Receiver:RetryAfterSeconds={retryAfterSeconds}",
                "--Logging:LogLevel:Default=Warning",
                .. extra,
            ],
            services =>
            {
                if (writer is not null)
                {
                    services.RemoveAll<IBatchWriter>();
                    services.AddSingleton<IBatchWriter>(writer);
                }
            });
        return new Receiver(app, grpcPort, httpPort);
    }

    private static async Task<HttpResponseMessage> SendGrpcAsync(HttpClient grpc, int port, byte[] message)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, $"http://127.0.0.1:{port}{TracePath}")
        {
            Version = HttpVersion.Version20,
            VersionPolicy = HttpVersionPolicy.RequestVersionExact,
            Content = new ByteArrayContent(Load.GrpcFrame(message)),
        };
        request.Content.Headers.ContentType = new MediaTypeHeaderValue("application/grpc");
        request.Headers.TryAddWithoutValidation("te", "trailers");
        return await grpc.SendAsync(request, HttpCompletionOption.ResponseContentRead);
    }

    /// <summary>grpc-status and grpc-status-details-bin from the block that carries the status (trailers, or headers when Trailers-Only).</summary>
    private static (int Status, string Details) ReadGrpcStatus(HttpResponseMessage response)
    {
        var block = response.TrailingHeaders.Contains("grpc-status") ? (HttpHeaders)response.TrailingHeaders : response.Headers;
        var status = int.Parse(block.GetValues("grpc-status").Single(), System.Globalization.CultureInfo.InvariantCulture);
        var details = block.TryGetValues("grpc-status-details-bin", out var values) ? values.Single() : string.Empty;
        return (status, details);
    }

    /// <summary>Decodes binary gRPC metadata the way gRPC does: base64 with or without padding.</summary>
    private static Google.Rpc.Status DecodeDetails(string details)
    {
        Assert.False(string.IsNullOrEmpty(details), "no grpc-status-details-bin");
        var padded = details + new string('=', (4 - (details.Length % 4)) % 4);
        return Google.Rpc.Status.Parser.ParseFrom(Convert.FromBase64String(padded));
    }

    private static TimeSpan RetryDelay(Google.Rpc.Status status)
    {
        var detail = Assert.Single(status.Details);
        Assert.Equal("type.googleapis.com/google.rpc.RetryInfo", detail.TypeUrl);
        return detail.Unpack<RetryInfo>().RetryDelay.ToTimeSpan();
    }

    private sealed record Receiver(WebApplication App, int GrpcPort, int HttpPort) : IAsyncDisposable
    {
        public async ValueTask DisposeAsync()
        {
            await App.StopAsync();
            await App.DisposeAsync();
        }
    }

    /// <summary>A disk that refuses the first <c>failures</c> appends to the write-ahead log as full.</summary>
    private sealed class FlakyDisk(int failures)
    {
        private int _attempts;

        public int Attempts => Volatile.Read(ref _attempts);

        public int Refused => Math.Min(Attempts, failures);

        public IOException? Next() => Interlocked.Increment(ref _attempts) <= failures ? new IOException("No space left on device") : null;
    }

    /// <summary>Refuses the first <c>failures</c> writes as ClickHouse being unreachable, then passes writes on (or drops them when there is no inner writer).</summary>
    private sealed class FlakyWriter(IBatchWriter? inner, int failures) : IBatchWriter
    {
        private readonly SemaphoreSlim _released = new(0);
        private int _attempts;
        private int _refused;

        public bool Hang { get; set; }

        public int Attempts => Volatile.Read(ref _attempts);

        public int Refused => Volatile.Read(ref _refused);

        public void Release() => _released.Release(int.MaxValue / 2);

        public async Task WriteAsync(string table, string columns, ReadOnlyMemory<byte> rowBinary, int rowCount, CancellationToken ct)
        {
            Interlocked.Increment(ref _attempts);
            if (Hang)
            {
                await _released.WaitAsync(ct);
            }

            if (Interlocked.Increment(ref _refused) <= failures)
            {
                throw FakeBatchWriter.Unavailable();
            }

            Interlocked.Decrement(ref _refused);
            if (inner is not null)
            {
                await inner.WriteAsync(table, columns, rowBinary, rowCount, ct);
            }
        }
    }
}
