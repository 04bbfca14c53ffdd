namespace OtelLlm.Semantics.Pricing;

/// <summary>
/// Token counts of one model call, in the GenAI semantic-convention sense: every count below the first two is a
/// <em>part</em> of <see cref="InputTokens"/> or <see cref="OutputTokens"/>, never added to them.
/// </summary>
/// <param name="InputTokens">All input tokens, <em>including</em> cache reads and cache writes (<c>gen_ai.usage.input_tokens</c>).</param>
/// <param name="OutputTokens">All output tokens, <em>including</em> reasoning tokens (<c>gen_ai.usage.output_tokens</c>).</param>
/// <param name="CacheReadTokens">The part of <paramref name="InputTokens"/> served from the provider's prompt cache.</param>
/// <param name="CacheWriteTokens">The part of <paramref name="InputTokens"/> written to the provider's prompt cache (every cache lifetime).</param>
/// <param name="ReasoningTokens">The part of <paramref name="OutputTokens"/> spent on reasoning; priced as output unless the model prices reasoning apart.</param>
public readonly record struct TokenUsage(
    long InputTokens,
    long OutputTokens,
    long CacheReadTokens = 0,
    long CacheWriteTokens = 0,
    long ReasoningTokens = 0)
{
    /// <summary>Gets the part of <see cref="CacheWriteTokens"/> written with a one-hour lifetime (Anthropic's <c>ephemeral_1h_input_tokens</c>); the rest are 5-minute writes.</summary>
    public long CacheWrite1hTokens { get; init; }

    /// <summary>Gets the part of <see cref="InputTokens"/> that was audio.</summary>
    public long InputAudioTokens { get; init; }

    /// <summary>Gets the part of <see cref="CacheReadTokens"/> that was audio.</summary>
    public long CacheAudioReadTokens { get; init; }

    /// <summary>Gets the part of <see cref="InputTokens"/> that was images.</summary>
    public long InputImageTokens { get; init; }

    /// <summary>Gets the part of <see cref="OutputTokens"/> that was audio.</summary>
    public long OutputAudioTokens { get; init; }

    /// <summary>Gets the part of <see cref="OutputTokens"/> that was images.</summary>
    public long OutputImageTokens { get; init; }
}
