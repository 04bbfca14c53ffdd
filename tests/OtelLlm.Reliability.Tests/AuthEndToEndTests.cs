using System.Net;
using System.Net.Http.Headers;
using Google.Protobuf;
using OtelLlm.TestSupport;

namespace OtelLlm.Reliability.Tests;

public sealed class AuthEndToEndTests(ClickHouseDatabase database) : IClassFixture<ClickHouseDatabase>
{
    [Fact]
    public async Task Export_BadOrMissingKey_RefusedBeforeBodyIsDecoded_GoodKeyNamesProject()
    {
        await using var receiver = await ReceiverUnderTest.StartAsync(database.Url, database.Name, ["--OtelLlm:Receiver:Auth:Keys=good-key-1=team-a;good-key-2=team-b"]);
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(60) };
        var url = new Uri($"http://127.0.0.1:{receiver.HttpPort}/v1/traces");

        // Not gzip at all: a server that read or decompressed it would answer 400, not 401.
        foreach (var key in new[] { null, "wrong-key" })
        {
            using var bad = new ByteArrayContent(new byte[4 << 20]);
            bad.Headers.ContentType = new MediaTypeHeaderValue("application/x-protobuf");
            bad.Headers.ContentEncoding.Add("gzip");
            using var request = new HttpRequestMessage(HttpMethod.Post, url) { Content = bad };
            if (key is not null)
            {
                request.Headers.Add("x-api-key", key);
            }

            using var response = await http.SendAsync(request);
            Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        }

        using var grpc = ReceiverUnderTest.CreateGrpcClient();
        using (var grpcRequest = new HttpRequestMessage(HttpMethod.Post, $"http://127.0.0.1:{receiver.GrpcPort}/opentelemetry.proto.collector.trace.v1.TraceService/Export"))
        {
            grpcRequest.Version = HttpVersion.Version20;
            grpcRequest.VersionPolicy = HttpVersionPolicy.RequestVersionExact;
            grpcRequest.Headers.Authorization = new AuthenticationHeaderValue("Bearer", "wrong-key");
            grpcRequest.Headers.Add("grpc-encoding", "gzip");
            grpcRequest.Content = new ByteArrayContent([1, 0, 0, 0, 5, 1, 2, 3, 4, 5]);
            grpcRequest.Content.Headers.ContentType = new MediaTypeHeaderValue("application/grpc");
            using var grpcResponse = await grpc.SendAsync(grpcRequest, HttpCompletionOption.ResponseContentRead);
            var status = grpcResponse.TrailingHeaders.TryGetValues("grpc-status", out var t) ? t.First()
                : grpcResponse.Headers.TryGetValues("grpc-status", out var h) ? h.First() : null;
            Assert.True(status == "16", $"HTTP {(int)grpcResponse.StatusCode} {grpcResponse.Version}; headers: {grpcResponse.Headers}; trailers: {grpcResponse.TrailingHeaders}");
        }

        using var good = new ByteArrayContent(ReceiverUnderTest.Spans(0, 3, "auth").ToByteArray());
        good.Headers.ContentType = new MediaTypeHeaderValue("application/x-protobuf");
        using var goodRequest = new HttpRequestMessage(HttpMethod.Post, url) { Content = good };
        goodRequest.Headers.Authorization = new AuthenticationHeaderValue("Bearer", "good-key-2");
        using (var goodResponse = await http.SendAsync(goodRequest))
        {
            Assert.Equal(HttpStatusCode.OK, goodResponse.StatusCode);
        }

        Assert.Equal(3, await database.WaitForCountAsync("SELECT count() FROM otel_traces FINAL WHERE Project = 'team-b'", 3, TimeSpan.FromSeconds(60)));
        Assert.Equal(0, await database.CountAsync("SELECT count() FROM otel_traces WHERE Project != 'team-b'"));
    }
}
