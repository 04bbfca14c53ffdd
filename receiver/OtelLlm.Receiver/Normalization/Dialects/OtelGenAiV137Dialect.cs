namespace OtelLlm.Receiver.Normalization.Dialects;

/// <summary>
/// OTel GenAI semantic conventions v1.37 and later, detected by <c>gen_ai.provider.name</c> (also OtelLlm's own
/// instrumentation, and MEAI under an application's own source name): content in <c>gen_ai.input.messages</c> etc. on
/// the span, or in <c>gen_ai.client.inference.operation.details</c> events (span events or log records).
/// </summary>
internal sealed class OtelGenAiV137Dialect() : GenAiDialect(SourceFormats.OtelGenAiV137, ColumnSources.Semconv)
{
    public override bool Detects(SpanInput input) => input.Attributes.Contains(GenAi.Provider.Name);

    /// <summary>Content may come as operation-details log records, except from OtelLlm's own instrumentation, which puts it on the span or nowhere.</summary>
    public override bool ExpectsLogContent(SpanInput input) => input.ScopeName != OtelLlmNames.InstrumentationScope;
}
