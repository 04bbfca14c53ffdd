namespace OtelLlm.Receiver.Transport.Auth;

/// <summary>Accepts every request under one project (auth mode <c>None</c>, or loopback without keys).</summary>
internal sealed class FixedProjectAuthenticator(string defaultProject) : IRequestAuthenticator
{
    public bool TryAuthenticate(HttpContext context, out string project, out string? error)
    {
        project = defaultProject;
        error = null;
        return true;
    }
}
