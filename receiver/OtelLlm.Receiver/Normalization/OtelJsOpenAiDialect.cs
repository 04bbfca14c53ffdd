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
    /// Whether the row may still receive content from log records: this instrumentation never puts chat content on
    /// the span, so its rows always wait for logs.
    /// </summary>
    public static bool ExpectsLogContent(string dialect) =>
        dialect is SourceFormats.OtelJsOpenAi or SourceFormats.OtelGenAiV136 or SourceFormats.OtelGenAiV137 or SourceFormats.Meai;
}
