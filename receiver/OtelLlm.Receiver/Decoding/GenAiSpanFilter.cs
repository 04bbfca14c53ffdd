using System.Text;
using OpenTelemetry.Proto.Trace.V1;

namespace OtelLlm.Receiver.Decoding;

/// <summary>
/// The cheap first look at a span: whether any attribute key is GenAI vocabulary (<c>gen_ai.*</c>, <c>llm.*</c>,
/// <c>openinference.span.kind</c> or the Vercel AI SDK's <c>ai.operationId</c>, which its embedding spans carry alone). Spans without any (HTTP, database, ...) are the vast majority and are never
/// materialized or looked up further. One list of keys, read both from a decoded span and from the UTF-8 key bytes
/// the span-at-a-time reader holds.
/// </summary>
internal static class GenAiSpanFilter
{
    /// <summary>Key prefixes only GenAI vocabularies use.</summary>
    private static readonly string[] s_prefixes = [GenAi.Prefix, "llm."];

    /// <summary>Whole keys that mark a GenAI span on their own.</summary>
    private static readonly string[] s_keys = [OpenInference.SpanKind, VercelAi.OperationId];

    private static readonly byte[][] s_prefixesUtf8 = [.. s_prefixes.Select(Encoding.UTF8.GetBytes)];
    private static readonly byte[][] s_keysUtf8 = [.. s_keys.Select(Encoding.UTF8.GetBytes)];

    /// <summary>Whether the decoded span has an attribute key of GenAI vocabulary.</summary>
    public static bool MayBeGenAi(Span span)
    {
        ArgumentNullException.ThrowIfNull(span);
        var attributes = span.Attributes;
        for (var i = 0; i < attributes.Count; i++)
        {
            if (IsGenAiKey(attributes[i].Key))
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>Whether <paramref name="key"/> is GenAI vocabulary.</summary>
    public static bool IsGenAiKey(string key)
    {
        ArgumentNullException.ThrowIfNull(key);
        foreach (var prefix in s_prefixes)
        {
            if (key.StartsWith(prefix, StringComparison.Ordinal))
            {
                return true;
            }
        }

        return Array.IndexOf(s_keys, key) >= 0;
    }

    /// <summary>Whether the UTF-8 <paramref name="key"/> is GenAI vocabulary.</summary>
    public static bool IsGenAiKey(ReadOnlySpan<byte> key)
    {
        foreach (var prefix in s_prefixesUtf8)
        {
            if (key.StartsWith(prefix))
            {
                return true;
            }
        }

        foreach (var whole in s_keysUtf8)
        {
            if (key.SequenceEqual(whole))
            {
                return true;
            }
        }

        return false;
    }
}
