using OtelLlm.Semantics.Pricing;

namespace OtelLlm.Instrumentation;

/// <summary>
/// Settings of <c>UseOtelLlm()</c> / <c>WithOtelLlm()</c>: Microsoft.Extensions.AI's OpenTelemetry client that produces
/// the GenAI spans and metrics, and OtelLlm's enrichment inside it (cost, cache writes, user, session, workload, tags).
/// </summary>
public sealed class OtelLlmInstrumentationOptions
{
    /// <summary>
    /// The ActivitySource and Meter name Microsoft.Extensions.AI's OpenTelemetry clients use unless told otherwise:
    /// <c>Experimental.Microsoft.Extensions.AI</c>.
    /// </summary>
    public const string DefaultSourceName = "Experimental.Microsoft.Extensions.AI";

    /// <summary>The Meter name of OtelLlm's own metrics (<c>otel_llm.client.cost</c>): <c>OtelLlm.Instrumentation</c>.</summary>
    public const string MeterName = "OtelLlm.Instrumentation";

    /// <summary>
    /// Gets or sets the ActivitySource and Meter name given to Microsoft.Extensions.AI's OpenTelemetry client.
    /// <see langword="null"/> (the default) keeps <see cref="DefaultSourceName"/>; another name must also be passed to
    /// <c>AddOtelLlmInstrumentation</c> on the tracer and meter providers.
    /// </summary>
    public string? SourceName { get; set; }

    /// <summary>
    /// Gets or sets whether prompts, responses, system instructions and full tool definitions are recorded
    /// (Microsoft.Extensions.AI's <c>EnableSensitiveData</c>). <see langword="null"/> (the default) leaves
    /// Microsoft.Extensions.AI's default: on only when <c>OTEL_INSTRUMENTATION_GENAI_CAPTURE_MESSAGE_CONTENT=true</c>.
    /// Redaction and truncation are settings of the tracer provider (<c>OtelLlmTracingOptions</c>).
    /// </summary>
    public bool? EnableSensitiveData { get; set; }

    /// <summary>Gets or sets whether <c>gen_ai.usage.cost</c> and <c>otel_llm.client.cost</c> are computed from <see cref="PriceTable"/>. Default <see langword="true"/>.</summary>
    public bool RecordCost { get; set; } = true;

    /// <summary>Gets or sets the price table; default <see cref="ModelPriceTable.Default"/>. Use <see cref="ModelPriceTable.WithOverrides"/> for contract prices.</summary>
    public ModelPriceTable? PriceTable { get; set; }

    /// <summary>
    /// Gets or sets the provider (a <c>gen_ai.provider.name</c> value such as <c>openai</c>) used when the inner
    /// client's metadata names none; it prices the call and is recorded on the span.
    /// </summary>
    public string? ProviderName { get; set; }

    internal static OtelLlmInstrumentationOptions From(Action<OtelLlmInstrumentationOptions>? configure)
    {
        var options = new OtelLlmInstrumentationOptions();
        configure?.Invoke(options);
        return options;
    }
}
