namespace OtelLlm.Receiver.Transport;

/// <summary>The gRPC status codes the receiver answers with.</summary>
internal enum GrpcStatusCode
{
    Ok = 0,
    Cancelled = 1,
    Unknown = 2,
    InvalidArgument = 3,
    DeadlineExceeded = 4,
    PermissionDenied = 7,
    ResourceExhausted = 8,
    Unimplemented = 12,
    Internal = 13,
    Unavailable = 14,
    Unauthenticated = 16,
}

/// <summary>Ends a gRPC call with a non-OK status.</summary>
internal sealed class GrpcStatusException(GrpcStatusCode code, string message) : Exception(message)
{
    public GrpcStatusCode Code { get; } = code;
}
