namespace OtelLlm.Receiver.Normalization.Dialects;

/// <summary>
/// The official <c>@opentelemetry/instrumentation-openai</c>, detected by its scope name. Chat Completions follow semconv
/// v1.36 (<c>gen_ai.system</c>, content only in log records with the <c>event.name</c> attribute, emitted even with
/// capture off and then content-less); the Responses API follows v1.38 (<c>gen_ai.provider.name</c>, raw-string
/// <c>gen_ai.system_instructions</c> on the span, content in <c>gen_ai.client.inference.operation.details</c> logs).
/// Columns come through <see cref="ColumnSources.Semconv"/>; content from <see cref="ContentJoin"/>.
/// </summary>
internal sealed class OtelJsOpenAiDialect() : GenAiDialect(SourceFormats.OtelJsOpenAi, ColumnSources.Semconv)
{
    public override bool Detects(SpanInput input) => input.ScopeName == OtelJsOpenAi.ScopeName;

    /// <summary>This instrumentation never puts chat content on the span: its rows wait for logs.</summary>
    public override bool ExpectsLogContent(SpanInput input) => true;
}
