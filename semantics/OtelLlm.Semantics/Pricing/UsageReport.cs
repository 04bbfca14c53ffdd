namespace OtelLlm.Semantics.Pricing;

/// <summary>Reads the attribute values of one span (or one stored row); implemented by a struct so reading allocates nothing.</summary>
public interface ITokenCountSource
{
    /// <summary>Gets an attribute's value as a count, or <see langword="null"/> when the span lacks it.</summary>
    /// <param name="attribute">The attribute name.</param>
    long? GetCount(string attribute);
}

/// <summary>
/// Turns the token counts a span reports into one meaning before pricing: input includes cache reads and writes (the
/// GenAI conventions' meaning), whichever way the dialect counted them, and the details the price data can bill apart
/// (1-hour cache writes, audio and image tokens) are read from the attributes that carry them.
/// </summary>
public static class UsageReport
{
    /// <summary>
    /// Whether the reporter counted cache reads and writes <em>apart</em> from input, as Anthropic's own usage does
    /// (<c>input_tokens</c> is only the uncached part) and as some OpenInference instrumentations copy it.
    /// </summary>
    /// <param name="input">The reported input count.</param>
    /// <param name="output">The reported output count.</param>
    /// <param name="cacheRead">The reported cache reads.</param>
    /// <param name="cacheWrite">The reported cache writes.</param>
    /// <param name="total">The reported total, when the span has one.</param>
    /// <param name="anthropicShaped">Whether the dialect is known to pass Anthropic's usage through unchanged when it gives no total to decide by.</param>
    /// <returns><see langword="true"/> when the cache tokens must be added to input.</returns>
    /// <remarks>
    /// The parts exceeding the whole decide at once; a total equal to input + output + cache tokens says they were
    /// apart, a total equal to input + output says they were inside; otherwise the dialect's known shape decides.
    /// </remarks>
    public static bool CacheCountedApart(long input, long output, long cacheRead, long cacheWrite, long? total, bool anthropicShaped)
    {
        var cached = Math.Max(0, cacheRead) + Math.Max(0, cacheWrite);
        if (cached == 0)
        {
            return false;
        }

        if (cached > input)
        {
            return true;
        }

        if (total is > 0 and var t)
        {
            if (t == input + output + cached)
            {
                return true;
            }

            if (t == input + output)
            {
                return false;
            }
        }

        return anthropicShaped;
    }

    /// <summary>Adds the details the attributes carry (1-hour cache writes, audio and image tokens) to the usage.</summary>
    /// <typeparam name="TSource">The attribute reader.</typeparam>
    /// <param name="usage">The usage from the token columns.</param>
    /// <param name="attributes">The span's (or stored row's) attributes.</param>
    /// <returns>The usage with its details.</returns>
    public static TokenUsage WithDetails<TSource>(TokenUsage usage, TSource attributes)
        where TSource : ITokenCountSource =>
        usage with
        {
            CacheWrite1hTokens = attributes.GetCount(OtelLlmNames.CacheWrite1hInputTokens) ?? 0,
            InputAudioTokens = First(attributes, GenAi.Usage.AudioInputTokens, GenAi.Usage.InputAudioTokens, OpenInference.TokenCountPromptAudio),
            CacheAudioReadTokens = attributes.GetCount(GenAi.Usage.AudioCacheReadInputTokens) ?? 0,
            InputImageTokens = attributes.GetCount(GenAi.Usage.ImageInputTokens) ?? 0,
            OutputAudioTokens = First(attributes, GenAi.Usage.AudioOutputTokens, GenAi.Usage.OutputAudioTokens, OpenInference.TokenCountCompletionAudio),
            OutputImageTokens = attributes.GetCount(GenAi.Usage.ImageOutputTokens) ?? 0,
        };

    private static long First<TSource>(TSource attributes, string a, string b, string c)
        where TSource : ITokenCountSource =>
        attributes.GetCount(a) ?? attributes.GetCount(b) ?? attributes.GetCount(c) ?? 0;
}
