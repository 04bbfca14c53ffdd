namespace OtelLlm.Storage.ClickHouse;

/// <summary>Where and how to reach ClickHouse over its HTTP interface.</summary>
public sealed class ClickHouseOptions
{
    /// <summary>The HTTP interface's base address. Default <c>http://127.0.0.1:8123</c>. Ignored when <see cref="Endpoints"/> is set.</summary>
    public Uri Url { get; set; } = new("http://127.0.0.1:8123");

    /// <summary>
    /// Several servers' HTTP base addresses, separated by commas (for example every node of a cluster, or a few of them):
    /// requests go round the servers that answer, and a server that cannot be reached is skipped for a while. Empty (the
    /// default) means <see cref="Url"/> alone.
    /// </summary>
    public string Endpoints { get; set; } = string.Empty;

    /// <summary>The database that holds OtelLlm's tables. Default <c>otel_llm</c>.</summary>
    public string Database { get; set; } = "otel_llm";

    /// <summary>The ClickHouse user. Default <c>default</c>.</summary>
    public string User { get; set; } = "default";

    /// <summary>The user's password; empty for none.</summary>
    public string Password { get; set; } = string.Empty;

    /// <summary>How long one statement may take before it is cancelled. Default 30 seconds.</summary>
    public TimeSpan Timeout { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>Whether insert bodies are sent gzip-compressed. Default <see langword="false"/>: on loopback compression costs more CPU than it saves.</summary>
    public bool CompressInserts { get; set; }

    /// <summary>
    /// Cluster name (as in the servers' <c>remote_servers</c>). When set, migrations create replicated tables in the
    /// database <c>&lt;Database&gt;_local</c> on every server and <c>Distributed</c> tables over them under the usual names
    /// in <see cref="Database"/>, all <c>ON CLUSTER</c>; inserts wait until every shard holds its rows. Empty (the
    /// default) means a single server.
    /// </summary>
    public string Cluster { get; set; } = string.Empty;

    /// <summary>
    /// The servers to use: <see cref="Endpoints"/> split at commas, or <see cref="Url"/> alone.
    /// </summary>
    /// <exception cref="ArgumentException">An entry of <see cref="Endpoints"/> is not an absolute http or https address.</exception>
    public IReadOnlyList<Uri> GetEndpoints()
    {
        if (string.IsNullOrWhiteSpace(Endpoints))
        {
            return [Url];
        }

        var list = new List<Uri>();
        foreach (var entry in Endpoints.Split([',', ';', ' ', '\n'], StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            if (!Uri.TryCreate(entry, UriKind.Absolute, out var uri) || (uri.Scheme != Uri.UriSchemeHttp && uri.Scheme != Uri.UriSchemeHttps))
            {
                throw new ArgumentException($"ClickHouse endpoint '{entry}' is not an absolute http:// or https:// address (setting OtelLlm:ClickHouse:Endpoints).", nameof(Endpoints));
            }

            list.Add(uri);
        }

        return list.Count > 0 ? list : [Url];
    }
}
