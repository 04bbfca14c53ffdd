namespace OtelLlm.Demo.Traffic;

/// <summary>Settings of one <c>generate</c> run.</summary>
internal sealed record TrafficOptions
{
    public Uri Endpoint { get; init; } = new("http://127.0.0.1:4317");

    /// <summary><c>grpc</c> or <c>http/protobuf</c>.</summary>
    public string Protocol { get; init; } = "grpc";

    /// <summary>Model calls (chat and embeddings) to make, at least one per model and scenario kind.</summary>
    public int Calls { get; init; } = 300;

    public string? ApiKey { get; init; }

    public int Seed { get; init; } = 42;

    public bool CaptureContent { get; init; } = true;

    /// <summary>Multiplies the simulated provider latencies; 0.05 turns a 2 s answer into 100 ms.</summary>
    public double LatencyScale { get; init; } = 0.05;

    /// <summary>Scenarios running at the same time.</summary>
    public int Concurrency { get; init; } = 4;

    public string Environment { get; init; } = "demo";

    /// <summary>Suffix appended to every service name, so parallel runs (tests) can tell their rows apart. Default none.</summary>
    public string ServiceSuffix { get; init; } = string.Empty;
}
