using OtelLlm.Instrumentation;
using OtelLlm.Instrumentation.Content;

namespace OpenTelemetry.Trace;

/// <summary>Subscribes a tracer provider to the GenAI spans of Microsoft.Extensions.AI and OtelLlm.</summary>
public static class OtelLlmTracerProviderBuilderExtensions
{
    /// <summary>
    /// Records Microsoft.Extensions.AI's GenAI spans (<c>chat</c>, <c>embeddings</c>, <c>execute_tool</c>, <c>orchestrate_tools</c>)
    /// from its default source and the <see cref="OtelLlmTracingOptions.SourceNames"/>; records outgoing HTTP calls, so the
    /// provider's request is a child span of the <c>chat</c> span; and redacts and truncates captured content before export.
    /// </summary>
    /// <param name="builder">The tracer provider builder.</param>
    /// <param name="configure">Optional settings callback.</param>
    /// <returns>The builder, for chaining.</returns>
    /// <remarks>
    /// Processors run in the order they are added: call this before adding exporters, or they may export content
    /// before it is redacted.
    /// </remarks>
    /// <exception cref="ArgumentNullException"><paramref name="builder"/> is <see langword="null"/>.</exception>
    public static TracerProviderBuilder AddOtelLlmInstrumentation(this TracerProviderBuilder builder, Action<OtelLlmTracingOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(builder);
        var options = new OtelLlmTracingOptions();
        configure?.Invoke(options);

        builder.AddSource(OtelLlmInstrumentationOptions.DefaultSourceName);
        foreach (var name in options.SourceNames)
        {
            if (!string.IsNullOrWhiteSpace(name))
            {
                builder.AddSource(name);
            }
        }

        if (options.RecordHttpClientCalls)
        {
            builder.AddHttpClientInstrumentation();
        }

        var rewriter = new ContentRewriter(options);
        return rewriter.IsActive ? builder.AddProcessor(new GenAiContentProcessor(rewriter)) : builder;
    }
}
