namespace OtelLlm.Receiver.Api;

/// <summary>
/// Settings of the HTTP API under <c>/api/v1</c>, bound from <c>OtelLlm:Api</c>
/// (environment variables <c>OtelLlm__Api__&lt;Name&gt;</c>).
/// </summary>
public sealed class ApiOptions
{
    /// <summary>The configuration section these options bind from.</summary>
    public const string SectionName = "OtelLlm:Api";

    /// <summary>Whether the API, the OpenAPI document and the reference page are served. Default <see langword="true"/>.</summary>
    public bool Enabled { get; set; } = true;

    /// <summary>Largest body of a feedback or alert-rule request, in bytes after decompression. Default 1 MiB.</summary>
    public int MaxBodyBytes { get; set; } = 1024 * 1024;

    /// <summary>Most feedback objects in one <c>POST /api/v1/feedback</c>. Default 1,000.</summary>
    public int MaxFeedbackItems { get; set; } = 1000;

    /// <summary>Most items in one <c>POST /api/v1/ingest/llm|logs|metrics</c>. Default 1,000.</summary>
    public int MaxIngestItems { get; set; } = 1000;

    /// <summary>
    /// Largest ingest body in bytes, after gzip decompression. Default 16 MiB; never more than the receiver's
    /// <c>MaxRequestBytes</c>.
    /// </summary>
    public int MaxIngestBytes { get; set; } = 16 * 1024 * 1024;
}
