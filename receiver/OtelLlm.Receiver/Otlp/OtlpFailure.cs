using Google.Protobuf;
using Grpc.Core;
using OtelLlm.Receiver.Admission;
using OtelLlm.Receiver.Decoding;
using OtelLlm.Receiver.Pipeline;

namespace OtelLlm.Receiver.Otlp;

/// <summary>Why an OTLP export was refused: the one list both transports answer from (<see cref="OtlpFailures"/>).</summary>
internal enum OtlpFailure
{
    /// <summary>The body is not valid protobuf, OTLP/JSON or gzip.</summary>
    InvalidArgument,

    /// <summary>The request is larger than <c>MaxRequestBytes</c> after decompression.</summary>
    TooLarge,

    /// <summary>No valid API key.</summary>
    Unauthenticated,

    /// <summary>A valid API key without the <c>ingest</c> scope.</summary>
    PermissionDenied,

    /// <summary>A gRPC frame the framework cannot read (an invalid compressed flag); gRPC answers <c>INTERNAL</c>.</summary>
    MalformedFrame,

    /// <summary>A content type or content encoding the endpoint does not read.</summary>
    UnsupportedMediaType,

    /// <summary>A method other than POST (OTLP/HTTP).</summary>
    MethodNotAllowed,

    /// <summary>Too much data waits for ClickHouse, or too many request bytes are being read at once; retry later.</summary>
    Overloaded,

    /// <summary>The batch holding the data could not be stored; retry later.</summary>
    WriteFailed,
}

/// <summary>An export refused for <see cref="Failure"/>; the transports turn it into their protocol's answer.</summary>
internal sealed class OtlpExportException(OtlpFailure failure, string message, Exception? inner = null) : Exception(message, inner)
{
    public OtlpFailure Failure { get; } = failure;
}

/// <summary>
/// How each <see cref="OtlpFailure"/> is answered: the gRPC status (also the <c>code</c> of an OTLP/HTTP error body),
/// the HTTP status, whether the client should retry, and the <c>reason</c> tag of the rejected-requests counter.
/// </summary>
internal static class OtlpFailures
{
    public static StatusCode GrpcStatus(OtlpFailure failure) => failure switch
    {
        OtlpFailure.InvalidArgument or OtlpFailure.UnsupportedMediaType => StatusCode.InvalidArgument,
        OtlpFailure.TooLarge => StatusCode.ResourceExhausted,
        OtlpFailure.MalformedFrame => StatusCode.Internal,
        OtlpFailure.Unauthenticated => StatusCode.Unauthenticated,
        OtlpFailure.PermissionDenied => StatusCode.PermissionDenied,
        OtlpFailure.MethodNotAllowed => StatusCode.Unimplemented,

        // The code the OTLP specification prescribes for throttling, retried by every exporter.
        OtlpFailure.Overloaded or OtlpFailure.WriteFailed => StatusCode.Unavailable,
        _ => StatusCode.Internal,
    };

    public static int HttpStatus(OtlpFailure failure) => failure switch
    {
        OtlpFailure.InvalidArgument or OtlpFailure.MalformedFrame => StatusCodes.Status400BadRequest,
        OtlpFailure.TooLarge => StatusCodes.Status413PayloadTooLarge,
        OtlpFailure.Unauthenticated => StatusCodes.Status401Unauthorized,
        OtlpFailure.PermissionDenied => StatusCodes.Status403Forbidden,
        OtlpFailure.UnsupportedMediaType => StatusCodes.Status415UnsupportedMediaType,
        OtlpFailure.MethodNotAllowed => StatusCodes.Status405MethodNotAllowed,
        OtlpFailure.Overloaded or OtlpFailure.WriteFailed => StatusCodes.Status503ServiceUnavailable,
        _ => StatusCodes.Status500InternalServerError,
    };

    /// <summary>Whether the refusal says "try again later" (with a <c>RetryInfo</c> and <c>Retry-After</c>).</summary>
    public static bool IsRetryable(OtlpFailure failure) => failure is OtlpFailure.Overloaded or OtlpFailure.WriteFailed;

    /// <summary>The <c>reason</c> tag of <c>otel_llm.receiver.rejected</c>.</summary>
    public static string Reason(OtlpFailure failure) => failure switch
    {
        OtlpFailure.InvalidArgument => "invalid_argument",
        OtlpFailure.TooLarge => "too_large",
        OtlpFailure.MalformedFrame => "malformed_frame",
        OtlpFailure.Unauthenticated => "unauthenticated",
        OtlpFailure.PermissionDenied => "forbidden",
        OtlpFailure.UnsupportedMediaType => "unsupported_media_type",
        OtlpFailure.MethodNotAllowed => "method_not_allowed",
        OtlpFailure.Overloaded => "overloaded",
        OtlpFailure.WriteFailed => "write_failed",
        _ => "other",
    };

    /// <summary>
    /// The failure an exception from reading, decoding or storing a request stands for, with the message the client
    /// gets; <see langword="false"/> for anything else (a bug, which the transports let surface).
    /// </summary>
    public static bool TryClassify(Exception exception, out OtlpFailure failure, out string message)
    {
        (failure, message) = exception switch
        {
            OtlpExportException e => (e.Failure, e.Message),
            RequestTooLargeException e => (OtlpFailure.TooLarge, e.Message),
            InvalidDataException e => (OtlpFailure.InvalidArgument, "The body is not valid gzip: " + e.Message),
            InvalidProtocolBufferException e => (OtlpFailure.InvalidArgument, "The body is not valid protobuf: " + e.Message),
            OtlpJsonException e => (OtlpFailure.InvalidArgument, "The body is not valid OTLP/JSON: " + e.Message),
            PipelineOverloadedException e => (OtlpFailure.Overloaded, "Overloaded, retry later: " + e.Message),
            PipelineWriteException e => (OtlpFailure.WriteFailed, "Storing the data failed, retry later: " + e.Message),
            BadHttpRequestException e => (OtlpFailure.InvalidArgument, "Reading the request failed: " + e.Message),
            _ => ((OtlpFailure)(-1), string.Empty),
        };
        return (int)failure >= 0;
    }

    /// <summary>
    /// The project of a request allowed to export, decided from its headers before the body is read: a valid API key
    /// (<see cref="OtlpFailure.Unauthenticated"/> otherwise) with the <c>ingest</c> scope (<see cref="OtlpFailure.PermissionDenied"/>).
    /// </summary>
    public static string AuthorizeExport(IRequestAuthenticator authenticator, HttpContext context)
    {
        if (!authenticator.TryAuthenticate(context, out var caller, out var error))
        {
            throw new OtlpExportException(OtlpFailure.Unauthenticated, error ?? "not authenticated");
        }

        return caller.Has(ApiScopes.Ingest)
            ? caller.Project
            : throw new OtlpExportException(OtlpFailure.PermissionDenied, ApiScopeNames.Missing(ApiScopes.Ingest));
    }
}
