using System.Security.Cryptography;
using System.Text;

using OtelLlm.Receiver.Configuration;

namespace OtelLlm.Receiver.Admission;

/// <summary>
/// Authenticates by API key, sent as <c>Authorization: Bearer &lt;key&gt;</c> or <c>x-api-key: &lt;key&gt;</c> (an HTTP
/// header or gRPC metadata). The key, never the payload, names the project and the scopes. Only SHA-256 hashes of the
/// keys are kept, and a presented key is compared with every one of them in constant time.
/// </summary>
internal sealed class ApiKeyAuthenticator : IRequestAuthenticator
{
    private const string BearerPrefix = "Bearer ";
    private const string ApiKeyHeader = "x-api-key";

    private readonly (byte[] Hash, ApiCaller Caller)[] _keys;

    public ApiKeyAuthenticator(IEnumerable<ApiKeyEntry> keys)
    {
        _keys = [.. keys.Select(k => (Hash(k.Key), new ApiCaller(k.Project, ApiScopeNames.Parse(k.Scopes), Keyed: true)))];
        if (_keys.Length == 0)
        {
            throw new ArgumentException("At least one API key is needed.", nameof(keys));
        }
    }

    /// <summary>How many keys are configured.</summary>
    public int KeyCount => _keys.Length;

    public bool TryAuthenticate(HttpContext context, out ApiCaller caller, out string? error)
    {
        caller = default;
        var key = ReadKey(context.Request.Headers);
        if (key is null)
        {
            error = "Missing API key: send 'Authorization: Bearer <key>' or 'x-api-key: <key>'.";
            return false;
        }

        var presented = Hash(key);
        ApiCaller? match = null;
        foreach (var (hash, keyCaller) in _keys)
        {
            // Compare with every key so the time taken does not reveal which one (if any) was close.
            if (CryptographicOperations.FixedTimeEquals(hash, presented))
            {
                match = keyCaller;
            }
        }

        if (match is not { } found)
        {
            error = "Invalid API key.";
            return false;
        }

        caller = found;
        error = null;
        return true;
    }

    /// <summary>A short, non-secret fingerprint of a key for logs: the first 8 hex digits of its SHA-256.</summary>
    public static string Fingerprint(string key) => Convert.ToHexStringLower(Hash(key))[..8];

    private static string? ReadKey(IHeaderDictionary headers)
    {
        var authorization = headers.Authorization.ToString();
        if (authorization.StartsWith(BearerPrefix, StringComparison.OrdinalIgnoreCase))
        {
            var token = authorization[BearerPrefix.Length..].Trim();
            return token.Length > 0 ? token : null;
        }

        var apiKey = headers[ApiKeyHeader].ToString().Trim();
        return apiKey.Length > 0 ? apiKey : null;
    }

    private static byte[] Hash(string key) => SHA256.HashData(Encoding.UTF8.GetBytes(key));
}
