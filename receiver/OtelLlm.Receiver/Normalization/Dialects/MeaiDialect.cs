namespace OtelLlm.Receiver.Normalization.Dialects;

/// <summary>
/// Microsoft.Extensions.AI's <c>OpenTelemetryChatClient</c> and <c>OpenTelemetryEmbeddingGenerator</c> (scope
/// <c>Experimental.Microsoft.Extensions.AI</c>, or the name an application gave them, which is then read as
/// <c>otel_genai_v1_37</c>). It speaks semconv (≥9.9: v1.37+, 10.11: v1.41; ≤9.8: v1.36 with ILogger content events),
/// read through <see cref="ColumnSources.Semconv"/>. What 10.11 emits, checked against the real client (spans
/// <c>chat {model}</c>, <c>embeddings {model}</c>, <c>execute_tool {name}</c>, <c>orchestrate_tools</c>):
/// <c>gen_ai.provider.name</c>, <c>gen_ai.request.*</c> (model, max_tokens, temperature, top_p, top_k, seed,
/// stop_sequences, penalties, <c>stream</c>), <c>gen_ai.response.id/model/finish_reasons</c>,
/// <c>gen_ai.response.time_to_first_chunk</c> (streaming, seconds), <c>gen_ai.usage.input_tokens/output_tokens/
/// cache_read.input_tokens/reasoning.output_tokens</c> (Int32), <c>gen_ai.conversation.id</c>,
/// <c>server.address/port</c>, <c>gen_ai.tool.definitions</c>, and with sensitive data <c>gen_ai.input.messages</c>,
/// <c>gen_ai.output.messages</c>, <c>gen_ai.system_instructions</c> on the span. OtelLlm's enrichment adds
/// <c>gen_ai.usage.cost</c>, <c>gen_ai.usage.cache_creation.input_tokens</c>, <c>user.id</c>, <c>session.id</c>,
/// <c>otel_llm.workload</c> and <c>otel_llm.tag.*</c> to the same span. Its quirks are handled by the shared reader:
/// <list type="bullet">
/// <item><c>gen_ai.response.finish_reasons</c> is one JSON-encoded string (<c>["tool_calls"]</c>), not a string array —
/// <see cref="AttributeMap.GetStringList"/> accepts both.</item>
/// <item>Content attributes are pretty-printed JSON strings — re-serialized compactly.</item>
/// <item>Float parameters widened to double — <see cref="CommonColumns.SingleWidened"/>.</item>
/// <item>The <c>orchestrate_tools</c> span repeats the summed usage of every turn and is not a model call —
/// <see cref="GenAiDialect.IsModelCall"/>.</item>
/// </list>
/// </summary>
internal sealed class MeaiDialect() : GenAiDialect(SourceFormats.Meai, ColumnSources.Semconv)
{
    public override bool Detects(SpanInput input) => input.ScopeName == Meai.DefaultSourceName;

    /// <summary>
    /// Content may still come in log records only from versions up to 9.8 (semconv v1.36, <c>gen_ai.system</c>), which
    /// logged it through ILogger. From 9.9 on (<c>gen_ai.provider.name</c>) content is on the span or nowhere, so those
    /// rows are not held for a join.
    /// </summary>
    public override bool ExpectsLogContent(SpanInput input) => !input.Attributes.Contains(GenAi.Provider.Name);
}
