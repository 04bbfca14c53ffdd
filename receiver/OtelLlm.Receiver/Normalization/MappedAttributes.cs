namespace OtelLlm.Receiver.Normalization;

/// <summary>
/// Span attributes that already have a column (or are content re-assembled into one), and so are not repeated in
/// the row's <c>Attributes</c>. Everything else — tags, penalties, seeds, vendor extras — is kept there.
/// </summary>
internal static class MappedAttributes
{
    private static readonly HashSet<string> s_mapped = new(StringComparer.Ordinal)
    {
        GenAi.Operation.Name, GenAi.Provider.Name, GenAi.System, GenAi.ConversationId, GenAi.SystemInstructions, GenAi.InputMessages,
        GenAi.OutputMessages, GenAi.ToolDefinitions, GenAi.Agent.Name,
        GenAi.Request.Model, GenAi.Request.Temperature, GenAi.Request.TopP, GenAi.Request.MaxTokens, GenAi.Request.Stream, GenAi.Request.User,
        GenAi.Response.Model, GenAi.Response.Id, GenAi.Response.FinishReasons, GenAi.Response.FinishReason, GenAi.Response.TimeToFirstChunk,
        GenAi.Usage.InputTokens, GenAi.Usage.OutputTokens, GenAi.Usage.PromptTokens, GenAi.Usage.CompletionTokens, GenAi.Usage.CacheReadInputTokens,
        GenAi.Usage.CacheReadInputTokensUnderscore, GenAi.Usage.PromptCachedTokens, GenAi.Usage.CacheWriteInputTokens, GenAi.Usage.CacheCreationInputTokens,
        GenAi.Usage.CacheCreationInputTokensUnderscore, GenAi.Usage.PromptCacheCreationTokens, GenAi.Usage.ReasoningOutputTokens, GenAi.Usage.ReasoningTokens,
        GenAi.Usage.CompletionReasoningTokens, GenAi.Usage.TotalTokens, GenAi.Usage.Cost, GenAi.Usage.TotalCost, GenAi.Usage.TotalCostUsd,
        Otel.ServiceName, Otel.DeploymentEnvironmentName, Otel.DeploymentEnvironment, Otel.ServerAddress, Otel.ErrorType, Otel.UserId, Otel.EndUserId,
        Otel.SessionId, Otel.TelemetrySdkName,
        Traceloop.RequestType, Traceloop.UsageTotalTokens, Traceloop.UsageReasoningTokens, Traceloop.IsStreaming, Traceloop.GenAiIsStreaming,
        Traceloop.User, Traceloop.GenAiUser, Traceloop.ResponseFinishReason, Traceloop.AssociationUserId, Traceloop.AssociationSessionId,
        OpenInference.InputValue, OpenInference.OutputValue, OpenInference.ModelName, OpenInference.RequestModelName, OpenInference.ResponseModelName,
        OpenInference.EmbeddingModelName, OpenInference.System, OpenInference.Provider, OpenInference.FinishReason, OpenInference.TokenCountPrompt,
        OpenInference.TokenCountCompletion, OpenInference.TokenCountTotal, OpenInference.TokenCountCacheRead, OpenInference.TokenCountCacheWrite,
        OpenInference.TokenCountReasoning, OpenInference.CostTotal, OpenInference.AgentName,
        OpenLit.SdkVersion, OpenLit.Environment, OpenLit.ApplicationName, OpenLit.TimeToFirstToken, OpenLit.TokenUsageAsTotal, OpenLit.SessionId,
        OpenLit.UserId,
        OtelLlmNames.Workload, OtelLlmNames.CostUsd,
    };

    private static readonly string[] s_mappedPrefixes =
    [
        GenAi.PromptPrefix, GenAi.CompletionPrefix, Traceloop.RequestFunctionsPrefix, OpenInference.InputMessagesPrefix,
        OpenInference.OutputMessagesPrefix, OpenInference.ToolsPrefix, OpenInference.PromptsPrefix, OpenInference.ChoicesPrefix,
        OpenInference.EmbeddingPrefix,
    ];

    public static bool IsMapped(string key)
    {
        if (s_mapped.Contains(key))
        {
            return true;
        }

        foreach (var prefix in s_mappedPrefixes)
        {
            if (key.StartsWith(prefix, StringComparison.Ordinal))
            {
                return true;
            }
        }

        return false;
    }
}
