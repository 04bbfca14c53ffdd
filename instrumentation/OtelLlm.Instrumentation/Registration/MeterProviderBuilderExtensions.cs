using OtelLlm.Instrumentation;

namespace OpenTelemetry.Metrics;

/// <summary>Subscribes a meter provider to the GenAI metrics of Microsoft.Extensions.AI and OtelLlm.</summary>
public static class OtelLlmMeterProviderBuilderExtensions
{
    /// <summary>
    /// Records Microsoft.Extensions.AI's GenAI metrics (<c>gen_ai.client.operation.duration</c>, <c>gen_ai.client.token.usage</c>,
    /// and the streaming chunk timings) from its default meter and the given ones, and OtelLlm's <c>otel_llm.client.cost</c>.
    /// </summary>
    /// <param name="builder">The meter provider builder.</param>
    /// <param name="sourceNames">The <see cref="OtelLlmInstrumentationOptions.SourceName"/> values the application gave its clients, if any.</param>
    /// <returns>The builder, for chaining.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="builder"/> is <see langword="null"/>.</exception>
    public static MeterProviderBuilder AddOtelLlmInstrumentation(this MeterProviderBuilder builder, params string[] sourceNames)
    {
        ArgumentNullException.ThrowIfNull(builder);
        builder.AddMeter(OtelLlmInstrumentationOptions.DefaultSourceName, OtelLlmInstrumentationOptions.MeterName);
        foreach (var name in sourceNames ?? [])
        {
            if (!string.IsNullOrWhiteSpace(name))
            {
                builder.AddMeter(name);
            }
        }

        return builder;
    }
}
