using OtelLlm.Instrumentation;

namespace OpenTelemetry.Metrics;

/// <summary>Subscribes a meter provider to OtelLlm's metrics.</summary>
public static class OtelLlmMeterProviderBuilderExtensions
{
    /// <summary>Adds the OtelLlm Meter (<c>gen_ai.client.token.usage</c>, <c>gen_ai.client.operation.duration</c>, time to first chunk, cost).</summary>
    /// <param name="builder">The meter provider builder.</param>
    /// <param name="meterName">The name configured in <see cref="OtelLlmInstrumentationOptions.SourceName"/>; default <c>OtelLlm.Instrumentation</c>.</param>
    /// <returns>The builder, for chaining.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="builder"/> is <see langword="null"/>.</exception>
    public static MeterProviderBuilder AddOtelLlmInstrumentation(this MeterProviderBuilder builder, string? meterName = null)
    {
        ArgumentNullException.ThrowIfNull(builder);
        return builder.AddMeter(string.IsNullOrWhiteSpace(meterName) ? OtelLlmInstrumentationOptions.DefaultSourceName : meterName);
    }
}
