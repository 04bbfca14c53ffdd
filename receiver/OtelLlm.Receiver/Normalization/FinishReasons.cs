namespace OtelLlm.Receiver.Normalization;

/// <summary>
/// Maps provider finish reasons (<c>tool_calls</c>, <c>end_turn</c>, <c>max_tokens</c>, the Vercel AI SDK's
/// <c>tool-calls</c> and <c>content-filter</c>, ...) to the semconv output
/// message vocabulary: <c>stop</c>, <c>length</c>, <c>content_filter</c>, <c>tool_call</c>, <c>error</c>.
/// </summary>
internal static class FinishReasons
{
    private static readonly Dictionary<string, string> s_map = new(StringComparer.OrdinalIgnoreCase)
    {
        ["stop"] = "stop",
        ["end_turn"] = "stop",
        ["stop_sequence"] = "stop",
        ["complete"] = "stop",
        ["completed"] = "stop",
        ["finish_reason_stop"] = "stop",
        ["length"] = "length",
        ["max_tokens"] = "length",
        ["max_output_tokens"] = "length",
        ["model_length"] = "length",
        ["incomplete"] = "length",
        ["content_filter"] = "content_filter",
        ["content-filter"] = "content_filter",
        ["safety"] = "content_filter",
        ["recitation"] = "content_filter",
        ["blocklist"] = "content_filter",
        ["prohibited_content"] = "content_filter",
        ["refusal"] = "content_filter",
        ["tool_calls"] = "tool_call",
        ["tool-calls"] = "tool_call",
        ["tool_call"] = "tool_call",
        ["tool_use"] = "tool_call",
        ["function_call"] = "tool_call",
        ["error"] = "error",
    };

    /// <summary>The normalized value; unknown reasons are kept lower-cased.</summary>
    public static string Normalize(string raw)
    {
        var trimmed = raw.Trim();
        return s_map.TryGetValue(trimmed, out var known) ? known : trimmed.ToLowerInvariant();
    }
}
