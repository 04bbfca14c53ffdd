namespace OtelLlm.Semantics.Pricing;

/// <summary>The list price of one model, in US dollars per token.</summary>
/// <param name="Provider">The provider, as a <c>gen_ai.provider.name</c> value (e.g. <c>openai</c>, <c>anthropic</c>).</param>
/// <param name="Model">The canonical model name.</param>
/// <param name="InputPerToken">Price of one uncached input token.</param>
/// <param name="OutputPerToken">Price of one output token (reasoning tokens included).</param>
/// <param name="CacheReadPerToken">Price of one input token read from the prompt cache; <see langword="null"/> means the input price.</param>
/// <param name="CacheWritePerToken">Price of one input token written to the prompt cache; <see langword="null"/> means the input price.</param>
public sealed record ModelPrice(
    string Provider,
    string Model,
    double InputPerToken,
    double OutputPerToken,
    double? CacheReadPerToken,
    double? CacheWritePerToken)
{
    /// <summary>Computes the cost in US dollars of a call with the given token usage.</summary>
    /// <param name="usage">Token counts; input includes cached tokens and output includes reasoning tokens.</param>
    /// <returns>The cost in US dollars, never negative.</returns>
    public double GetCostUsd(in TokenUsage usage)
    {
        var cacheRead = Math.Max(0, usage.CacheReadTokens);
        var cacheWrite = Math.Max(0, usage.CacheWriteTokens);
        var uncachedInput = Math.Max(0, usage.InputTokens - cacheRead - cacheWrite);
        var output = Math.Max(0, usage.OutputTokens);
        return (uncachedInput * InputPerToken)
            + (cacheRead * (CacheReadPerToken ?? InputPerToken))
            + (cacheWrite * (CacheWritePerToken ?? InputPerToken))
            + (output * OutputPerToken);
    }
}
