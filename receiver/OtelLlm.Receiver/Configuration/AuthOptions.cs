namespace OtelLlm.Receiver.Configuration;

/// <summary>How requests are authenticated.</summary>
public enum AuthMode
{
    /// <summary>
    /// Every request needs a configured API key, which names its project. With no key configured the receiver only
    /// starts when it listens on loopback, and then accepts every request under the default project.
    /// </summary>
    ApiKey,

    /// <summary>No authentication: every request is filed under the default project. Must be chosen explicitly.</summary>
    None,
}

/// <summary>One API key and the project its data is filed under.</summary>
public sealed class ApiKeyEntry
{
    /// <summary>The secret key clients send as <c>Authorization: Bearer &lt;key&gt;</c> or <c>x-api-key</c>.</summary>
    public string Key { get; set; } = string.Empty;

    /// <summary>The project (the <c>Project</c> column) of everything sent with this key.</summary>
    public string Project { get; set; } = string.Empty;

    /// <summary>
    /// What the key may do: <c>ingest</c>, <c>feedback</c>, <c>read</c>, <c>admin</c>, several separated by commas or
    /// plus signs (<c>read,admin</c>). Default <c>ingest</c>, which is also what an empty value means.
    /// </summary>
    public string Scopes { get; set; } = "ingest";
}

/// <summary>
/// API-key authentication and TLS settings, bound from <c>OtelLlm:Receiver:Auth</c>
/// (environment variables <c>OtelLlm__Receiver__Auth__&lt;Name&gt;</c>).
/// </summary>
public sealed class AuthOptions
{
    /// <summary>The configuration section these options bind from.</summary>
    public const string SectionName = "OtelLlm:Receiver:Auth";

    /// <summary>The authentication mode. Default <see cref="AuthMode.ApiKey"/>.</summary>
    public AuthMode Mode { get; set; } = AuthMode.ApiKey;

    /// <summary>Keys from configuration (<c>ApiKeys:0:Key</c>, <c>ApiKeys:0:Project</c>, ...).</summary>
    public IList<ApiKeyEntry> ApiKeys { get; } = [];

    /// <summary>
    /// Keys as one string, <c>key1=project1;key2=project2</c> (handy in an environment variable); a key's scopes follow
    /// its project after a colon, joined by plus signs: <c>key3=project1:read+admin</c> (default <c>ingest</c>). Default empty.
    /// </summary>
    public string Keys { get; set; } = string.Empty;

    /// <summary>
    /// A file with one <c>key project [scopes]</c> line per key (<c>#</c> starts a comment; scopes as <c>read,admin</c>,
    /// default <c>ingest</c>); relative to the content root. Default none.
    /// </summary>
    public string? KeysFile { get; set; }

    /// <summary>PFX/PKCS#12 certificate that turns on TLS on both ports; relative to the content root. Default none (cleartext).</summary>
    public string? TlsCertificatePath { get; set; }

    /// <summary>Password of <see cref="TlsCertificatePath"/>. Default none.</summary>
    public string? TlsCertificatePassword { get; set; }
}
