using System.Collections.Concurrent;
using System.Diagnostics;
using System.Diagnostics.Metrics;
using System.Reflection;
using OtelLlm.Semantics;

namespace OtelLlm.Instrumentation.Telemetry;

/// <summary>
/// The ActivitySource, Meter and instruments for one source name. Shared by every instrumented client with that
/// name and kept for the process lifetime, so decorating many clients does not multiply meters.
/// </summary>
internal sealed class OtelLlmTelemetry
{
    private static readonly ConcurrentDictionary<string, OtelLlmTelemetry> s_byName = new(StringComparer.Ordinal);
    private static readonly string? s_version = typeof(OtelLlmTelemetry).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion;

    private OtelLlmTelemetry(string name)
    {
        Source = new ActivitySource(new ActivitySourceOptions(name) { Version = s_version, TelemetrySchemaUrl = GenAi.SchemaUrl });
        Meter = new Meter(new MeterOptions(name) { Version = s_version, TelemetrySchemaUrl = GenAi.SchemaUrl });
        TokenUsage = Meter.CreateHistogram(
            GenAi.Client.TokenUsage.Name,
            GenAi.Client.TokenUsage.Unit,
            GenAi.Client.TokenUsage.Description,
            tags: null,
            advice: new InstrumentAdvice<long> { HistogramBucketBoundaries = GenAi.Client.TokenUsage.Buckets });
        OperationDuration = Meter.CreateHistogram(
            GenAi.Client.OperationDuration.Name,
            GenAi.Client.OperationDuration.Unit,
            GenAi.Client.OperationDuration.Description,
            tags: null,
            advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = GenAi.Client.OperationDuration.Buckets });
        TimeToFirstChunk = Meter.CreateHistogram(
            GenAi.Client.TimeToFirstChunk.Name,
            GenAi.Client.TimeToFirstChunk.Unit,
            GenAi.Client.TimeToFirstChunk.Description,
            tags: null,
            advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = GenAi.Client.OperationDuration.Buckets });
        Cost = Meter.CreateCounter<double>(OtelLlmMetrics.Cost.Name, OtelLlmMetrics.Cost.Unit, OtelLlmMetrics.Cost.Description);
    }

    public ActivitySource Source { get; }

    public Meter Meter { get; }

    public Histogram<long> TokenUsage { get; }

    public Histogram<double> OperationDuration { get; }

    public Histogram<double> TimeToFirstChunk { get; }

    public Counter<double> Cost { get; }

    /// <summary>Gets whether anything listens: a span listener or any enabled instrument.</summary>
    public bool IsEnabled =>
        Source.HasListeners() || OperationDuration.Enabled || TokenUsage.Enabled || TimeToFirstChunk.Enabled || Cost.Enabled;

    public bool MetricsEnabled => OperationDuration.Enabled || TokenUsage.Enabled || TimeToFirstChunk.Enabled || Cost.Enabled;

    public static OtelLlmTelemetry For(string name) => s_byName.GetOrAdd(name, static n => new OtelLlmTelemetry(n));
}
