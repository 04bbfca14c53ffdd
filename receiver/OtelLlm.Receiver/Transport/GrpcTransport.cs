using System.Buffers.Binary;
using System.Globalization;
using Google.Protobuf;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.Options;
using OpenTelemetry.Proto.Collector.Logs.V1;
using OpenTelemetry.Proto.Collector.Metrics.V1;
using OpenTelemetry.Proto.Collector.Trace.V1;
using OtelLlm.Receiver.Decoding;
using OtelLlm.Receiver.Pipeline;
using OtelLlm.Receiver.Transport.Auth;

namespace OtelLlm.Receiver.Transport;

/// <summary>
/// OTLP/gRPC unary <c>Export</c> calls served on Kestrel directly (HTTP/2 cleartext): one length-prefixed message in,
/// one out, <c>grpc-status</c> in trailers, or in the headers alone (Trailers-Only) when the call fails early.
/// </summary>
internal sealed partial class GrpcTransport(OtlpIngestor ingestor, IRequestAuthenticator authenticator, RequestAdmission admission, IOptions<ReceiverOptions> options, ReceiverMetrics metrics, ILogger<GrpcTransport> logger)
{
    public const string TracePath = "/opentelemetry.proto.collector.trace.v1.TraceService/Export";
    public const string LogsPath = "/opentelemetry.proto.collector.logs.v1.LogsService/Export";
    public const string MetricsPath = "/opentelemetry.proto.collector.metrics.v1.MetricsService/Export";
    public const string AcceptEncoding = "identity,gzip";

    private const int HeaderLength = 5;
    private readonly int _maxMessageBytes = options.Value.MaxRequestBytes;
    private readonly RetryStatus _retry = new(options.Value.RetryAfterSeconds);

    /// <summary>Whether a request is meant for this transport: a gRPC content type or an OTLP service path.</summary>
    public static bool Handles(HttpRequest request)
        => IsGrpcContentType(request.ContentType)
            || (request.Path.Value?.StartsWith("/opentelemetry.proto.collector.", StringComparison.Ordinal) ?? false);

    public async Task HandleAsync(HttpContext context)
    {
        var request = context.Request;
        var response = context.Response;
        if (!HttpMethods.IsPost(request.Method))
        {
            response.StatusCode = StatusCodes.Status405MethodNotAllowed;
            response.Headers.Allow = "POST";
            return;
        }

        if (!IsGrpcContentType(request.ContentType))
        {
            metrics.Rejected("unsupported_media_type");
            response.StatusCode = StatusCodes.Status415UnsupportedMediaType;
            SetStatus(response, GrpcStatusCode.Internal, $"Content-Type '{request.ContentType}' is not gRPC; expected application/grpc");
            return;
        }

        if (!HttpProtocol.IsHttp2(request.Protocol))
        {
            metrics.Rejected("http2_required");
            response.StatusCode = StatusCodes.Status426UpgradeRequired;
            response.Headers.Upgrade = "h2c";
            SetStatus(response, GrpcStatusCode.Internal, "gRPC requires HTTP/2");
            return;
        }

        response.ContentType = "application/grpc";
        response.Headers["grpc-accept-encoding"] = AcceptEncoding;
        using var deadline = ParseTimeout(request.Headers["grpc-timeout"]) is { } timeout ? new CancellationTokenSource(timeout) : null;
        using var linked = deadline is null ? null : CancellationTokenSource.CreateLinkedTokenSource(context.RequestAborted, deadline.Token);
        var ct = linked?.Token ?? context.RequestAborted;
        try
        {
            switch (request.Path.Value)
            {
                case TracePath:
                    await ExportAsync(context, ExportTraceServiceRequest.Parser, ingestor.ExportAsync, ct);
                    break;
                case LogsPath:
                    await ExportAsync(context, ExportLogsServiceRequest.Parser, ingestor.ExportAsync, ct);
                    break;
                case MetricsPath:
                    await ExportAsync(context, ExportMetricsServiceRequest.Parser, ingestor.ExportAsync, ct);
                    break;
                default:
                    throw new GrpcStatusException(GrpcStatusCode.Unimplemented, $"Method '{request.Path.Value}' is not implemented; this receiver serves the OTLP trace, logs and metrics Export methods");
            }
        }
        catch (GrpcStatusException ex)
        {
            Fail(response, ex.Code, ex.Message, ex.Code.ToString());
        }
        catch (RequestTooLargeException ex)
        {
            Fail(response, GrpcStatusCode.ResourceExhausted, "Received message exceeds the maximum size: " + ex.Message, "too_large");
        }
        catch (PipelineOverloadedException ex)
        {
            await ThrottleAsync(response, "Overloaded, retry later: " + ex.Message, "overloaded");
        }
        catch (PipelineWriteException ex)
        {
            await ThrottleAsync(response, "Storing the data failed, retry later: " + ex.Message, "write_failed");
        }
        catch (OperationCanceledException) when (deadline?.IsCancellationRequested == true && !context.RequestAborted.IsCancellationRequested)
        {
            Fail(response, GrpcStatusCode.DeadlineExceeded, "The deadline passed before the data was stored", "deadline");
        }
        catch (OperationCanceledException) when (context.RequestAborted.IsCancellationRequested)
        {
            // The client went away; there is nobody to answer.
        }
        catch (BadHttpRequestException ex)
        {
            Fail(response, GrpcStatusCode.Internal, "Reading the request failed: " + ex.Message, "bad_request");
        }
    }

    internal static TimeSpan? ParseTimeout(string? value)
    {
        if (string.IsNullOrEmpty(value) || value.Length < 2 || value.Length > 9
            || !long.TryParse(value.AsSpan(0, value.Length - 1), NumberStyles.None, CultureInfo.InvariantCulture, out var amount))
        {
            return null;
        }

        return value[^1] switch
        {
            'H' => TimeSpan.FromHours(amount),
            'M' => TimeSpan.FromMinutes(amount),
            'S' => TimeSpan.FromSeconds(amount),
            'm' => TimeSpan.FromMilliseconds(amount),
            'u' => TimeSpan.FromMicroseconds(amount),
            'n' => TimeSpan.FromTicks(Math.Max(1, amount / 100)),
            _ => null,
        };
    }

    private static bool IsGrpcContentType(string? contentType)
        => contentType is not null && contentType.StartsWith("application/grpc", StringComparison.OrdinalIgnoreCase)
            && (contentType.Length == 16 || contentType[16] is '+' or ';');

    /// <summary>
    /// Puts the status in the trailers once the response has started, otherwise in the headers (Trailers-Only).
    /// <paramref name="details"/> is an encoded <c>google.rpc.Status</c> for <c>grpc-status-details-bin</c>.
    /// </summary>
    internal static void SetStatus(HttpResponse response, GrpcStatusCode code, string? message, string? details = null)
    {
        IHeaderDictionary destination = response.HasStarted
            ? response.HttpContext.Features.GetRequiredFeature<IHttpResponseTrailersFeature>().Trailers
            : response.Headers;
        destination["grpc-status"] = ((int)code).ToString(CultureInfo.InvariantCulture);
        if (!string.IsNullOrEmpty(message))
        {
            destination["grpc-message"] = Uri.EscapeDataString(message);
        }

        if (details is not null)
        {
            destination[RetryStatus.DetailsHeader] = details;
        }
    }

    private void Fail(HttpResponse response, GrpcStatusCode code, string message, string reason, string? details = null)
    {
        metrics.Rejected(reason);
        LogCallFailed(logger, response.HttpContext.Request.Path.Value, code, message);
        SetStatus(response, code, message, details);
    }

    /// <summary>
    /// The OTLP throttling answer: <c>UNAVAILABLE</c> (which every OTLP exporter retries) with a
    /// <c>google.rpc.RetryInfo</c> of <see cref="ReceiverOptions.RetryAfterSeconds"/> in <c>grpc-status-details-bin</c>.
    /// Sent as headers, then trailers holding the status, rather than Trailers-Only: the OpenTelemetry .NET exporter
    /// (1.20) looks for <c>grpc-status-details-bin</c> only in trailers and would retry at its own pace otherwise.
    /// </summary>
    private async Task ThrottleAsync(HttpResponse response, string message, string reason)
    {
        if (!response.HasStarted)
        {
            await response.StartAsync(CancellationToken.None);
        }

        Fail(response, GrpcStatusCode.Unavailable, message, reason, _retry.EncodeDetails((int)GrpcStatusCode.Unavailable, message));
    }

    private async Task ExportAsync<TRequest, TResponse>(HttpContext context, MessageParser<TRequest> parser, Func<string, TRequest, CancellationToken, Task<TResponse>> export, CancellationToken ct)
        where TRequest : IMessage<TRequest>
        where TResponse : IMessage<TResponse>
    {
        var request = context.Request;
        if (!authenticator.TryAuthenticate(context, out var caller, out var authError))
        {
            throw new GrpcStatusException(GrpcStatusCode.Unauthenticated, authError ?? "not authenticated");
        }

        if (!caller.Has(ApiScopes.Ingest))
        {
            throw new GrpcStatusException(GrpcStatusCode.PermissionDenied, ApiScopeNames.Missing(ApiScopes.Ingest));
        }

        var project = caller.Project;

        var encoding = request.Headers["grpc-encoding"].ToString();
        var gzip = encoding.Equals("gzip", StringComparison.OrdinalIgnoreCase);
        if (!gzip && encoding.Length > 0 && !encoding.Equals("identity", StringComparison.OrdinalIgnoreCase))
        {
            throw new GrpcStatusException(GrpcStatusCode.Unimplemented, $"grpc-encoding '{encoding}' is not supported; supported: {AcceptEncoding}");
        }

        if (context.Features.Get<IHttpMaxRequestBodySizeFeature>() is { IsReadOnly: false } sizeFeature)
        {
            // The limit is ours to enforce, on the decompressed message; Kestrel's 30 MB default would cut it short.
            sizeFeature.MaxRequestBodySize = null;
        }

        // Refused before a byte of the body is read: reading and decoding first is what let memory grow under overload.
        admission.ThrowIfOverloaded();
        using var lease = new BodyLease(admission);
        using var body = new BoundedBuffer(_maxMessageBytes + HeaderLength, (int)Math.Min(request.ContentLength ?? 64 * 1024, _maxMessageBytes + HeaderLength), lease);
        await body.ReadFromAsync(request.Body, "the request message", ct);
        var frame = body.Memory;
        if (frame.Length < HeaderLength)
        {
            throw new GrpcStatusException(GrpcStatusCode.Internal, frame.Length == 0 ? "The request has no message" : "Incomplete message: the 5-byte frame header is cut off");
        }

        var flag = frame.Span[0];
        var length = BinaryPrimitives.ReadUInt32BigEndian(frame.Span[1..]);
        if (flag > 1)
        {
            throw new GrpcStatusException(GrpcStatusCode.Internal, $"Invalid compressed flag {flag} in the frame header");
        }

        if (length > (uint)_maxMessageBytes)
        {
            throw new RequestTooLargeException($"the message of {length} bytes is larger than the limit of {_maxMessageBytes} bytes");
        }

        if (frame.Length - HeaderLength < length)
        {
            throw new GrpcStatusException(GrpcStatusCode.Internal, string.Create(CultureInfo.InvariantCulture, $"Incomplete message: the frame announces {length} bytes but {frame.Length - HeaderLength} arrived"));
        }

        if (frame.Length - HeaderLength > length)
        {
            throw new GrpcStatusException(GrpcStatusCode.Internal, "Additional data after the message received; a unary call carries exactly one message");
        }

        var payload = frame.Slice(HeaderLength, (int)length);
        Task<TResponse> exporting;
        if (flag == 1)
        {
            if (!gzip)
            {
                throw new GrpcStatusException(GrpcStatusCode.Internal, "The message is marked compressed but the request has no grpc-encoding");
            }

            using var plain = new BoundedBuffer(_maxMessageBytes, Math.Min(payload.Length * 4, _maxMessageBytes), lease);
            try
            {
                await plain.GunzipFromAsync(payload, "the decompressed message", ct);
            }
            catch (InvalidDataException ex)
            {
                throw new GrpcStatusException(GrpcStatusCode.InvalidArgument, "The message is not valid gzip: " + ex.Message);
            }

            exporting = Export(project, parser, export, plain.Span, ct);
        }
        else
        {
            exporting = Export(project, parser, export, payload.Span, ct);
        }

        var reply = await exporting;
        var response = context.Response;
        var size = reply.CalculateSize();
        var span = response.BodyWriter.GetSpan(HeaderLength + size);
        span[0] = 0;
        BinaryPrimitives.WriteUInt32BigEndian(span[1..], (uint)size);
        reply.WriteTo(span.Slice(HeaderLength, size));
        response.BodyWriter.Advance(HeaderLength + size);
        await response.BodyWriter.FlushAsync(ct);
        response.AppendTrailer("grpc-status", "0");
    }

    /// <summary>Decodes and exports; traces take the span-at-a-time path, which reads the bytes before it returns.</summary>
    private Task<TResponse> Export<TRequest, TResponse>(string project, MessageParser<TRequest> parser, Func<string, TRequest, CancellationToken, Task<TResponse>> export, ReadOnlySpan<byte> bytes, CancellationToken ct)
        where TRequest : IMessage<TRequest>
    {
        if (typeof(TRequest) != typeof(ExportTraceServiceRequest))
        {
            return export(project, Parse(parser, bytes), ct);
        }

        try
        {
            return (Task<TResponse>)(object)ingestor.ExportTracesAsync(project, bytes, ct);
        }
        catch (InvalidProtocolBufferException ex)
        {
            throw new GrpcStatusException(GrpcStatusCode.InvalidArgument, "The message is not a valid protobuf " + typeof(TRequest).Name + ": " + ex.Message);
        }
    }

    private static TRequest Parse<TRequest>(MessageParser<TRequest> parser, ReadOnlySpan<byte> bytes)
        where TRequest : IMessage<TRequest>
    {
        try
        {
            return parser.ParseFrom(bytes);
        }
        catch (InvalidProtocolBufferException ex)
        {
            throw new GrpcStatusException(GrpcStatusCode.InvalidArgument, "The message is not a valid protobuf " + typeof(TRequest).Name + ": " + ex.Message);
        }
    }

    [LoggerMessage(Level = LogLevel.Debug, Message = "gRPC call {Path} failed with {Code}: {Message}")]
    private static partial void LogCallFailed(ILogger logger, string? path, GrpcStatusCode code, string message);
}
