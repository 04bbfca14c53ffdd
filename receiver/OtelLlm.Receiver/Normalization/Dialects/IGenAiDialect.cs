using OtelLlm.Storage.Rows;

namespace OtelLlm.Receiver.Normalization.Dialects;

/// <summary>
/// One way instrumentations write GenAI calls on spans: how to recognise it, which of its spans are model calls, and
/// how its attributes map to the <c>llm_calls</c> columns. The normalizer asks the registered dialects
/// (<see cref="GenAiDialects.All"/>) in order and the first that <see cref="Detects"/> the span reads it; what every
/// dialect shares — the attribute reader, content in the message schema, the log-content join, cost and provider
/// names — stays outside. Implementations are stateless singletons, called concurrently.
/// </summary>
internal interface IGenAiDialect
{
    /// <summary>The <c>SourceFormat</c> of its rows, one of <see cref="SourceFormats"/>.</summary>
    string SourceFormat { get; }

    /// <summary>
    /// Whether the span speaks this dialect. Asked only when no dialect registered before it said yes, so it needs to
    /// tell itself apart only from the dialects after it.
    /// </summary>
    bool Detects(SpanInput input);

    /// <summary>The call's operation (<c>chat</c>, <c>embeddings</c>, ...); empty when nothing says. Unknown values are kept verbatim.</summary>
    string Operation(SpanInput input);

    /// <summary>
    /// Whether the span is itself one model call. Wrappers — agents, workflows, chains, tools — repeat or sum their
    /// children's usage and must not count, or tokens and cost would be counted twice.
    /// </summary>
    bool IsModelCall(SpanInput input, string operation);

    /// <summary>Fills the row's columns and content from the span.</summary>
    void Fill(SpanInput input, LlmCallRow row);

    /// <summary>Whether an attribute was read into a column (or is content re-assembled into one), and so is not repeated in <c>Attributes</c>.</summary>
    bool IsMapped(string attributeKey);

    /// <summary>
    /// Whether content for this span can still arrive in log records, so its row is remembered for the
    /// <see cref="ContentJoin"/>. Dialects that put content on the span or nowhere say no and skip the join entirely.
    /// </summary>
    bool ExpectsLogContent(SpanInput input);
}
