namespace OtelLlm.Receiver.Normalization;

/// <summary>
/// A dialect's column map: for each <c>llm_calls</c> column the span attributes it is read from, in priority order
/// (first present wins). <see cref="Semconv"/> is the OTel GenAI semantic conventions' map, which every dialect starts
/// from; a dialect states only the columns it spells differently, with <c>with</c>. <see cref="CommonColumns"/> reads a
/// span through one of these, and <see cref="Names"/> lists every attribute it consumes, so those are not repeated in
/// the row's <c>Attributes</c>.
/// </summary>
internal sealed record ColumnSources
{
    /// <summary>
    /// The semantic conventions (every version, v1.26 on), general semconv names, OtelLlm's own, and the other
    /// <c>gen_ai.*</c> usage names instrumentations send beside the conventions (OpenLLMetry's
    /// <c>cache_read_input_tokens</c>, OpenAI-shaped <c>prompt_tokens_details.*</c>, ...): those arrive on spans of
    /// several dialects, so every dialect reads them.
    /// </summary>
    public static ColumnSources Semconv { get; } = new();

    /// <summary>Span attributes naming the service, after the resource's <c>service.name</c>.</summary>
    public string[] ServiceName { get; init; } = [Otel.ServiceName];

    /// <summary>Resource attributes naming the environment, tried before <see cref="EnvironmentOnSpan"/>.</summary>
    public string[] Environment { get; init; } = [Otel.DeploymentEnvironmentName, Otel.DeploymentEnvironment];

    /// <summary>Span attributes naming the environment.</summary>
    public string[] EnvironmentOnSpan { get; init; } = [Otel.DeploymentEnvironmentName, Otel.DeploymentEnvironment];

    public string[] Provider { get; init; } = [GenAi.Provider.Name, GenAi.System];

    public string[] RequestModel { get; init; } = [GenAi.Request.Model];

    public string[] ResponseModel { get; init; } = [GenAi.Response.Model];

    public string[] InputTokens { get; init; } = [GenAi.Usage.InputTokens, GenAi.Usage.PromptTokens];

    public string[] OutputTokens { get; init; } = [GenAi.Usage.OutputTokens, GenAi.Usage.CompletionTokens];

    public string[] CacheReadTokens { get; init; } = [GenAi.Usage.CacheReadInputTokens, GenAi.Usage.CacheReadInputTokensUnderscore, GenAi.Usage.PromptCachedTokens];

    public string[] CacheWriteTokens { get; init; } =
    [
        GenAi.Usage.CacheWriteInputTokens, GenAi.Usage.CacheCreationInputTokens, GenAi.Usage.CacheCreationInputTokensUnderscore,
        GenAi.Usage.PromptCacheCreationTokens,
    ];

    public string[] ReasoningTokens { get; init; } = [GenAi.Usage.ReasoningOutputTokens, GenAi.Usage.ReasoningTokens, GenAi.Usage.CompletionReasoningTokens];

    public string[] TotalTokens { get; init; } = [GenAi.Usage.TotalTokens];

    public string[] Temperature { get; init; } = [GenAi.Request.Temperature];

    public string[] TopP { get; init; } = [GenAi.Request.TopP];

    public string[] MaxTokens { get; init; } = [GenAi.Request.MaxTokens];

    public string[] Streaming { get; init; } = [GenAi.Request.Stream, Traceloop.GenAiIsStreaming];

    /// <summary>Time to the first chunk, in seconds.</summary>
    public string[] TimeToFirstChunkSeconds { get; init; } = [GenAi.Response.TimeToFirstChunk];

    /// <summary>Finish reasons as a list (a string array or a JSON-encoded one).</summary>
    public string[] FinishReasons { get; init; } = [GenAi.Response.FinishReasons];

    /// <summary>One finish reason, when no list is present.</summary>
    public string[] FinishReason { get; init; } = [GenAi.Response.FinishReason];

    public string[] ResponseId { get; init; } = [GenAi.Response.Id];

    public string[] ConversationId { get; init; } = [GenAi.ConversationId, Otel.SessionId];

    public string[] UserId { get; init; } = [Otel.UserId, Otel.EndUserId, GenAi.Request.User, Traceloop.GenAiUser];

    public string[] Workload { get; init; } = [OtelLlmNames.Workload];

    public string[] AgentName { get; init; } = [GenAi.Agent.Name];

    public string[] ServerAddress { get; init; } = [Otel.ServerAddress];

    public string[] ErrorType { get; init; } = [Otel.ErrorType];

    /// <summary>
    /// Other attributes the dialect consumes (content it re-assembles, markers that only identify it): not repeated in
    /// <c>Attributes</c>.
    /// </summary>
    public string[] Consumed { get; init; } =
    [
        GenAi.Operation.Name, GenAi.InputMessages, GenAi.OutputMessages, GenAi.SystemInstructions, GenAi.ToolDefinitions,
    ];

    /// <summary>Prefixes of attributes the dialect consumes (indexed content).</summary>
    public string[] ConsumedPrefixes { get; init; } = [];

    /// <summary>Every attribute name a column is read from, plus <see cref="Consumed"/>.</summary>
    public IEnumerable<string> Names()
    {
        string[][] all =
        [
            ServiceName, EnvironmentOnSpan, Provider, RequestModel, ResponseModel, InputTokens, OutputTokens, CacheReadTokens,
            CacheWriteTokens, ReasoningTokens, TotalTokens, Temperature, TopP, MaxTokens, Streaming, TimeToFirstChunkSeconds,
            FinishReasons, FinishReason, ResponseId, ConversationId, UserId, Workload, AgentName, ServerAddress, ErrorType, Consumed,
        ];
        foreach (var names in all)
        {
            foreach (var name in names)
            {
                yield return name;
            }
        }
    }
}
