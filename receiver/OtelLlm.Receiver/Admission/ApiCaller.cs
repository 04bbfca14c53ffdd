namespace OtelLlm.Receiver.Admission;

/// <summary>Who sent a request, as its API key says: the project its data is filed under and what it may do.</summary>
/// <param name="Project">The project written data belongs to, and the only one a keyed caller may read.</param>
/// <param name="Scopes">What the caller may do.</param>
/// <param name="Keyed">
/// Whether an API key identified the caller. Without keys (authentication off, or loopback without keys) data is
/// written under the default project and reads may name any project.
/// </param>
internal readonly record struct ApiCaller(string Project, ApiScopes Scopes, bool Keyed)
{
    /// <summary>Whether the caller has every scope in <paramref name="scope"/>.</summary>
    public bool Has(ApiScopes scope) => (Scopes & scope) == scope;
}
