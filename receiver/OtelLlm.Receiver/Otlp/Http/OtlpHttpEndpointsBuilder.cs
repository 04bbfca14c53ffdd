using System.Globalization;
using Google.Protobuf.Reflection;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Net.Http.Headers;
using OtelLlm.Receiver.Admission;
using OtelLlm.Receiver.Configuration;

namespace OtelLlm.Receiver.Otlp.Http;

/// <summary>
/// OTLP/HTTP: <c>POST /v1/traces|logs|metrics</c> with a protobuf or JSON body, optionally gzip, over the same
/// per-signal services as OTLP/gRPC. Replies and error bodies (<c>google.rpc.Status</c>) use the request's encoding.
/// </summary>
internal static class OtlpHttpEndpointsBuilder
{
    public const string ProtobufContentType = "application/x-protobuf";
    public const string JsonContentType = "application/json";

    public static void MapOtlpHttpApi(this IEndpointRouteBuilder endpoints)
    {
        // Map, not MapPost: other methods get the OTLP error body and an Allow header rather than a bare 405.
        var group = endpoints.MapGroup("/v1");
        group.Map("traces", static (HttpContext context, OtlpHttpExport http, OtlpTraceService traces) => http.HandleAsync(context, traces.ExportAsync));
        group.Map("logs", static (HttpContext context, OtlpHttpExport http, OtlpLogsService logs) => http.HandleAsync(context, logs.ExportAsync));
        group.Map("metrics", static (HttpContext context, OtlpHttpExport http, OtlpMetricsService metrics) => http.HandleAsync(context, metrics.ExportAsync));
    }
}

/// <summary>
/// One OTLP/HTTP export: checks what can be checked before the body is read (method, content type, API key, encoding,
/// overload), reads the body into a buffer bounded by <c>MaxRequestBytes</c> after decompression and reserved from the
/// in-flight budget, runs the signal's service, and answers with <see cref="OtlpHttpResult"/>.
/// </summary>
internal sealed class OtlpHttpExport(IRequestAuthenticator authenticator, RequestAdmission admission, OtlpRefusal refusal, IOptions<ReceiverOptions> options)
{
    private readonly int _maxRequestBytes = options.Value.MaxRequestBytes;

    public async Task HandleAsync<TResponse>(HttpContext context, Func<string, OtlpBody, CancellationToken, Task<TResponse>> export)
        where TResponse : IMessage
    {
        var request = context.Request;
        var mediaType = MediaTypeHeaderValue.TryParse(request.ContentType, out var parsed) ? parsed.MediaType.Value : null;
        var json = string.Equals(mediaType, OtlpHttpEndpointsBuilder.JsonContentType, StringComparison.OrdinalIgnoreCase);
        IMessage reply;
        int status;
        try
        {
            var project = Admit(context, mediaType, json, out var gzip);
            reply = await ExportAsync(context, project, json, gzip, export);
            status = StatusCodes.Status200OK;
        }
        catch (Exception e) when (OtlpFailures.TryClassify(e, out var failure, out var message))
        {
            reply = refusal.Refuse(failure, message, request.Path.Value);
            status = OtlpFailures.Answer(failure).Http;
            if (failure == OtlpFailure.MethodNotAllowed)
            {
                context.Response.Headers.Allow = "POST";
            }

            if (OtlpFailures.Answer(failure).Retryable)
            {
                context.Response.Headers.RetryAfter = ((long)refusal.RetryDelay.TotalSeconds).ToString(CultureInfo.InvariantCulture);
            }
        }
        catch (OperationCanceledException) when (context.RequestAborted.IsCancellationRequested)
        {
            // The client went away; there is nobody to answer.
            return;
        }

        await new OtlpHttpResult(reply, status, json).ExecuteAsync(context);
    }

    /// <summary>Everything decided before a byte of the body is read; returns the project.</summary>
    private string Admit(HttpContext context, string? mediaType, bool json, out bool gzip)
    {
        var request = context.Request;
        gzip = false;
        if (!HttpMethods.IsPost(request.Method))
        {
            throw new OtlpExportException(OtlpFailure.MethodNotAllowed, $"Method {request.Method} is not allowed; send OTLP with POST");
        }

        if (!json && !string.Equals(mediaType, OtlpHttpEndpointsBuilder.ProtobufContentType, StringComparison.OrdinalIgnoreCase))
        {
            throw new OtlpExportException(OtlpFailure.UnsupportedMediaType, $"Content-Type '{request.ContentType}' is not supported; use {OtlpHttpEndpointsBuilder.ProtobufContentType} or {OtlpHttpEndpointsBuilder.JsonContentType}");
        }

        var project = OtlpFailures.AuthorizeExport(authenticator, context);

        var encoding = request.Headers.ContentEncoding.ToString();
        gzip = encoding.Equals("gzip", StringComparison.OrdinalIgnoreCase);
        if (!gzip && encoding.Length > 0 && !encoding.Equals("identity", StringComparison.OrdinalIgnoreCase))
        {
            throw new OtlpExportException(OtlpFailure.UnsupportedMediaType, $"Content-Encoding '{encoding}' is not supported; use gzip or none");
        }

        if (admission.Overloaded)
        {
            // The connection is closed so the unread body need not be drained.
            context.Response.Headers.Connection = "close";
            throw new OtlpExportException(OtlpFailure.Overloaded, "Overloaded, retry later: the write-ahead log is full; ClickHouse is not taking rows as fast as they arrive");
        }

        return project;
    }

    private async Task<IMessage> ExportAsync<TResponse>(HttpContext context, string project, bool json, bool gzip, Func<string, OtlpBody, CancellationToken, Task<TResponse>> export)
        where TResponse : IMessage
    {
        if (context.Features.Get<IHttpMaxRequestBodySizeFeature>() is { IsReadOnly: false } sizeFeature)
        {
            // The limit is ours to enforce, on the decompressed body; Kestrel's 30 MB default would cut it short.
            sizeFeature.MaxRequestBodySize = null;
        }

        var ct = context.RequestAborted;
        using var lease = new BodyLease(admission);
        using var body = new BoundedBuffer(_maxRequestBytes, (int)Math.Min(context.Request.ContentLength ?? 64 * 1024, _maxRequestBytes), lease);
        await body.ReadFromAsync(context.Request.Body, "the request body", ct);
        if (!gzip)
        {
            return await export(project, new OtlpBody(body.Memory, json), ct);
        }

        using var plain = new BoundedBuffer(_maxRequestBytes, Math.Min(body.Length * 4, _maxRequestBytes), lease);
        await plain.GunzipFromAsync(body.Memory, "the decompressed request body", ct);
        return await export(project, new OtlpBody(plain.Memory, json), ct);
    }
}

/// <summary>An OTLP/HTTP answer: a response or <c>google.rpc.Status</c> message, encoded like the request.</summary>
internal sealed class OtlpHttpResult(IMessage message, int statusCode, bool json) : IResult
{
    // The type registry lets the formatter write the RetryInfo detail of a refusal's google.rpc.Status.
    private static readonly JsonFormatter s_json = new(JsonFormatter.Settings.Default.WithTypeRegistry(TypeRegistry.FromMessages(Google.Rpc.RetryInfo.Descriptor)));

    public async Task ExecuteAsync(HttpContext httpContext)
    {
        var response = httpContext.Response;
        response.StatusCode = statusCode;
        if (json)
        {
            response.ContentType = OtlpHttpEndpointsBuilder.JsonContentType;
            await response.WriteAsync(s_json.Format(message), httpContext.RequestAborted);
            return;
        }

        response.ContentType = OtlpHttpEndpointsBuilder.ProtobufContentType;
        var bytes = message.ToByteArray();
        response.ContentLength = bytes.Length;
        await response.Body.WriteAsync(bytes, httpContext.RequestAborted);
    }
}
