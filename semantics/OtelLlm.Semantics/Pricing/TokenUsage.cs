namespace OtelLlm.Semantics.Pricing;

/// <summary>Token counts of one model call, in the GenAI semantic-convention sense.</summary>
/// <param name="InputTokens">All input tokens, <em>including</em> cache reads and cache writes (<c>gen_ai.usage.input_tokens</c>).</param>
/// <param name="OutputTokens">All output tokens, <em>including</em> reasoning tokens (<c>gen_ai.usage.output_tokens</c>).</param>
/// <param name="CacheReadTokens">The part of <paramref name="InputTokens"/> served from the provider's prompt cache.</param>
/// <param name="CacheWriteTokens">The part of <paramref name="InputTokens"/> written to the provider's prompt cache.</param>
/// <param name="ReasoningTokens">The part of <paramref name="OutputTokens"/> spent on reasoning; priced as output, never added again.</param>
public readonly record struct TokenUsage(
    long InputTokens,
    long OutputTokens,
    long CacheReadTokens = 0,
    long CacheWriteTokens = 0,
    long ReasoningTokens = 0);
