using System.Net;
using System.Net.Http.Headers;
using Google.Protobuf;
using OpenTelemetry.Proto.Collector.Trace.V1;

namespace OtelLlm.Reliability.Tests;

/// <summary>
/// Exports like the OpenTelemetry SDK does: retries HTTP 429/502/503/504, the retryable gRPC codes (UNAVAILABLE and
/// friends) and dropped or refused connections, with capped exponential backoff, until a time budget runs out.
/// </summary>
internal sealed class RetryingExporter : IDisposable
{
    private static readonly int[] s_retryableGrpc = [1, 4, 10, 11, 14, 15];
    private readonly HttpClient _http = new() { Timeout = TimeSpan.FromSeconds(30) };
    private readonly HttpClient _grpc = ReceiverUnderTest.CreateGrpcClient();
    private readonly Uri _httpUrl;
    private readonly Uri _grpcUrl;
    private long _retries;

    public RetryingExporter(int httpPort, int grpcPort)
    {
        _httpUrl = new Uri($"http://127.0.0.1:{httpPort}/v1/traces");
        _grpcUrl = new Uri($"http://127.0.0.1:{grpcPort}/opentelemetry.proto.collector.trace.v1.TraceService/Export");
        _grpc.Timeout = TimeSpan.FromSeconds(30);
    }

    private enum Outcome
    {
        Ok,
        Retry,
        Permanent,
    }

    /// <summary>Attempts that failed and were retried.</summary>
    public long Retries => Interlocked.Read(ref _retries);

    /// <summary>True once the receiver acknowledged the request; false on a permanent error or when the budget ran out.</summary>
    public async Task<bool> ExportAsync(ExportTraceServiceRequest request, bool useGrpc, TimeSpan budget)
    {
        var body = request.ToByteArray();
        var deadline = DateTime.UtcNow + budget;
        for (var attempt = 0; DateTime.UtcNow < deadline; attempt++)
        {
            var outcome = useGrpc ? await TryGrpcAsync(body) : await TryHttpAsync(body);
            if (outcome != Outcome.Retry)
            {
                return outcome == Outcome.Ok;
            }

            Interlocked.Increment(ref _retries);
            var delay = Math.Min(1000, 50 << Math.Min(attempt, 5));
            await Task.Delay(TimeSpan.FromMilliseconds(delay * (0.5 + (Random.Shared.NextDouble() * 0.5))));
        }

        return false;
    }

    public void Dispose()
    {
        _http.Dispose();
        _grpc.Dispose();
    }

    private async Task<Outcome> TryHttpAsync(byte[] body)
    {
        try
        {
            using var content = new ByteArrayContent(body);
            content.Headers.ContentType = new MediaTypeHeaderValue("application/x-protobuf");
            using var response = await _http.PostAsync(_httpUrl, content);
            return response.StatusCode == HttpStatusCode.OK ? Outcome.Ok
                : (int)response.StatusCode is 429 or 502 or 503 or 504 ? Outcome.Retry
                : Outcome.Permanent;
        }
        catch (Exception e) when (e is HttpRequestException or IOException or TaskCanceledException)
        {
            return Outcome.Retry;
        }
    }

    private async Task<Outcome> TryGrpcAsync(byte[] body)
    {
        try
        {
            using var request = new HttpRequestMessage(HttpMethod.Post, _grpcUrl)
            {
                Version = HttpVersion.Version20,
                VersionPolicy = HttpVersionPolicy.RequestVersionExact,
                Content = new ByteArrayContent(Load.GrpcFrame(body)),
            };
            request.Content.Headers.ContentType = new MediaTypeHeaderValue("application/grpc");
            request.Headers.TryAddWithoutValidation("te", "trailers");
            using var response = await _grpc.SendAsync(request, HttpCompletionOption.ResponseContentRead);
            var status = GrpcStatus(response);
            if (status is null)
            {
                return (int)response.StatusCode is 429 or 502 or 503 or 504 ? Outcome.Retry : Outcome.Permanent;
            }

            return status == 0 ? Outcome.Ok : s_retryableGrpc.Contains(status.Value) ? Outcome.Retry : Outcome.Permanent;
        }
        catch (Exception e) when (e is HttpRequestException or IOException or TaskCanceledException)
        {
            return Outcome.Retry;
        }
    }

    /// <summary>The grpc-status of a response, from its trailers or (Trailers-Only) its headers.</summary>
    public static int? GrpcStatus(HttpResponseMessage response)
    {
        var text = response.TrailingHeaders.TryGetValues("grpc-status", out var t) ? t.First()
            : response.Headers.TryGetValues("grpc-status", out var h) ? h.First() : null;
        return int.TryParse(text, out var code) ? code : null;
    }
}
