namespace OtelLlm.Receiver.Normalization;

/// <summary>
/// Microsoft.Extensions.AI's <c>OpenTelemetryChatClient</c> (scope <c>Experimental.Microsoft.Extensions.AI</c>).
/// It speaks semconv (≥9.9: v1.37+; ≤9.8: v1.36 with ILogger content events), read by <see cref="OtelGenAiDialect"/>
/// and <see cref="CommonColumns"/>; its quirks are handled there generically:
/// <list type="bullet">
/// <item><c>gen_ai.response.finish_reasons</c> is one JSON-encoded string (<c>["tool_calls"]</c>), not a string array —
/// <see cref="AttributeMap.GetStringList"/> accepts both.</item>
/// <item>Content attributes are pretty-printed JSON strings — re-serialized compactly.</item>
/// <item>Float parameters widened to double — <see cref="CommonColumns.SingleWidened"/>.</item>
/// <item>The <c>orchestrate_tools</c> span repeats the summed usage of every turn and is not a model call —
/// <see cref="DialectDetector.IsModelCall"/>.</item>
/// </list>
/// </summary>
internal static class MeaiDialect
{
    /// <summary>Whether a span name is the function-invocation wrapper.</summary>
    public static bool IsWrapper(string spanName) => spanName == Meai.OrchestrateToolsSpan;
}
