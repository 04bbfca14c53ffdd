namespace OtelLlm.Receiver.Normalization;

/// <summary>
/// Every attribute, event and scope name the normalizer reads, grouped by the convention that defines it.
/// The one place these strings live; dialect code refers to them by name.
/// </summary>
internal static class GenAi
{
    public const string Prefix = "gen_ai.";
    public const string OperationName = "gen_ai.operation.name";
    public const string ProviderName = "gen_ai.provider.name";
    public const string System = "gen_ai.system";
    public const string ConversationId = "gen_ai.conversation.id";
    public const string SystemInstructions = "gen_ai.system_instructions";
    public const string InputMessages = "gen_ai.input.messages";
    public const string OutputMessages = "gen_ai.output.messages";
    public const string ToolDefinitions = "gen_ai.tool.definitions";
    public const string AgentName = "gen_ai.agent.name";

    /// <summary>Indexed prompt and completion attributes of OpenLLMetry's legacy format.</summary>
    public const string PromptPrefix = "gen_ai.prompt.";
    public const string CompletionPrefix = "gen_ai.completion.";

    /// <summary>v1.26-1.27 span-event content (one JSON string each).</summary>
    public const string Prompt = "gen_ai.prompt";
    public const string Completion = "gen_ai.completion";

    public static class Request
    {
        public const string Model = "gen_ai.request.model";
        public const string Temperature = "gen_ai.request.temperature";
        public const string TopP = "gen_ai.request.top_p";
        public const string MaxTokens = "gen_ai.request.max_tokens";
        public const string Stream = "gen_ai.request.stream";
        public const string User = "gen_ai.request.user";
    }

    public static class Response
    {
        public const string Model = "gen_ai.response.model";
        public const string Id = "gen_ai.response.id";
        public const string FinishReasons = "gen_ai.response.finish_reasons";
        public const string FinishReason = "gen_ai.response.finish_reason";
        public const string TimeToFirstChunk = "gen_ai.response.time_to_first_chunk";
    }

    public static class Usage
    {
        public const string InputTokens = "gen_ai.usage.input_tokens";
        public const string OutputTokens = "gen_ai.usage.output_tokens";
        public const string PromptTokens = "gen_ai.usage.prompt_tokens";
        public const string CompletionTokens = "gen_ai.usage.completion_tokens";
        public const string CacheReadInputTokens = "gen_ai.usage.cache_read.input_tokens";
        public const string CacheReadInputTokensUnderscore = "gen_ai.usage.cache_read_input_tokens";
        public const string PromptCachedTokens = "gen_ai.usage.prompt_tokens_details.cached_tokens";
        public const string CacheWriteInputTokens = "gen_ai.usage.cache_write.input_tokens";
        public const string CacheCreationInputTokens = "gen_ai.usage.cache_creation.input_tokens";
        public const string CacheCreationInputTokensUnderscore = "gen_ai.usage.cache_creation_input_tokens";
        public const string PromptCacheCreationTokens = "gen_ai.usage.prompt_tokens_details.cache_creation_tokens";
        public const string ReasoningOutputTokens = "gen_ai.usage.reasoning.output_tokens";
        public const string ReasoningTokens = "gen_ai.usage.reasoning_tokens";
        public const string CompletionReasoningTokens = "gen_ai.usage.completion_tokens_details.reasoning_tokens";
        public const string TotalTokens = "gen_ai.usage.total_tokens";
        public const string Cost = "gen_ai.usage.cost";
        public const string TotalCost = "gen_ai.usage.total_cost";
        public const string TotalCostUsd = "gen_ai.usage.total_cost_usd";
    }

    public static class Operation
    {
        public const string Chat = "chat";
        public const string TextCompletion = "text_completion";
        public const string GenerateContent = "generate_content";
        public const string Embeddings = "embeddings";
        public const string InvokeAgent = "invoke_agent";
        public const string ExecuteTool = "execute_tool";
    }

    /// <summary>Log-record / span-event names that carry content.</summary>
    public static class Events
    {
        public const string SystemMessage = "gen_ai.system.message";
        public const string UserMessage = "gen_ai.user.message";
        public const string AssistantMessage = "gen_ai.assistant.message";
        public const string ToolMessage = "gen_ai.tool.message";
        public const string Choice = "gen_ai.choice";
        public const string OperationDetails = "gen_ai.client.inference.operation.details";
        public const string ContentPrompt = "gen_ai.content.prompt";
        public const string ContentCompletion = "gen_ai.content.completion";

        /// <summary>Some emitters put a JSON body of a span event under this attribute.</summary>
        public const string EventContent = "gen_ai.event.content";
    }
}

/// <summary>General OpenTelemetry semantic conventions used around GenAI spans.</summary>
internal static class Otel
{
    public const string ServiceName = "service.name";
    public const string DeploymentEnvironmentName = "deployment.environment.name";
    public const string DeploymentEnvironment = "deployment.environment";
    public const string ServerAddress = "server.address";
    public const string ErrorType = "error.type";
    public const string EventName = "event.name";
    public const string ExceptionEvent = "exception";
    public const string ExceptionType = "exception.type";
    public const string ExceptionMessage = "exception.message";
    public const string UserId = "user.id";
    public const string EndUserId = "enduser.id";
    public const string SessionId = "session.id";
    public const string TelemetrySdkName = "telemetry.sdk.name";
}

/// <summary>Microsoft.Extensions.AI's <c>OpenTelemetryChatClient</c>.</summary>
internal static class Meai
{
    public const string DefaultSourceName = "Experimental.Microsoft.Extensions.AI";

    /// <summary>The function-invocation wrapper span that repeats the summed usage of every turn.</summary>
    public const string OrchestrateToolsSpan = "orchestrate_tools";
}

/// <summary>The official <c>@opentelemetry/instrumentation-openai</c> package.</summary>
internal static class OtelJsOpenAi
{
    public const string ScopeName = "@opentelemetry/instrumentation-openai";
}

/// <summary>OpenLLMetry (Traceloop) names beyond the gen_ai.* ones.</summary>
internal static class Traceloop
{
    public const string ScopePrefixJs = "@traceloop/";
    public const string ScopePrefixPython = "opentelemetry.instrumentation.";
    public const string RequestType = "llm.request.type";
    public const string UsageTotalTokens = "llm.usage.total_tokens";
    public const string UsageReasoningTokens = "llm.usage.reasoning_tokens";
    public const string IsStreaming = "llm.is_streaming";
    public const string GenAiIsStreaming = "gen_ai.is_streaming";
    public const string User = "llm.user";
    public const string GenAiUser = "gen_ai.user";
    public const string ResponseFinishReason = "llm.response.finish_reason";
    public const string RequestFunctionsPrefix = "llm.request.functions.";
    public const string SpanKind = "traceloop.span.kind";
    public const string AttributePrefix = "traceloop.";
    public const string AssociationUserId = "traceloop.association.properties.user_id";
    public const string AssociationSessionId = "traceloop.association.properties.session_id";
}

/// <summary>OpenInference (Arize) names.</summary>
internal static class OpenInference
{
    public const string SpanKind = "openinference.span.kind";
    public const string ScopePrefix = "@arizeai/openinference";
    public const string InputValue = "input.value";
    public const string InputMimeType = "input.mime_type";
    public const string OutputValue = "output.value";
    public const string OutputMimeType = "output.mime_type";
    public const string ModelName = "llm.model_name";
    public const string RequestModelName = "llm.request.model_name";
    public const string ResponseModelName = "llm.response.model_name";
    public const string EmbeddingModelName = "embedding.model_name";
    public const string System = "llm.system";
    public const string Provider = "llm.provider";
    public const string InvocationParameters = "llm.invocation_parameters";
    public const string FinishReason = "llm.finish_reason";
    public const string TokenCountPrompt = "llm.token_count.prompt";
    public const string TokenCountCompletion = "llm.token_count.completion";
    public const string TokenCountTotal = "llm.token_count.total";
    public const string TokenCountCacheRead = "llm.token_count.prompt_details.cache_read";
    public const string TokenCountCacheWrite = "llm.token_count.prompt_details.cache_write";
    public const string TokenCountReasoning = "llm.token_count.completion_details.reasoning";
    public const string CostTotal = "llm.cost.total";
    public const string InputMessagesPrefix = "llm.input_messages.";
    public const string OutputMessagesPrefix = "llm.output_messages.";
    public const string ToolsPrefix = "llm.tools.";
    public const string PromptsPrefix = "llm.prompts.";
    public const string ChoicesPrefix = "llm.choices.";
    public const string AgentName = "agent.name";
    public const string EmbeddingPrefix = "embedding.embeddings.";

    public static class Kinds
    {
        public const string Llm = "LLM";
        public const string Embedding = "EMBEDDING";
    }
}

/// <summary>OpenLIT names that are not OTel semconv.</summary>
internal static class OpenLit
{
    public const string SdkName = "openlit";
    public const string SdkVersion = "gen_ai.sdk.version";
    public const string Environment = "gen_ai.environment";
    public const string ApplicationName = "gen_ai.application_name";
    public const string TimeToFirstToken = "gen_ai.server.time_to_first_token";
    public const string TokenUsageAsTotal = "gen_ai.client.token.usage";
    public const string SessionId = "gen_ai.session.id";
    public const string UserId = "gen_ai.user.id";
}

/// <summary>Names written by OtelLlm's own instrumentation, and the ones the normalizer adds to <c>Attributes</c>.</summary>
internal static class OtelLlmNames
{
    /// <summary>The instrumentation scope of OtelLlm's own chat client; it puts content on the span, never in logs.</summary>
    public const string InstrumentationScope = "OtelLlm.Instrumentation";
    public const string Workload = "otel_llm.workload";
    public const string RawProvider = "otel_llm.raw.provider";
    public const string RawFinishReasons = "otel_llm.raw.finish_reasons";
    public const string Truncated = "otel_llm.truncated";
    public const string LangfuseCostDetails = "langfuse.observation.cost_details";
    public const string CostUsd = "gen_ai.cost.usd";
}

/// <summary>The values of the <c>SourceFormat</c> column: which dialect a row was read from.</summary>
internal static class SourceFormats
{
    public const string OtelGenAiV137 = "otel_genai_v1_37";
    public const string OtelGenAiV136 = "otel_genai_v1_36";
    public const string Meai = "meai";
    public const string OtelJsOpenAi = "otel_js_openai";
    public const string OpenLlmetry = "openllmetry";
    public const string OpenLlmetryLegacy = "openllmetry_legacy";
    public const string OpenInference = "openinference";
    public const string OpenLit = "openlit";
}
