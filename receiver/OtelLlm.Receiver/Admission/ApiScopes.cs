namespace OtelLlm.Receiver.Admission;

/// <summary>
/// What an API key may do. A key without scopes named has <see cref="Ingest"/>, so keys configured before scopes
/// existed keep working as they did.
/// </summary>
[Flags]
public enum ApiScopes
{
    /// <summary>Nothing.</summary>
    None = 0,

    /// <summary>Send telemetry: OTLP (gRPC and HTTP) and the ingest API (<c>/api/v1/ingest/*</c>).</summary>
    Ingest = 1,

    /// <summary>Add feedback (<c>POST /api/v1/feedback</c>) and nothing else: safe to ship in a browser.</summary>
    Feedback = 2,

    /// <summary>Queries and exports of the key's project.</summary>
    Read = 4,

    /// <summary>Alert rules and their events.</summary>
    Admin = 8,

    /// <summary>Every scope (authentication off, or no keys on loopback).</summary>
    All = Ingest | Feedback | Read | Admin,
}

/// <summary>Scope names as they are written in configuration and in error messages.</summary>
internal static class ApiScopeNames
{
    private static readonly (string Name, ApiScopes Scope)[] s_names =
    [
        ("ingest", ApiScopes.Ingest),
        ("feedback", ApiScopes.Feedback),
        ("read", ApiScopes.Read),
        ("admin", ApiScopes.Admin),
    ];

    /// <summary>The name of one scope, for example <c>read</c>.</summary>
    public static string Name(ApiScopes scope)
    {
        foreach (var (name, s) in s_names)
        {
            if (s == scope)
            {
                return name;
            }
        }

        throw new ArgumentOutOfRangeException(nameof(scope), scope, "Name one scope at a time.");
    }

    /// <summary>Every scope in <paramref name="scopes"/> by name, for example <c>read,admin</c>.</summary>
    public static string Format(ApiScopes scopes)
        => string.Join(',', s_names.Where(n => (scopes & n.Scope) != 0).Select(n => n.Name));

    /// <summary>
    /// Parses a list such as <c>ingest,read</c> or <c>read+admin</c> (commas, plus signs or spaces between names,
    /// any case). An empty list means <see cref="ApiScopes.Ingest"/>.
    /// </summary>
    /// <exception cref="InvalidOperationException">A name is not a scope; the message lists the valid ones.</exception>
    public static ApiScopes Parse(string? text)
    {
        var scopes = ApiScopes.None;
        foreach (var part in (text ?? string.Empty).Split([',', '+', ' ', '|'], StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            var found = ApiScopes.None;
            foreach (var (name, s) in s_names)
            {
                if (string.Equals(name, part, StringComparison.OrdinalIgnoreCase))
                {
                    found = s;
                }
            }

            if (found == ApiScopes.None)
            {
                throw new InvalidOperationException($"'{part}' is not an API key scope; use ingest, feedback, read or admin.");
            }

            scopes |= found;
        }

        return scopes == ApiScopes.None ? ApiScopes.Ingest : scopes;
    }

    /// <summary>The refusal a key without <paramref name="scope"/> gets (HTTP 403, gRPC <c>PERMISSION_DENIED</c>).</summary>
    public static string Missing(ApiScopes scope)
        => $"This API key lacks the '{Name(scope)}' scope. Give the key that scope in the receiver's key settings, or use a key that has it.";
}
