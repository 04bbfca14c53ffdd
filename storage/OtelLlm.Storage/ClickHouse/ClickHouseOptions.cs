namespace OtelLlm.Storage.ClickHouse;

/// <summary>Where and how to reach ClickHouse over its HTTP interface.</summary>
public sealed class ClickHouseOptions
{
    /// <summary>The HTTP interface's base address. Default <c>http://127.0.0.1:8123</c>.</summary>
    public Uri Url { get; set; } = new("http://127.0.0.1:8123");

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
    /// Cluster name for DDL. When set, every table is created <c>ON CLUSTER</c> with replicated engines.
    /// Empty (the default) means a single server.
    /// </summary>
    public string Cluster { get; set; } = string.Empty;
}
