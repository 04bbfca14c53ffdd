using System.Globalization;
using Google.Protobuf;
using Google.Protobuf.Reflection;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.Options;
using Microsoft.Net.Http.Headers;
using OpenTelemetry.Proto.Collector.Logs.V1;
using OpenTelemetry.Proto.Collector.Metrics.V1;
using OpenTelemetry.Proto.Collector.Trace.V1;
using OtelLlm.Receiver.Decoding;
using OtelLlm.Receiver.Pipeline;
using OtelLlm.Receiver.Transport.Auth;

namespace OtelLlm.Receiver.Transport;

/// <summary>
/// OTLP/HTTP: <c>POST /v1/traces|logs|metrics</c> with a protobuf or JSON body, optionally gzip. Replies and error
/// bodies (<c>google.rpc.Status</c>) use the request's encoding.
/// </summary>
internal sealed partial class HttpTransport(OtlpIngestor ingestor, IRequestAuthenticator authenticator, RequestAdmission admission, IOptions<ReceiverOptions> options, ReceiverMetrics metrics, ILogger<HttpTransport> logger)
{
    public const string ProtobufContentType = "application/x-protobuf";
    public const string JsonContentType = "application/json";

    // The type registry lets the formatter write the RetryInfo detail of a refusal's google.rpc.Status.
    private static readonly JsonFormatter s_json = new(JsonFormatter.Settings.Default.WithTypeRegistry(TypeRegistry.FromMessages(Google.Rpc.RetryInfo.Descriptor)));
    private readonly int _maxRequestBytes = options.Value.MaxRequestBytes;
    private readonly RetryStatus _retry = new(options.Value.RetryAfterSeconds);

    public Task TracesAsync(HttpContext context)
        => HandleAsync(context, ExportTraceServiceRequest.Parser, OtlpJson.ParseTraces, ingestor.ExportAsync);

    public Task LogsAsync(HttpContext context)
        => HandleAsync(context, ExportLogsServiceRequest.Parser, OtlpJson.ParseLogs, ingestor.ExportAsync);

    public Task MetricsAsync(HttpContext context)
        => HandleAsync(context, ExportMetricsServiceRequest.Parser, OtlpJson.ParseMetrics, ingestor.ExportAsync);

    private async Task HandleAsync<TRequest, TResponse>(
        HttpContext context,
        MessageParser<TRequest> parser,
        Func<ReadOnlySpan<byte>, TRequest> parseJson,
        Func<string, TRequest, CancellationToken, Task<TResponse>> export)
        where TRequest : IMessage<TRequest>
        where TResponse : IMessage<TResponse>
    {
        var request = context.Request;
        var json = false;
        if (!HttpMethods.IsPost(request.Method))
        {
            context.Response.Headers.Allow = "POST";
            await FailAsync(context, json, StatusCodes.Status405MethodNotAllowed, 12, $"Method {request.Method} is not allowed; send OTLP with POST", "method_not_allowed");
            return;
        }

        var mediaType = MediaTypeHeaderValue.TryParse(request.ContentType, out var parsed) ? parsed.MediaType.Value : null;
        json = string.Equals(mediaType, JsonContentType, StringComparison.OrdinalIgnoreCase);
        if (!json && !string.Equals(mediaType, ProtobufContentType, StringComparison.OrdinalIgnoreCase))
        {
            await FailAsync(context, false, StatusCodes.Status415UnsupportedMediaType, 3, $"Content-Type '{request.ContentType}' is not supported; use {ProtobufContentType} or {JsonContentType}", "unsupported_media_type");
            return;
        }

        if (!authenticator.TryAuthenticate(context, out var caller, out var authError))
        {
            await FailAsync(context, json, StatusCodes.Status401Unauthorized, 16, authError ?? "not authenticated", "unauthenticated");
            return;
        }

        if (!caller.Has(ApiScopes.Ingest))
        {
            await FailAsync(context, json, StatusCodes.Status403Forbidden, 7, ApiScopeNames.Missing(ApiScopes.Ingest), "forbidden");
            return;
        }

        var project = caller.Project;

        var encoding = request.Headers.ContentEncoding.ToString();
        var gzip = encoding.Equals("gzip", StringComparison.OrdinalIgnoreCase);
        if (!gzip && encoding.Length > 0 && !encoding.Equals("identity", StringComparison.OrdinalIgnoreCase))
        {
            await FailAsync(context, json, StatusCodes.Status415UnsupportedMediaType, 3, $"Content-Encoding '{encoding}' is not supported; use gzip or none", "unsupported_encoding");
            return;
        }

        if (context.Features.Get<IHttpMaxRequestBodySizeFeature>() is { IsReadOnly: false } sizeFeature)
        {
            // The limit is ours to enforce, on the decompressed body; Kestrel's 30 MB default would cut it short.
            sizeFeature.MaxRequestBodySize = null;
        }

        var ct = context.RequestAborted;
        if (admission.Overloaded)
        {
            // Refused before a byte of the body is read: reading and decoding first is what let memory grow under
            // overload. The connection is closed so the unread body need not be drained.
            context.Response.Headers.Connection = "close";
            await ThrottleAsync(context, json, "Overloaded, retry later: the receiver is holding as much unwritten data as it may", "overloaded");
            return;
        }

        TResponse reply;
        try
        {
            using var lease = new BodyLease(admission);
            using var body = new BoundedBuffer(_maxRequestBytes, (int)Math.Min(request.ContentLength ?? 64 * 1024, _maxRequestBytes), lease);
            await body.ReadFromAsync(request.Body, "the request body", ct);
            Task<TResponse> exporting;
            if (gzip)
            {
                using var plain = new BoundedBuffer(_maxRequestBytes, Math.Min(body.Length * 4, _maxRequestBytes), lease);
                await plain.GunzipFromAsync(body.Memory, "the decompressed request body", ct);
                exporting = Export(project, json, parser, parseJson, export, plain.Span, ct);
            }
            else
            {
                exporting = Export(project, json, parser, parseJson, export, body.Span, ct);
            }

            reply = await exporting;
        }
        catch (RequestTooLargeException ex)
        {
            await FailAsync(context, json, StatusCodes.Status413PayloadTooLarge, 8, ex.Message, "too_large");
            return;
        }
        catch (InvalidDataException ex)
        {
            await FailAsync(context, json, StatusCodes.Status400BadRequest, 3, "The body is not valid gzip: " + ex.Message, "bad_gzip");
            return;
        }
        catch (InvalidProtocolBufferException ex)
        {
            await FailAsync(context, json, StatusCodes.Status400BadRequest, 3, $"The body is not a valid protobuf {typeof(TRequest).Name}: {ex.Message}", "bad_protobuf");
            return;
        }
        catch (OtlpJsonException ex)
        {
            await FailAsync(context, json, StatusCodes.Status400BadRequest, 3, $"The body is not valid OTLP/JSON for {typeof(TRequest).Name}: {ex.Message}", "bad_json");
            return;
        }
        catch (PipelineOverloadedException ex)
        {
            await ThrottleAsync(context, json, "Overloaded, retry later: " + ex.Message, "overloaded");
            return;
        }
        catch (PipelineWriteException ex)
        {
            await ThrottleAsync(context, json, "Storing the data failed, retry later: " + ex.Message, "write_failed");
            return;
        }
        catch (BadHttpRequestException ex)
        {
            await FailAsync(context, json, ex.StatusCode, 3, "Reading the request failed: " + ex.Message, "bad_request");
            return;
        }
        catch (OperationCanceledException) when (ct.IsCancellationRequested)
        {
            // The client went away; there is nobody to answer.
            return;
        }

        await WriteAsync(context, json, StatusCodes.Status200OK, reply);
    }

    private static async Task WriteAsync(HttpContext context, bool json, int status, IMessage message)
    {
        var response = context.Response;
        response.StatusCode = status;
        if (json)
        {
            response.ContentType = JsonContentType;
            await response.WriteAsync(s_json.Format(message), context.RequestAborted);
        }
        else
        {
            response.ContentType = ProtobufContentType;
            var bytes = message.ToByteArray();
            response.ContentLength = bytes.Length;
            await response.Body.WriteAsync(bytes, context.RequestAborted);
        }
    }

    /// <summary>
    /// The OTLP throttling answer: 503 with <c>Retry-After</c>, and a <c>google.rpc.Status</c> body (code 14,
    /// <c>UNAVAILABLE</c>) carrying the same delay as a <c>google.rpc.RetryInfo</c> detail, as gRPC clients get it.
    /// </summary>
    private Task ThrottleAsync(HttpContext context, bool json, string message, string reason)
    {
        context.Response.Headers.RetryAfter = ((long)_retry.Delay.TotalSeconds).ToString(CultureInfo.InvariantCulture);
        return FailAsync(context, json, StatusCodes.Status503ServiceUnavailable, _retry.Create(14, message), reason);
    }

    private Task FailAsync(HttpContext context, bool json, int httpStatus, int grpcCode, string message, string reason)
        => FailAsync(context, json, httpStatus, new Google.Rpc.Status { Code = grpcCode, Message = message }, reason);

    private async Task FailAsync(HttpContext context, bool json, int httpStatus, Google.Rpc.Status status, string reason)
    {
        metrics.Rejected(reason);
        LogRequestFailed(logger, context.Request.Path.Value, httpStatus, status.Message);
        await WriteAsync(context, json, httpStatus, status);
    }

    /// <summary>Decodes and exports; protobuf traces take the span-at-a-time path, which reads the bytes before it returns.</summary>
    private Task<TResponse> Export<TRequest, TResponse>(
        string project,
        bool json,
        MessageParser<TRequest> parser,
        Func<ReadOnlySpan<byte>, TRequest> parseJson,
        Func<string, TRequest, CancellationToken, Task<TResponse>> export,
        ReadOnlySpan<byte> bytes,
        CancellationToken ct)
        where TRequest : IMessage<TRequest>
        => json || typeof(TRequest) != typeof(ExportTraceServiceRequest)
            ? export(project, json ? parseJson(bytes) : parser.ParseFrom(bytes), ct)
            : (Task<TResponse>)(object)ingestor.ExportTracesAsync(project, bytes, ct);

    [LoggerMessage(Level = LogLevel.Debug, Message = "OTLP/HTTP request to {Path} refused with {Status}: {Message}")]
    private static partial void LogRequestFailed(ILogger logger, string? path, int status, string message);
}
