namespace OtelLlm.Receiver.Admission;

/// <summary>
/// Decides who sent a request (its project and scopes), before its body is read or decompressed. The transports and
/// the HTTP API call it; on <see langword="false"/> they answer HTTP 401 or gRPC <c>UNAUTHENTICATED</c> with
/// <c>error</c>, and a caller without the scope an endpoint needs gets HTTP 403 or gRPC <c>PERMISSION_DENIED</c>.
/// </summary>
internal interface IRequestAuthenticator
{
    /// <summary>Authenticates the request and names its caller, or explains why it is refused.</summary>
    bool TryAuthenticate(HttpContext context, out ApiCaller caller, out string? error);
}
