using OtelLlm.Instrumentation;

namespace OpenTelemetry.Trace;

/// <summary>Subscribes a tracer provider to OtelLlm's spans.</summary>
public static class OtelLlmTracerProviderBuilderExtensions
{
    /// <summary>Adds the OtelLlm ActivitySource (chat, embeddings and execute_tool spans).</summary>
    /// <param name="builder">The tracer provider builder.</param>
    /// <param name="sourceName">The source name configured in <see cref="OtelLlmInstrumentationOptions.SourceName"/>; default <c>OtelLlm.Instrumentation</c>.</param>
    /// <returns>The builder, for chaining.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="builder"/> is <see langword="null"/>.</exception>
    public static TracerProviderBuilder AddOtelLlmInstrumentation(this TracerProviderBuilder builder, string? sourceName = null)
    {
        ArgumentNullException.ThrowIfNull(builder);
        return builder.AddSource(string.IsNullOrWhiteSpace(sourceName) ? OtelLlmInstrumentationOptions.DefaultSourceName : sourceName);
    }
}
