namespace OtelLlm.Receiver.Admission;

/// <summary>Accepts every request, with every scope, under one project (auth mode <c>None</c>, or loopback without keys).</summary>
internal sealed class FixedProjectAuthenticator(string defaultProject) : IRequestAuthenticator
{
    private readonly ApiCaller _caller = new(defaultProject, ApiScopes.All, Keyed: false);

    public bool TryAuthenticate(HttpContext context, out ApiCaller caller, out string? error)
    {
        caller = _caller;
        error = null;
        return true;
    }
}
