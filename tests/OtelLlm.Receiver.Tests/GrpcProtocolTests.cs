using System.Net;
using System.Net.Http.Headers;
using Google.Protobuf;
using OpenTelemetry.Proto.Collector.Trace.V1;
using OtelLlm.Receiver.TestHost;

namespace OtelLlm.Receiver.Tests;

/// <summary>A receiver whose request limit is small enough to test with a few hundred KB.</summary>
public sealed class SmallLimitReceiverFixture : ReceiverFixture
{
    public const int Limit = 256 * 1024;

    protected override IEnumerable<KeyValuePair<string, string>> Settings => [new("OtelLlm:Receiver:MaxRequestBytes", Limit.ToString())];
}

/// <summary>OTLP/gRPC on the wire: framing, compression, status codes, and the service staying up after bad calls.</summary>
[Collection(ProcessMemoryGroup.Name)]
public sealed class GrpcProtocolTests(SmallLimitReceiverFixture receiver) : IClassFixture<SmallLimitReceiverFixture>
{
    private const string TracePath = "/opentelemetry.proto.collector.trace.v1.TraceService/Export";
    private static readonly HttpClient s_client = ReceiverFixture.CreateGrpcClient();

    [Fact]
    public async Task Export_PlainMessage_StoresSpansAndRepliesOk()
    {
        var service = NewService();
        using var response = await SendAsync(TracePath, Otlp.Frame(Otlp.Spans(service, 3).ToByteArray()));
        Assert.Equal("0", Status(response));
        var reply = ExportTraceServiceResponse.Parser.ParseFrom(Unframe(await response.Content.ReadAsByteArrayAsync()));
        Assert.Null(reply.PartialSuccess);
        Assert.Equal(3, await CountAsync(service));
    }

    [Fact]
    public async Task Export_GzipMessage_StoresAllSpans()
    {
        var service = NewService();
        using var response = await SendAsync(TracePath, Otlp.Frame(Otlp.Gzip(Otlp.Spans(service, 5).ToByteArray()), compressedFlag: true), encoding: "gzip");
        Assert.Equal("0", Status(response));
        Assert.Equal(5, await CountAsync(service));
    }

    [Fact]
    public async Task Export_TruncatedFrame_ReturnsInternal()
    {
        var frame = Otlp.Frame(Otlp.Spans(NewService(), 2).ToByteArray());
        using var response = await SendAsync(TracePath, frame[..^10]);
        Assert.Equal("13", Status(response));
        Assert.Contains("Incomplete", Message(response));
        await AssertStillServesAsync();
    }

    [Fact]
    public async Task Export_ExtraDataAfterFrame_ReturnsInternal()
    {
        var frame = Otlp.Frame(Otlp.Spans(NewService(), 1).ToByteArray());
        using var response = await SendAsync(TracePath, [.. frame, .. Otlp.Frame([1, 2, 3])]);
        Assert.Equal("13", Status(response));
        Assert.Contains("Additional data", Message(response));
        await AssertStillServesAsync();
    }

    [Fact]
    public async Task Export_CompressedFlagWithoutEncoding_ReturnsInternal()
    {
        using var response = await SendAsync(TracePath, Otlp.Frame(Otlp.Gzip(Otlp.Spans(NewService(), 1).ToByteArray()), compressedFlag: true));
        Assert.Equal("13", Status(response));
        await AssertStillServesAsync();
    }

    [Fact]
    public async Task Export_UnknownMethod_ReturnsUnimplemented()
    {
        using var response = await SendAsync("/opentelemetry.proto.collector.profiles.v1development.ProfilesService/Export", Otlp.Frame([]));
        Assert.Equal("12", Status(response));
        await AssertStillServesAsync();
    }

    [Fact]
    public async Task Export_UnknownEncoding_ReturnsUnimplementedWithAcceptEncoding()
    {
        using var response = await SendAsync(TracePath, Otlp.Frame([1, 2, 3], compressedFlag: true), encoding: "snappy");
        Assert.Equal("12", Status(response));
        Assert.Contains("gzip", response.Headers.GetValues("grpc-accept-encoding").Single());
        await AssertStillServesAsync();
    }

    [Fact]
    public async Task Export_NonGrpcContentType_Returns415()
    {
        using var response = await SendAsync(TracePath, Otlp.Frame(Otlp.Spans(NewService(), 1).ToByteArray()), contentType: "application/json");
        Assert.Equal(HttpStatusCode.UnsupportedMediaType, response.StatusCode);
        await AssertStillServesAsync();
    }

    [Fact]
    public async Task Export_UnparsableProtobuf_ReturnsInvalidArgument()
    {
        using var response = await SendAsync(TracePath, Otlp.Frame([0x0A, 0xFF, 0xFF, 0xFF, 0x0F, 0x01]));
        Assert.Equal("3", Status(response));
        await AssertStillServesAsync();
    }

    [Fact]
    public async Task Export_OversizedMessage_ReturnsResourceExhausted()
    {
        var big = Otlp.Spans(NewService(), 1);
        big.ResourceSpans[0].ScopeSpans[0].Spans[0].Name = new string('x', SmallLimitReceiverFixture.Limit + 10);
        using var response = await SendAsync(TracePath, Otlp.Frame(big.ToByteArray()));
        Assert.Equal("8", Status(response));
        await AssertStillServesAsync();
    }

    [Fact]
    public async Task Export_GzipBomb_ReturnsResourceExhausted()
    {
        var bomb = Otlp.GzipBomb(64 * 1024 * 1024);
        Assert.True(bomb.Length < 100 * 1024);
        var before = GC.GetTotalMemory(false);
        using var response = await SendAsync(TracePath, Otlp.Frame(bomb, compressedFlag: true), encoding: "gzip");
        Assert.Equal("8", Status(response));
        // Decompression stops at the limit, so the server never holds anything near the 64 MiB the bomb expands to.
        Assert.True(GC.GetTotalMemory(false) - before < 32 * 1024 * 1024);
        await AssertStillServesAsync();
    }

    [Fact]
    public async Task Export_SpanWithBadTraceId_ReturnsPartialSuccessAndStoresTheRest()
    {
        var service = NewService();
        var request = Otlp.Spans(service, 2);
        request.ResourceSpans[0].ScopeSpans[0].Spans.Add(Otlp.Spans(service, 1, traceIdLength: 5).ResourceSpans[0].ScopeSpans[0].Spans[0]);
        using var response = await SendAsync(TracePath, Otlp.Frame(request.ToByteArray()));
        Assert.Equal("0", Status(response));
        var reply = ExportTraceServiceResponse.Parser.ParseFrom(Unframe(await response.Content.ReadAsByteArrayAsync()));
        Assert.Equal(1, reply.PartialSuccess.RejectedSpans);
        Assert.Contains("trace id", reply.PartialSuccess.ErrorMessage);
        Assert.Equal(2, await CountAsync(service));
    }

    [Fact]
    public async Task Export_EmptyRequest_RepliesOkAndStoresNothing()
    {
        using var response = await SendAsync(TracePath, Otlp.Frame(new ExportTraceServiceRequest().ToByteArray()));
        Assert.Equal("0", Status(response));
        var reply = ExportTraceServiceResponse.Parser.ParseFrom(Unframe(await response.Content.ReadAsByteArrayAsync()));
        Assert.Null(reply.PartialSuccess);
    }

    internal static string? Status(HttpResponseMessage response)
        => response.Headers.TryGetValues("grpc-status", out var h) ? h.Single()
            : response.TrailingHeaders.TryGetValues("grpc-status", out var t) ? t.Single() : null;

    private static string Message(HttpResponseMessage response)
        => Uri.UnescapeDataString(response.Headers.TryGetValues("grpc-message", out var h) ? h.Single()
            : response.TrailingHeaders.TryGetValues("grpc-message", out var t) ? t.Single() : string.Empty);

    private static byte[] Unframe(byte[] body)
    {
        Assert.True(body.Length >= 5);
        return body[5..];
    }

    private static string NewService() => "grpc-raw-" + Guid.NewGuid().ToString("N")[..10];

    private async Task<HttpResponseMessage> SendAsync(string path, byte[] body, string? encoding = null, string contentType = "application/grpc")
    {
        var request = new HttpRequestMessage(HttpMethod.Post, new Uri(receiver.GrpcEndpoint, path))
        {
            Version = HttpVersion.Version20,
            VersionPolicy = HttpVersionPolicy.RequestVersionExact,
            Content = new ByteArrayContent(body),
        };
        request.Content.Headers.ContentType = new MediaTypeHeaderValue(contentType);
        request.Headers.TE.ParseAdd("trailers");
        if (encoding is not null)
        {
            request.Headers.Add("grpc-encoding", encoding);
        }

        var response = await s_client.SendAsync(request, HttpCompletionOption.ResponseContentRead);
        return response;
    }

    private async Task<long> CountAsync(string service)
    {
        await receiver.WaitUntilWrittenAsync();
        return await receiver.Database.CountAsync($"SELECT count() FROM otel_traces WHERE ServiceName = '{service}'");
    }

    private async Task AssertStillServesAsync()
    {
        var service = NewService();
        using var response = await SendAsync(TracePath, Otlp.Frame(Otlp.Spans(service, 1).ToByteArray()));
        Assert.Equal("0", Status(response));
        Assert.Equal(1, await CountAsync(service));
    }
}
