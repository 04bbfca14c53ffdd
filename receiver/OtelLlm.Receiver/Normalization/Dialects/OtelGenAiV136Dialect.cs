namespace OtelLlm.Receiver.Normalization.Dialects;

/// <summary>
/// OTel GenAI semantic conventions up to v1.36, detected by <c>gen_ai.system</c> or <c>gen_ai.operation.name</c> without
/// <c>gen_ai.provider.name</c>: content in per-message events (<c>gen_ai.user.message</c>, <c>gen_ai.choice</c>, ...) as
/// log records or span events, or v1.26 <c>gen_ai.content.prompt/completion</c> span events. The last dialect asked.
/// </summary>
internal sealed class OtelGenAiV136Dialect() : GenAiDialect(SourceFormats.OtelGenAiV136, ColumnSources.Semconv)
{
    public override bool Detects(SpanInput input) => input.Attributes.Contains(GenAi.System) || input.Attributes.Contains(GenAi.Operation.Name);

    /// <summary>Per-message content events arrive as log records, except from OtelLlm's own instrumentation.</summary>
    public override bool ExpectsLogContent(SpanInput input) => input.ScopeName != OtelLlmNames.InstrumentationScope;
}
