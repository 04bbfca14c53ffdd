namespace OtelLlm.Semantics;

/// <summary>Microsoft.Extensions.AI's <c>OpenTelemetryChatClient</c>.</summary>
public static class Meai
{
    /// <summary><c>Experimental.Microsoft.Extensions.AI</c>.</summary>
    public const string DefaultSourceName = "Experimental.Microsoft.Extensions.AI";

    /// <summary>The function-invocation wrapper span that repeats the summed usage of every turn.</summary>
    public const string OrchestrateToolsSpan = "orchestrate_tools";
}

/// <summary>The official <c>@opentelemetry/instrumentation-openai</c> package.</summary>
public static class OtelJsOpenAi
{
    /// <summary><c>@opentelemetry/instrumentation-openai</c>.</summary>
    public const string ScopeName = "@opentelemetry/instrumentation-openai";
}

/// <summary>OpenLLMetry (Traceloop) names beyond the gen_ai.* ones.</summary>
public static class Traceloop
{
    /// <summary><c>@traceloop/</c>.</summary>
    public const string ScopePrefixJs = "@traceloop/";
    /// <summary><c>opentelemetry.instrumentation.</c>.</summary>
    public const string ScopePrefixPython = "opentelemetry.instrumentation.";
    /// <summary><c>llm.request.type</c>.</summary>
    public const string RequestType = "llm.request.type";
    /// <summary><c>llm.usage.total_tokens</c>.</summary>
    public const string UsageTotalTokens = "llm.usage.total_tokens";
    /// <summary><c>llm.usage.reasoning_tokens</c>.</summary>
    public const string UsageReasoningTokens = "llm.usage.reasoning_tokens";
    /// <summary><c>llm.is_streaming</c>.</summary>
    public const string IsStreaming = "llm.is_streaming";
    /// <summary><c>gen_ai.is_streaming</c>.</summary>
    public const string GenAiIsStreaming = "gen_ai.is_streaming";
    /// <summary><c>llm.user</c>.</summary>
    public const string User = "llm.user";
    /// <summary><c>gen_ai.user</c>.</summary>
    public const string GenAiUser = "gen_ai.user";
    /// <summary><c>llm.response.finish_reason</c>.</summary>
    public const string ResponseFinishReason = "llm.response.finish_reason";
    /// <summary><c>llm.request.functions.</c>.</summary>
    public const string RequestFunctionsPrefix = "llm.request.functions.";
    /// <summary><c>traceloop.span.kind</c>.</summary>
    public const string SpanKind = "traceloop.span.kind";
    /// <summary><c>traceloop.</c>.</summary>
    public const string AttributePrefix = "traceloop.";
    /// <summary><c>traceloop.association.properties.user_id</c>.</summary>
    public const string AssociationUserId = "traceloop.association.properties.user_id";
    /// <summary><c>traceloop.association.properties.session_id</c>.</summary>
    public const string AssociationSessionId = "traceloop.association.properties.session_id";
}

/// <summary>OpenInference (Arize) names.</summary>
public static class OpenInference
{
    /// <summary><c>openinference.span.kind</c>.</summary>
    public const string SpanKind = "openinference.span.kind";
    /// <summary><c>@arizeai/openinference</c>.</summary>
    public const string ScopePrefix = "@arizeai/openinference";
    /// <summary><c>input.value</c>.</summary>
    public const string InputValue = "input.value";
    /// <summary><c>input.mime_type</c>.</summary>
    public const string InputMimeType = "input.mime_type";
    /// <summary><c>output.value</c>.</summary>
    public const string OutputValue = "output.value";
    /// <summary><c>output.mime_type</c>.</summary>
    public const string OutputMimeType = "output.mime_type";
    /// <summary><c>llm.model_name</c>.</summary>
    public const string ModelName = "llm.model_name";
    /// <summary><c>llm.request.model_name</c>.</summary>
    public const string RequestModelName = "llm.request.model_name";
    /// <summary><c>llm.response.model_name</c>.</summary>
    public const string ResponseModelName = "llm.response.model_name";
    /// <summary><c>embedding.model_name</c>.</summary>
    public const string EmbeddingModelName = "embedding.model_name";
    /// <summary><c>llm.system</c>.</summary>
    public const string System = "llm.system";
    /// <summary><c>llm.provider</c>.</summary>
    public const string Provider = "llm.provider";
    /// <summary><c>llm.invocation_parameters</c>.</summary>
    public const string InvocationParameters = "llm.invocation_parameters";
    /// <summary><c>llm.finish_reason</c>.</summary>
    public const string FinishReason = "llm.finish_reason";
    /// <summary><c>llm.token_count.prompt</c>.</summary>
    public const string TokenCountPrompt = "llm.token_count.prompt";
    /// <summary><c>llm.token_count.completion</c>.</summary>
    public const string TokenCountCompletion = "llm.token_count.completion";
    /// <summary><c>llm.token_count.total</c>.</summary>
    public const string TokenCountTotal = "llm.token_count.total";
    /// <summary><c>llm.token_count.prompt_details.cache_read</c>.</summary>
    public const string TokenCountCacheRead = "llm.token_count.prompt_details.cache_read";
    /// <summary><c>llm.token_count.prompt_details.cache_write</c>.</summary>
    public const string TokenCountCacheWrite = "llm.token_count.prompt_details.cache_write";
    /// <summary><c>llm.token_count.prompt_details.audio</c>: the audio part of the prompt.</summary>
    public const string TokenCountPromptAudio = "llm.token_count.prompt_details.audio";
    /// <summary><c>llm.token_count.completion_details.audio</c>: the audio part of the completion.</summary>
    public const string TokenCountCompletionAudio = "llm.token_count.completion_details.audio";
    /// <summary><c>llm.token_count.completion_details.reasoning</c>.</summary>
    public const string TokenCountReasoning = "llm.token_count.completion_details.reasoning";
    /// <summary><c>llm.cost.total</c>.</summary>
    public const string CostTotal = "llm.cost.total";
    /// <summary><c>llm.input_messages.</c>.</summary>
    public const string InputMessagesPrefix = "llm.input_messages.";
    /// <summary><c>llm.output_messages.</c>.</summary>
    public const string OutputMessagesPrefix = "llm.output_messages.";
    /// <summary><c>llm.tools.</c>.</summary>
    public const string ToolsPrefix = "llm.tools.";
    /// <summary><c>llm.prompts.</c>.</summary>
    public const string PromptsPrefix = "llm.prompts.";
    /// <summary><c>llm.choices.</c>.</summary>
    public const string ChoicesPrefix = "llm.choices.";
    /// <summary><c>agent.name</c>.</summary>
    public const string AgentName = "agent.name";
    /// <summary><c>embedding.embeddings.</c>.</summary>
    public const string EmbeddingPrefix = "embedding.embeddings.";

    /// <summary>Kinds names.</summary>
    public static class Kinds
    {
        /// <summary><c>LLM</c>.</summary>
        public const string Llm = "LLM";
        /// <summary><c>EMBEDDING</c>.</summary>
        public const string Embedding = "EMBEDDING";
    }
}

/// <summary>OpenLIT names that are not OTel semconv.</summary>
public static class OpenLit
{
    /// <summary><c>openlit</c>.</summary>
    public const string SdkName = "openlit";
    /// <summary><c>gen_ai.sdk.version</c>.</summary>
    public const string SdkVersion = "gen_ai.sdk.version";
    /// <summary><c>gen_ai.environment</c>.</summary>
    public const string Environment = "gen_ai.environment";
    /// <summary><c>gen_ai.application_name</c>.</summary>
    public const string ApplicationName = "gen_ai.application_name";
    /// <summary><c>gen_ai.server.time_to_first_token</c>.</summary>
    public const string TimeToFirstToken = "gen_ai.server.time_to_first_token";
    /// <summary><c>gen_ai.client.token.usage</c>.</summary>
    public const string TokenUsageAsTotal = "gen_ai.client.token.usage";
    /// <summary><c>gen_ai.session.id</c>.</summary>
    public const string SessionId = "gen_ai.session.id";
    /// <summary><c>gen_ai.user.id</c>.</summary>
    public const string UserId = "gen_ai.user.id";
}

/// <summary>Names written by OtelLlm's own instrumentation, and the ones the normalizer adds to <c>Attributes</c>.</summary>
public static class OtelLlmNames
{
    /// <summary>The instrumentation scope of OtelLlm's own chat client; it puts content on the span, never in logs.</summary>
    public const string InstrumentationScope = "OtelLlm.Instrumentation";
    /// <summary><c>otel_llm.workload</c>: what the application was doing (a feature or job name).</summary>
    public const string Workload = "otel_llm.workload";

    /// <summary>
    /// <c>otel_llm.usage.cache_write_1h.input_tokens</c>: the part of the cache writes made with a one-hour lifetime
    /// (Anthropic's <c>cache_creation.ephemeral_1h_input_tokens</c>), which costs more than a 5-minute write.
    /// </summary>
    public const string CacheWrite1hInputTokens = "otel_llm.usage.cache_write_1h.input_tokens";

    /// <summary><c>otel_llm.cost_before</c>: on a re-priced revision, the cost it replaced (empty when the call had none).</summary>
    public const string CostBefore = "otel_llm.cost_before";

    /// <summary><c>otel_llm.raw.input_tokens</c>: the input count as reported, when cache tokens were counted apart and added to it.</summary>
    public const string RawInputTokens = "otel_llm.raw.input_tokens";

    /// <summary>Prefix of the application's own tags (<c>otel_llm.tag.team</c>).</summary>
    public const string TagPrefix = "otel_llm.tag.";
    /// <summary><c>otel_llm.raw.provider</c>.</summary>
    public const string RawProvider = "otel_llm.raw.provider";
    /// <summary><c>otel_llm.raw.finish_reasons</c>.</summary>
    public const string RawFinishReasons = "otel_llm.raw.finish_reasons";
    /// <summary><c>otel_llm.truncated</c>.</summary>
    public const string Truncated = "otel_llm.truncated";
    /// <summary><c>langfuse.observation.cost_details</c>.</summary>
    public const string LangfuseCostDetails = "langfuse.observation.cost_details";
    /// <summary><c>gen_ai.cost.usd</c>.</summary>
    public const string CostUsd = "gen_ai.cost.usd";
}

/// <summary>The values of the <c>SourceFormat</c> column: which dialect a row was read from.</summary>
public static class SourceFormats
{
    /// <summary><c>otel_genai_v1_37</c>.</summary>
    public const string OtelGenAiV137 = "otel_genai_v1_37";
    /// <summary><c>otel_genai_v1_36</c>.</summary>
    public const string OtelGenAiV136 = "otel_genai_v1_36";
    /// <summary><c>meai</c>.</summary>
    public const string Meai = "meai";
    /// <summary><c>otel_js_openai</c>.</summary>
    public const string OtelJsOpenAi = "otel_js_openai";
    /// <summary><c>openllmetry</c>.</summary>
    public const string OpenLlmetry = "openllmetry";
    /// <summary><c>openllmetry_legacy</c>.</summary>
    public const string OpenLlmetryLegacy = "openllmetry_legacy";
    /// <summary><c>openinference</c>.</summary>
    public const string OpenInference = "openinference";
    /// <summary><c>openlit</c>.</summary>
    public const string OpenLit = "openlit";
    /// <summary><c>ingest_api</c>: sent to the HTTP API's bulk ingest (<c>POST /api/v1/ingest/llm</c>), not as OTLP.</summary>
    public const string IngestApi = "ingest_api";
}

/// <summary>OtelLlm's own metrics.</summary>
public static class OtelLlmMetrics
{
    /// <summary><c>otel_llm.client.cost</c>: cost of GenAI calls from the price table.</summary>
    public static class Cost
    {
        /// <summary>The instrument name.</summary>
        public const string Name = "otel_llm.client.cost";

        /// <summary>The unit.</summary>
        public const string Unit = "USD";

        /// <summary>The description.</summary>
        public const string Description = "Cost of GenAI calls in US dollars, from the model price table.";
    }
}

/// <summary>The values of the <c>CostSource</c> column: where a row's cost came from.</summary>
public static class CostSources
{
    /// <summary>The span carried its own cost, which wins over the price table.</summary>
    public const string Span = "span";

    /// <summary>OtelLlm priced the call's tokens with its price table.</summary>
    public const string PriceTable = "price_table";

    /// <summary>
    /// The call was re-priced with the price table after it was stored (a later revision of its row); the cost it
    /// replaced is in the attribute <see cref="OtelLlmNames.CostBefore"/>.
    /// </summary>
    public const string Repriced = "repriced";
}
