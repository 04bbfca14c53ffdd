namespace OtelLlm.Receiver.Configuration;

/// <summary>
/// Settings of the receiver, bound from the <c>OtelLlm:Receiver</c> configuration section
/// (environment variables <c>OtelLlm__Receiver__&lt;Name&gt;</c>).
/// </summary>
public sealed class ReceiverOptions
{
    /// <summary>The configuration section these options bind from.</summary>
    public const string SectionName = "OtelLlm:Receiver";

    /// <summary>Port of the OTLP/gRPC endpoint (HTTP/2 cleartext only). Default 4317; 0 picks a free port.</summary>
    public int GrpcPort { get; set; } = 4317;

    /// <summary>Port of the OTLP/HTTP endpoint and the receiver's own API (HTTP/1.1). Default 4318; 0 picks a free port.</summary>
    public int HttpPort { get; set; } = 4318;

    /// <summary>
    /// Address both endpoints listen on. Default <c>127.0.0.1</c> (this machine only); <c>0.0.0.0</c> or <c>*</c>
    /// listens on all interfaces.
    /// </summary>
    public string ListenAddress { get; set; } = "127.0.0.1";

    /// <summary>Project that data is filed under when the request does not name one. Default <c>default</c>.</summary>
    public string DefaultProject { get; set; } = "default";

    /// <summary>Largest request accepted, in bytes, counted after decompression. Default 64 MiB.</summary>
    public int MaxRequestBytes { get; set; } = 64 * 1024 * 1024;

    /// <summary>
    /// Largest stored attribute value, in UTF-8 bytes (span, resource, scope, log and metric attributes, event and link
    /// attributes). A longer value is cut to this size and ends with a visible <c>…[truncated N bytes]</c> marker; the
    /// rest of the record is kept. Default 1 MiB; 0 or less means no limit. One value per process.
    /// </summary>
    public int MaxAttributeValueBytes { get; set; } = 1024 * 1024;

    /// <summary>
    /// Most rows in one insert the writers make from the write-ahead log into a table. Default 100,000 (ClickHouse
    /// prefers few large inserts: each makes a part that merges later).
    /// </summary>
    public int BatchMaxRows { get; set; } = 100_000;

    /// <summary>Most encoded bytes in one insert into a table (the writers' staging memory per table). Default 32 MiB.</summary>
    public long BatchMaxBytes { get; set; } = 32L * 1024 * 1024;

    /// <summary>
    /// The writers insert what the log holds at the latest this long after its oldest unwritten record was acknowledged,
    /// and earlier once a batch is full. Default 1,000 ms: about one insert per table per second under steady load.
    /// </summary>
    public int BatchMaxDelayMilliseconds { get; set; } = 1000;

    /// <summary>
    /// Memory for request bodies being read, decompressed and decoded; <see cref="InFlightMaxBytes"/> defaults to a quarter
    /// of it. Default 256 MiB. (Accepted data waits on disk in the write-ahead log, whose budget is
    /// <c>OtelLlm:Receiver:Wal:MaxLogBytes</c>.)
    /// </summary>
    public long QueueMaxBytes { get; set; } = 256L * 1024 * 1024;

    /// <summary>
    /// Bytes of request bodies (as received and decompressed) that may be held at once while being read, decoded and
    /// queued; a request that would pass it is refused as retryable. 0 (the default) means a quarter of
    /// <see cref="QueueMaxBytes"/>. One request alone is always let through, up to <see cref="MaxRequestBytes"/>.
    /// </summary>
    public long InFlightMaxBytes { get; set; }

    /// <summary>Most concurrent HTTP/2 streams (gRPC calls) per connection. Default 100.</summary>
    public int Http2MaxStreamsPerConnection { get; set; } = 100;

    /// <summary>Most open client connections across both endpoints; 0 means no limit. Default 1,000.</summary>
    public long MaxConcurrentConnections { get; set; } = 1000;

    /// <summary>Seconds a refused client is asked to wait before retrying (<c>Retry-After</c>). Default 5.</summary>
    public int RetryAfterSeconds { get; set; } = 5;

    /// <summary>Whether start-up applies the schema migrations (retrying while ClickHouse is not up). Default <see langword="true"/>.</summary>
    public bool MigrateOnStart { get; set; } = true;

    /// <summary>
    /// Days of data kept: day partitions older than this are dropped from every table on a schedule (the portable form
    /// of a TTL). Default 0: keep everything.
    /// </summary>
    public int RetentionDays { get; set; }

    /// <summary>How often retention looks for partitions to drop, in seconds. Default 3,600 (hourly).</summary>
    public int RetentionCheckIntervalSeconds { get; set; } = 3600;

    /// <summary>
    /// Where the receiver's own traces and metrics (ASP.NET Core, HttpClient, runtime and the receiver's meters) are
    /// exported over OTLP/HTTP protobuf, for example <c>http://127.0.0.1:4318</c> (the receiver itself). Empty (the
    /// default): not exported.
    /// </summary>
    public string SelfTelemetryEndpoint { get; set; } = string.Empty;

    /// <summary>API key sent with the self-telemetry export (as <c>Authorization: Bearer</c>). Default none.</summary>
    public string SelfTelemetryApiKey { get; set; } = string.Empty;

    /// <summary>How often the receiver's own metrics are exported, in milliseconds. Default 10,000.</summary>
    public int SelfTelemetryExportIntervalMilliseconds { get; set; } = 10_000;
}
