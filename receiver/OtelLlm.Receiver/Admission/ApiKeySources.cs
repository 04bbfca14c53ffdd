using System.Net;
using OtelLlm.Receiver.Configuration;
using OtelLlm.Receiver.Diagnostics;

namespace OtelLlm.Receiver.Admission;

/// <summary>Collects API keys from configuration, the <c>Keys</c> string and the keys file, and picks the authenticator.</summary>
internal static partial class ApiKeySources
{
    /// <summary>Every configured key, later sources overriding nothing (duplicates keep the first project).</summary>
    public static List<ApiKeyEntry> Load(AuthOptions options, string contentRoot)
    {
        var keys = new List<ApiKeyEntry>();
        foreach (var entry in options.ApiKeys)
        {
            Add(keys, entry.Key, entry.Project, entry.Scopes, "configuration ApiKeys");
        }

        foreach (var pair in options.Keys.Split([';', ','], StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            var eq = pair.IndexOf('=', StringComparison.Ordinal);
            if (eq <= 0)
            {
                throw new InvalidOperationException("Auth:Keys must look like 'key1=project1;key2=project2:read+admin'.");
            }

            var projectAndScopes = pair[(eq + 1)..];
            var colon = projectAndScopes.IndexOf(':', StringComparison.Ordinal);
            Add(
                keys,
                pair[..eq],
                colon < 0 ? projectAndScopes : projectAndScopes[..colon],
                colon < 0 ? null : projectAndScopes[(colon + 1)..],
                "Auth:Keys");
        }

        if (!string.IsNullOrWhiteSpace(options.KeysFile))
        {
            var path = Path.IsPathRooted(options.KeysFile) ? options.KeysFile : Path.Combine(contentRoot, options.KeysFile);
            if (!File.Exists(path))
            {
                throw new InvalidOperationException($"Auth:KeysFile '{options.KeysFile}' does not exist.");
            }

            var lineNumber = 0;
            foreach (var raw in File.ReadLines(path))
            {
                lineNumber++;
                var line = raw.Trim();
                if (line.Length == 0 || line[0] == '#')
                {
                    continue;
                }

                var parts = line.Split((char[]?)null, 3, StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
                if (parts.Length < 2)
                {
                    throw new InvalidOperationException($"Auth:KeysFile line {lineNumber}: expected '<key> <project> [scopes]'.");
                }

                Add(keys, parts[0], parts[1], parts.Length > 2 ? parts[2] : null, $"Auth:KeysFile line {lineNumber}");
            }
        }

        return keys;
    }

    /// <summary>
    /// Checks the key settings as <see cref="Create"/> will use them: every key source readable and well formed, and
    /// API-key mode without keys only on a loopback address. Returns the keys.
    /// </summary>
    /// <exception cref="InvalidOperationException">A setting is wrong; the message names it.</exception>
    public static List<ApiKeyEntry> Validate(AuthOptions auth, ReceiverOptions receiver, string contentRoot)
    {
        if (auth.Mode == AuthMode.None)
        {
            return [];
        }

        var keys = Load(auth, contentRoot);
        if (keys.Count == 0 && !IsLoopback(receiver.ListenAddress))
        {
            throw new InvalidOperationException(
                $"The receiver listens on {receiver.ListenAddress} but no API key is configured. Configure keys " +
                "(OtelLlm__Receiver__Auth__Keys=key1=project1;..., Auth:ApiKeys or Auth:KeysFile) or set " +
                "OtelLlm__Receiver__Auth__Mode=None to accept unauthenticated data.");
        }

        return keys;
    }

    /// <summary>
    /// The authenticator the settings ask for. API-key mode with no keys is allowed only on a loopback address, where it
    /// accepts everything under the default project; on any other address start-up fails, so a receiver is never
    /// exposed to a network without authentication unless <c>Auth:Mode</c> is <c>None</c>.
    /// </summary>
    public static IRequestAuthenticator Create(AuthOptions auth, ReceiverOptions receiver, string contentRoot, ILogger logger)
    {
        if (auth.Mode == AuthMode.None)
        {
            LogNoAuth(logger, receiver.ListenAddress);
            return new FixedProjectAuthenticator(receiver.DefaultProject);
        }

        var keys = Validate(auth, receiver, contentRoot);
        if (keys.Count > 0)
        {
            if (logger.IsEnabled(LogLevel.Information))
            {
                var fingerprints = string.Join(", ", keys.Select(k => ApiKeyAuthenticator.Fingerprint(k.Key) + "→" + k.Project + " (" + k.Scopes + ")"));
                LogKeys(logger, keys.Count, fingerprints);
            }

            return new ApiKeyAuthenticator(keys);
        }

        LogLoopbackOnly(logger, receiver.ListenAddress);
        return new FixedProjectAuthenticator(receiver.DefaultProject);
    }

    private static bool IsLoopback(string address)
        => string.Equals(address, "localhost", StringComparison.OrdinalIgnoreCase)
            || (IPAddress.TryParse(address, out var ip) && IPAddress.IsLoopback(ip));

    private static void Add(List<ApiKeyEntry> keys, string key, string project, string? scopes, string source)
    {
        if (string.IsNullOrWhiteSpace(key) || string.IsNullOrWhiteSpace(project))
        {
            throw new InvalidOperationException($"{source}: every API key needs a non-empty key and project.");
        }

        ApiScopes parsed;
        try
        {
            parsed = ApiScopeNames.Parse(scopes);
        }
        catch (InvalidOperationException ex)
        {
            throw new InvalidOperationException($"{source}: {ex.Message}", ex);
        }

        if (!keys.Exists(k => string.Equals(k.Key, key, StringComparison.Ordinal)))
        {
            keys.Add(new ApiKeyEntry { Key = key.Trim(), Project = project.Trim(), Scopes = ApiScopeNames.Format(parsed) });
        }
    }

    [LoggerMessage(EventId = ReceiverEventIds.AuthOff, Level = LogLevel.Warning, Message = "Authentication is off (Auth:Mode=None); every request on {Address} is accepted")]
    private static partial void LogNoAuth(ILogger logger, string address);

    [LoggerMessage(EventId = ReceiverEventIds.ApiKeysOn, Level = LogLevel.Information, Message = "API-key authentication on with {Count} keys (SHA-256 prefixes: {Fingerprints})")]
    private static partial void LogKeys(ILogger logger, int count, string fingerprints);

    [LoggerMessage(EventId = ReceiverEventIds.LoopbackWithoutKeys, Level = LogLevel.Warning, Message = "No API key configured; accepting unauthenticated data because the receiver listens on loopback ({Address}) only")]
    private static partial void LogLoopbackOnly(ILogger logger, string address);
}
