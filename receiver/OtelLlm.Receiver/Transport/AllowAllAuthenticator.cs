using Microsoft.Extensions.Options;
using OtelLlm.Receiver.Transport.Auth;

namespace OtelLlm.Receiver.Transport;

/// <summary>Accepts every request, with every scope, and files it under the configured default project.</summary>
internal sealed class AllowAllAuthenticator(IOptions<ReceiverOptions> options) : IRequestAuthenticator
{
    private readonly ApiCaller _caller = new(options.Value.DefaultProject, ApiScopes.All, Keyed: false);

    public bool TryAuthenticate(HttpContext context, out ApiCaller caller, out string? error)
    {
        caller = _caller;
        error = null;
        return true;
    }
}
