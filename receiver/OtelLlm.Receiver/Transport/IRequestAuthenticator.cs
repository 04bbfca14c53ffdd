namespace OtelLlm.Receiver.Transport;

/// <summary>
/// Decides which project a request belongs to, before its body is read or decompressed. Both transports call it;
/// on <see langword="false"/> they answer HTTP 401 or gRPC <c>UNAUTHENTICATED</c> with <c>error</c>.
/// </summary>
internal interface IRequestAuthenticator
{
    /// <summary>Authenticates the request and names its project, or explains why it is refused.</summary>
    bool TryAuthenticate(HttpContext context, out string project, out string? error);
}
