namespace OtelLlm.Receiver.Normalization.Dialects;

/// <summary>
/// OpenLLMetry (Traceloop), current versions: semconv 1.40 names plus Traceloop's own (<c>llm.usage.total_tokens</c>,
/// <c>llm.is_streaming</c>, <c>traceloop.association.properties.*</c> for user and session, ...). Tool definitions
/// in OpenAI's nested format are flattened by <see cref="MessageJson.NormalizeToolDefinitions"/>;
/// <c>traceloop.span.kind</c> workflow/task/agent spans are wrappers. Detected by the scope <c>@traceloop/*</c>, the
/// Python scope <c>opentelemetry.instrumentation.*</c> with <c>gen_ai.usage.total_tokens</c>, or any
/// <c>traceloop.*</c> attribute.
/// </summary>
internal sealed class OpenLlmetryDialect() : GenAiDialect(SourceFormats.OpenLlmetry, TraceloopColumns)
{
    /// <summary>Where Traceloop's names go, in current and legacy spans alike.</summary>
    public static ColumnSources TraceloopColumns { get; } = ColumnSources.Semconv with
    {
        ReasoningTokens = [GenAi.Usage.ReasoningOutputTokens, GenAi.Usage.ReasoningTokens, Traceloop.UsageReasoningTokens, GenAi.Usage.CompletionReasoningTokens],
        TotalTokens = [GenAi.Usage.TotalTokens, Traceloop.UsageTotalTokens],
        Streaming = [GenAi.Request.Stream, Traceloop.IsStreaming, Traceloop.GenAiIsStreaming],
        FinishReason = [Traceloop.ResponseFinishReason, GenAi.Response.FinishReason],
        ConversationId = [GenAi.ConversationId, Otel.SessionId, Traceloop.AssociationSessionId],
        UserId = [Otel.UserId, Otel.EndUserId, Traceloop.AssociationUserId, GenAi.Request.User, Traceloop.User, Traceloop.GenAiUser],
        Consumed = [.. ColumnSources.Semconv.Consumed, Traceloop.RequestType],
        ConsumedPrefixes = [GenAi.PromptPrefix, GenAi.CompletionPrefix, Traceloop.RequestFunctionsPrefix],
    };

    public override bool Detects(SpanInput input)
    {
        var scope = input.ScopeName;
        return scope.StartsWith(Traceloop.ScopePrefixJs, StringComparison.Ordinal)
            || (scope.StartsWith(Traceloop.ScopePrefixPython, StringComparison.Ordinal) && input.Attributes.Contains(GenAi.Usage.TotalTokens))
            || input.Attributes.HasKeyStartingWith(Traceloop.AttributePrefix);
    }

    /// <summary>Workflow, task and agent spans of the Traceloop SDK (<c>traceloop.span.kind</c>) sum their children.</summary>
    public override bool IsModelCall(SpanInput input, string operation) =>
        !input.Attributes.Contains(Traceloop.SpanKind) && base.IsModelCall(input, operation);
}
