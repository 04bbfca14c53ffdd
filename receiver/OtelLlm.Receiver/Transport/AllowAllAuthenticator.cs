using Microsoft.Extensions.Options;

namespace OtelLlm.Receiver.Transport;

/// <summary>Accepts every request and files it under the configured default project.</summary>
internal sealed class AllowAllAuthenticator(IOptions<ReceiverOptions> options) : IRequestAuthenticator
{
    private readonly string _project = options.Value.DefaultProject;

    public bool TryAuthenticate(HttpContext context, out string project, out string? error)
    {
        project = _project;
        error = null;
        return true;
    }
}
