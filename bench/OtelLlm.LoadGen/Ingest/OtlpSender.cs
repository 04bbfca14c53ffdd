using System.Net;
using System.Net.Http.Headers;

namespace OtelLlm.LoadGen.Ingest;

/// <summary>The transports the load generator speaks.</summary>
internal enum OtlpProtocol
{
    Grpc,
    HttpProtobuf,
}

/// <summary>What the receiver said to one export.</summary>
internal enum SendOutcome
{
    Accepted,

    /// <summary>Refused as retryable (gRPC UNAVAILABLE/RESOURCE_EXHAUSTED, HTTP 429/503): the receiver shed load.</summary>
    Refused,
    Failed,
}

/// <summary>
/// Sends pre-encoded OTLP trace exports: gRPC as HTTP/2 with prior knowledge over several connections (many streams
/// each), or OTLP/HTTP protobuf over HTTP/1.1 with one connection per concurrent sender.
/// </summary>
internal sealed class OtlpSender : IDisposable
{
    private const string GrpcPath = "/opentelemetry.proto.collector.trace.v1.TraceService/Export";
    private static readonly MediaTypeHeaderValue s_grpc = new("application/grpc");
    private static readonly MediaTypeHeaderValue s_protobuf = new("application/x-protobuf");

    private readonly HttpClient[] _clients;
    private readonly OtlpProtocol _protocol;
    private readonly Uri _uri;
    private readonly AuthenticationHeaderValue? _auth;
    private int _next;

    public OtlpSender(OtlpProtocol protocol, int port, int connections, int concurrency, string? apiKey)
    {
        _protocol = protocol;
        _uri = new Uri(protocol == OtlpProtocol.Grpc ? $"http://127.0.0.1:{port}{GrpcPath}" : $"http://127.0.0.1:{port}/v1/traces");
        _auth = apiKey is null ? null : new AuthenticationHeaderValue("Bearer", apiKey);
        // Each gRPC client is one HTTP/2 connection; HTTP/1.1 needs a connection per request in flight.
        var count = protocol == OtlpProtocol.Grpc ? Math.Max(1, connections) : 1;
        _clients = new HttpClient[count];
        for (var i = 0; i < count; i++)
        {
            var handler = new SocketsHttpHandler
            {
                UseProxy = false,
                AutomaticDecompression = DecompressionMethods.None,
                EnableMultipleHttp2Connections = false,
                MaxConnectionsPerServer = protocol == OtlpProtocol.Grpc ? 1 : Math.Max(1, concurrency),
                PooledConnectionLifetime = Timeout.InfiniteTimeSpan,
            };
            _clients[i] = new HttpClient(handler) { Timeout = TimeSpan.FromSeconds(120) };
        }
    }

    public async Task<SendOutcome> SendAsync(byte[] body, int length, CancellationToken ct)
    {
        var client = _clients[(int)((uint)Interlocked.Increment(ref _next) % (uint)_clients.Length)];
        using var request = new HttpRequestMessage(HttpMethod.Post, _uri);
        var content = new ByteArrayContent(body, 0, length);
        if (_protocol == OtlpProtocol.Grpc)
        {
            request.Version = HttpVersion.Version20;
            request.VersionPolicy = HttpVersionPolicy.RequestVersionExact;
            request.Headers.TryAddWithoutValidation("te", "trailers");
            content.Headers.ContentType = s_grpc;
        }
        else
        {
            request.Version = HttpVersion.Version11;
            content.Headers.ContentType = s_protobuf;
        }

        if (_auth is not null)
        {
            request.Headers.Authorization = _auth;
        }

        request.Content = content;
        try
        {
            using var response = await client.SendAsync(request, HttpCompletionOption.ResponseContentRead, ct);
            if (_protocol == OtlpProtocol.HttpProtobuf)
            {
                return response.StatusCode switch
                {
                    HttpStatusCode.OK => SendOutcome.Accepted,
                    HttpStatusCode.TooManyRequests or HttpStatusCode.ServiceUnavailable => SendOutcome.Refused,
                    _ => SendOutcome.Failed,
                };
            }

            var status = GrpcStatus(response);
            return status switch
            {
                "0" => SendOutcome.Accepted,
                "8" or "14" => SendOutcome.Refused,
                _ => SendOutcome.Failed,
            };
        }
        catch (HttpRequestException)
        {
            return SendOutcome.Failed;
        }
    }

    public void Dispose()
    {
        foreach (var c in _clients)
        {
            c.Dispose();
        }
    }

    private static string? GrpcStatus(HttpResponseMessage response)
    {
        if (response.TrailingHeaders.TryGetValues("grpc-status", out var trailer))
        {
            return trailer.FirstOrDefault();
        }

        // A trailers-only reply carries the status in the headers.
        return response.Headers.TryGetValues("grpc-status", out var header) ? header.FirstOrDefault() : null;
    }
}
