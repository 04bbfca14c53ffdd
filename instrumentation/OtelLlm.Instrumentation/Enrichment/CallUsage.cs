using Microsoft.Extensions.AI;

namespace OtelLlm.Instrumentation.Enrichment;

/// <summary>
/// The token counts of one call, summed over the usage a response or a stream of updates reported; a value, so a
/// streamed call gathers it without allocating.
/// </summary>
internal struct CallUsage
{
    public bool Reported;
    public long? InputTokens;
    public long? OutputTokens;
    public long? CacheReadTokens;
    public long? CacheWriteTokens;
    public long? ReasoningTokens;

    public static CallUsage From(UsageDetails? usage)
    {
        var result = default(CallUsage);
        result.Add(usage);
        return result;
    }

    public void Add(UsageDetails? usage)
    {
        if (usage is null)
        {
            return;
        }

        Reported = true;
        InputTokens = Sum(InputTokens, usage.InputTokenCount);
        OutputTokens = Sum(OutputTokens, usage.OutputTokenCount);
        CacheReadTokens = Sum(CacheReadTokens, usage.CachedInputTokenCount);
        ReasoningTokens = Sum(ReasoningTokens, usage.ReasoningTokenCount);
        if (usage.AdditionalCounts is { Count: > 0 } extra)
        {
            // UsageDetails has no field for prompt-cache writes: adapters put them in AdditionalCounts under their own
            // names (the Anthropic SDK: CacheCreationInputTokens).
            foreach (var pair in extra)
            {
                if (IsCacheWrite(pair.Key))
                {
                    CacheWriteTokens = Sum(CacheWriteTokens, pair.Value);
                }
            }
        }
    }

    private static bool IsCacheWrite(string key) =>
        key.Contains("cache", StringComparison.OrdinalIgnoreCase)
        && (key.Contains("creation", StringComparison.OrdinalIgnoreCase) || key.Contains("write", StringComparison.OrdinalIgnoreCase));

    private static long? Sum(long? a, long? b) => a is null ? b : b is null ? a : a + b;
}
