using Microsoft.Extensions.AI;

namespace OtelLlm.Instrumentation.Telemetry;

/// <summary>What one model call returned, gathered from a response or a stream of updates.</summary>
internal struct CallOutcome
{
    public string? ResponseId;
    public string? ResponseModel;
    public ChatFinishReason? FinishReason;
    public long? InputTokens;
    public long? OutputTokens;
    public long? CacheReadTokens;
    public long? CacheWriteTokens;
    public long? ReasoningTokens;
    public double? TimeToFirstChunk;
    public int? DimensionCount;

    public void AddUsage(UsageDetails? usage)
    {
        if (usage is null)
        {
            return;
        }

        InputTokens = Sum(InputTokens, usage.InputTokenCount);
        OutputTokens = Sum(OutputTokens, usage.OutputTokenCount);
        CacheReadTokens = Sum(CacheReadTokens, usage.CachedInputTokenCount);
        ReasoningTokens = Sum(ReasoningTokens, usage.ReasoningTokenCount);
        if (usage.AdditionalCounts is { Count: > 0 } extra)
        {
            // No UsageDetails field for prompt-cache writes; adapters put them in AdditionalCounts under provider-specific names.
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
