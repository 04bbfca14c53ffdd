using System.Diagnostics.Metrics;
using System.Reflection;
using OtelLlm.Semantics;

namespace OtelLlm.Instrumentation.Enrichment;

/// <summary>
/// OtelLlm's own Meter (<see cref="OtelLlmInstrumentationOptions.MeterName"/>), for what the GenAI conventions have no
/// instrument for: the cost of calls. One per process; the GenAI duration and token instruments are Microsoft.Extensions.AI's.
/// </summary>
internal sealed class OtelLlmMeter
{
    private static readonly string? s_version = typeof(OtelLlmMeter).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion;

    private OtelLlmMeter()
    {
        Meter = new Meter(new MeterOptions(OtelLlmInstrumentationOptions.MeterName) { Version = s_version, TelemetrySchemaUrl = GenAi.SchemaUrl });
        Cost = Meter.CreateCounter<double>(OtelLlmMetrics.Cost.Name, OtelLlmMetrics.Cost.Unit, OtelLlmMetrics.Cost.Description);
    }

    public static OtelLlmMeter Instance { get; } = new();

    public Meter Meter { get; }

    public Counter<double> Cost { get; }
}
