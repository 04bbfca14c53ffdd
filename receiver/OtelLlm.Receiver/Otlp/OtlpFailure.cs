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

/// <summary>How one <see cref="OtlpFailure"/> is answered on each transport.</summary>
/// <param name="Grpc">The gRPC status (also the <c>code</c> of an OTLP/HTTP error body).</param>
/// <param name="Http">The HTTP status.</param>
/// <param name="Reason">The <c>reason</c> tag of <c>otel_llm.receiver.rejected</c>.</param>
/// <param name="Retryable">Whether the refusal says "try again later" (with a <c>RetryInfo</c> and <c>Retry-After</c>).</param>
internal readonly record struct OtlpAnswer(StatusCode Grpc, int Http, string Reason, bool Retryable);

/// <summary>The one mapping of <see cref="OtlpFailure"/> to both transports' answers.</summary>
internal static class OtlpFailures
{
    public static OtlpAnswer Answer(OtlpFailure failure) => failure switch
    {
        OtlpFailure.InvalidArgument => new(StatusCode.InvalidArgument, StatusCodes.Status400BadRequest, "invalid_argument", false),
        OtlpFailure.TooLarge => new(StatusCode.ResourceExhausted, StatusCodes.Status413PayloadTooLarge, "too_large", false),
        OtlpFailure.MalformedFrame => new(StatusCode.Internal, StatusCodes.Status400BadRequest, "malformed_frame", false),
        OtlpFailure.Unauthenticated => new(StatusCode.Unauthenticated, StatusCodes.Status401Unauthorized, "unauthenticated", false),
        OtlpFailure.PermissionDenied => new(StatusCode.PermissionDenied, StatusCodes.Status403Forbidden, "forbidden", false),
        OtlpFailure.UnsupportedMediaType => new(StatusCode.InvalidArgument, StatusCodes.Status415UnsupportedMediaType, "unsupported_media_type", false),
        OtlpFailure.MethodNotAllowed => new(StatusCode.Unimplemented, StatusCodes.Status405MethodNotAllowed, "method_not_allowed", false),

        // UNAVAILABLE is the code the OTLP specification prescribes for throttling, retried by every exporter.
        OtlpFailure.Overloaded => new(StatusCode.Unavailable, StatusCodes.Status503ServiceUnavailable, "overloaded", true),
        OtlpFailure.WriteFailed => new(StatusCode.Unavailable, StatusCodes.Status503ServiceUnavailable, "write_failed", true),
        _ => throw new ArgumentOutOfRangeException(nameof(failure), failure, null),
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
