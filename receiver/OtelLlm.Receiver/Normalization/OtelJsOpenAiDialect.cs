namespace OtelLlm.Receiver.Normalization;

/// <summary>
/// The official <c>@opentelemetry/instrumentation-openai</c>. Chat Completions follow semconv v1.36 (<c>gen_ai.system</c>,
/// content only in log records with the <c>event.name</c> attribute, emitted even with capture off and then
/// content-less); the Responses API follows v1.38 (<c>gen_ai.provider.name</c>, raw-string
/// <c>gen_ai.system_instructions</c> on the span, content in <c>gen_ai.client.inference.operation.details</c> logs).
/// Columns come from <see cref="CommonColumns"/>; content from <see cref="ContentJoin"/>.
/// </summary>
internal static class OtelJsOpenAiDialect
{
    /// <summary>
    /// Whether content for spans of this dialect and scope can ever arrive in log records: this instrumentation
    /// never puts chat content on the span, so its rows wait for logs, as do semconv v1.36 log events, MEAI ≤9.8
    /// and v1.37+ <c>gen_ai.client.inference.operation.details</c> events; MEAI only up to 9.8 (<see cref="MeaiDialect.ExpectsLogContent"/>). OpenLLMetry, OpenInference, OpenLIT and
    /// OtelLlm's own instrumentation put content on the span or nowhere; their spans skip the join entirely.
    /// </summary>
    public static bool ExpectsLogContent(string dialect, string scopeName, AttributeMap attributes) => dialect switch
    {
        SourceFormats.Meai => MeaiDialect.ExpectsLogContent(attributes),
        SourceFormats.OtelJsOpenAi or SourceFormats.OtelGenAiV136 or SourceFormats.OtelGenAiV137 => scopeName != OtelLlmNames.InstrumentationScope,
        _ => false,
    };
}
