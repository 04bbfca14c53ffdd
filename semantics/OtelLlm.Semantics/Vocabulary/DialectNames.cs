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
    /// <summary><c>metadata</c>: the run's metadata as JSON (LangChain's <c>ls_provider</c>, <c>ls_model_name</c>, ...).</summary>
    public const string Metadata = "metadata";
    /// <summary><c>ls_provider</c>: LangChain's name of the provider, a key of <see cref="Metadata"/>.</summary>
    public const string LangChainProvider = "ls_provider";
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

/// <summary>
/// The Vercel AI SDK's built-in telemetry (<c>ai</c> 3.3 and later, <c>experimental_telemetry</c>): its own <c>ai.*</c>
/// names beside a few semconv ones. Spans are named by the operation (<see cref="OperationId"/>): <c>ai.generateText</c>
/// wraps one <c>ai.generateText.doGenerate</c> per model call, <c>ai.toolCall</c> per tool run.
/// </summary>
public static class VercelAi
{
    /// <summary><c>ai</c>: the tracer name of the SDK's spans (SDK 3.3 to 6, and SDK 7's <c>LegacyOpenTelemetry</c>).</summary>
    public const string ScopeName = "ai";
    /// <summary>
    /// <c>gen_ai</c>: the tracer name of SDK 7's <c>OpenTelemetry</c> integration (<c>@ai-sdk/otel</c>), whose spans are
    /// GenAI semantic-convention spans (<c>invoke_agent</c>, <c>chat</c>, <c>execute_tool</c>, <c>embeddings</c>).
    /// </summary>
    public const string OtelScopeName = "gen_ai";
    /// <summary>
    /// <c>gen_ai.client.operation.time_to_first_chunk</c>: SDK 7 puts the time to the first chunk of a streamed call
    /// on the span under the name of the metric, in seconds.
    /// </summary>
    public const string OtelTimeToFirstChunk = "gen_ai.client.operation.time_to_first_chunk";
    /// <summary><c>ai.settings.context.</c>: SDK 7's runtime context, one attribute per included key (SDK 5's metadata).</summary>
    public const string ContextPrefix = "ai.settings.context.";
    /// <summary><c>ai.settings.context.userId</c>.</summary>
    public const string ContextUserId = "ai.settings.context.userId";
    /// <summary><c>ai.settings.context.sessionId</c>.</summary>
    public const string ContextSessionId = "ai.settings.context.sessionId";
    /// <summary><c>ai.usage.inputTokenDetails.noCacheTokens</c> (SDK 7): present when the input count includes the cache.</summary>
    public const string UsageNoCacheTokens = "ai.usage.inputTokenDetails.noCacheTokens";
    /// <summary><c>ai.usage.inputTokenDetails.cacheReadTokens</c> (SDK 7).</summary>
    public const string UsageCacheReadTokens = "ai.usage.inputTokenDetails.cacheReadTokens";
    /// <summary><c>ai.usage.inputTokenDetails.cacheWriteTokens</c> (SDK 7).</summary>
    public const string UsageCacheWriteTokens = "ai.usage.inputTokenDetails.cacheWriteTokens";
    /// <summary><c>ai.usage.outputTokenDetails.reasoningTokens</c> (SDK 7).</summary>
    public const string UsageOutputReasoningTokens = "ai.usage.outputTokenDetails.reasoningTokens";
    /// <summary><c>ai.operationId</c>: <c>ai.generateText</c>, <c>ai.generateText.doGenerate</c>, <c>ai.toolCall</c>, ...</summary>
    public const string OperationId = "ai.operationId";
    /// <summary><c>ai.toolCall</c>: the operation id of a tool run.</summary>
    public const string ToolCallOperation = "ai.toolCall";
    /// <summary><c>operation.name</c>: the operation id and the function id, for observability vendors.</summary>
    public const string OperationName = "operation.name";
    /// <summary><c>resource.name</c>: the function id, for observability vendors.</summary>
    public const string ResourceName = "resource.name";
    /// <summary><c>ai.model.provider</c>: <c>{provider}.{api}</c>, e.g. <c>openai.chat</c>.</summary>
    public const string ModelProvider = "ai.model.provider";
    /// <summary><c>ai.model.id</c>.</summary>
    public const string ModelId = "ai.model.id";
    /// <summary><c>ai.telemetry.functionId</c>: what the application names the call (<c>experimental_telemetry.functionId</c>).</summary>
    public const string FunctionId = "ai.telemetry.functionId";
    /// <summary><c>ai.telemetry.metadata.</c>: the application's <c>experimental_telemetry.metadata</c>, one attribute per key.</summary>
    public const string MetadataPrefix = "ai.telemetry.metadata.";
    /// <summary><c>ai.telemetry.metadata.userId</c>.</summary>
    public const string MetadataUserId = "ai.telemetry.metadata.userId";
    /// <summary><c>ai.telemetry.metadata.sessionId</c>.</summary>
    public const string MetadataSessionId = "ai.telemetry.metadata.sessionId";
    /// <summary><c>ai.settings.temperature</c>.</summary>
    public const string SettingsTemperature = "ai.settings.temperature";
    /// <summary><c>ai.settings.topP</c>.</summary>
    public const string SettingsTopP = "ai.settings.topP";
    /// <summary><c>ai.settings.maxOutputTokens</c> (SDK 5 and later).</summary>
    public const string SettingsMaxOutputTokens = "ai.settings.maxOutputTokens";
    /// <summary><c>ai.settings.maxTokens</c> (SDK 4).</summary>
    public const string SettingsMaxTokens = "ai.settings.maxTokens";
    /// <summary><c>ai.prompt.messages</c>: the model call's prompt as JSON, in the SDK's message format.</summary>
    public const string PromptMessages = "ai.prompt.messages";
    /// <summary><c>ai.prompt.tools</c>: one JSON tool definition per array item.</summary>
    public const string PromptTools = "ai.prompt.tools";
    /// <summary><c>ai.response.text</c>.</summary>
    public const string ResponseText = "ai.response.text";
    /// <summary><c>ai.response.reasoning</c>.</summary>
    public const string ResponseReasoning = "ai.response.reasoning";
    /// <summary><c>ai.response.toolCalls</c>: JSON <c>[{toolCallId, toolName, input}]</c> (<c>args</c> in SDK 4).</summary>
    public const string ResponseToolCalls = "ai.response.toolCalls";
    /// <summary><c>ai.response.object</c>: the JSON object of <c>generateObject</c>/<c>streamObject</c>.</summary>
    public const string ResponseObject = "ai.response.object";
    /// <summary><c>ai.response.finishReason</c>: <c>stop</c>, <c>length</c>, <c>content-filter</c>, <c>tool-calls</c>, <c>error</c>, <c>other</c>.</summary>
    public const string ResponseFinishReason = "ai.response.finishReason";
    /// <summary><c>ai.response.id</c>.</summary>
    public const string ResponseId = "ai.response.id";
    /// <summary><c>ai.response.model</c>.</summary>
    public const string ResponseModel = "ai.response.model";
    /// <summary><c>ai.response.msToFirstChunk</c>: time to the first chunk of <c>streamText</c>, in milliseconds.</summary>
    public const string ResponseMsToFirstChunk = "ai.response.msToFirstChunk";
    /// <summary><c>ai.stream.msToFirstChunk</c>: time to the first chunk of <c>streamObject</c>, in milliseconds.</summary>
    public const string StreamMsToFirstChunk = "ai.stream.msToFirstChunk";
    /// <summary><c>ai.response.providerMetadata</c>: the provider's own usage details, JSON.</summary>
    public const string ResponseProviderMetadata = "ai.response.providerMetadata";
    /// <summary><c>ai.usage.promptTokens</c> (generate calls).</summary>
    public const string UsagePromptTokens = "ai.usage.promptTokens";
    /// <summary><c>ai.usage.completionTokens</c> (generate calls).</summary>
    public const string UsageCompletionTokens = "ai.usage.completionTokens";
    /// <summary><c>ai.usage.inputTokens</c> (stream calls).</summary>
    public const string UsageInputTokens = "ai.usage.inputTokens";
    /// <summary><c>ai.usage.outputTokens</c> (stream calls).</summary>
    public const string UsageOutputTokens = "ai.usage.outputTokens";
    /// <summary><c>ai.usage.totalTokens</c>.</summary>
    public const string UsageTotalTokens = "ai.usage.totalTokens";
    /// <summary><c>ai.usage.reasoningTokens</c>.</summary>
    public const string UsageReasoningTokens = "ai.usage.reasoningTokens";
    /// <summary><c>ai.usage.cachedInputTokens</c>.</summary>
    public const string UsageCachedInputTokens = "ai.usage.cachedInputTokens";
    /// <summary><c>ai.usage.tokens</c>: the input tokens of an embedding call.</summary>
    public const string UsageTokens = "ai.usage.tokens";
    /// <summary><c>ai.embeddings</c>: the vectors of <c>embedMany</c> and of every <c>doEmbed</c>.</summary>
    public const string Embeddings = "ai.embeddings";
    /// <summary><c>ai.embedding</c>: the vector of <c>embed</c>.</summary>
    public const string Embedding = "ai.embedding";
    /// <summary><c>ai.stream.firstChunk</c>: the span event of the first chunk, carrying <see cref="ResponseMsToFirstChunk"/>.</summary>
    public const string FirstChunkEvent = "ai.stream.firstChunk";

    /// <summary>Suffixes of <see cref="OperationId"/> that are one model call.</summary>
    public static class Calls
    {
        /// <summary><c>.doGenerate</c>: a non-streaming call of <c>generateText</c> or <c>generateObject</c>.</summary>
        public const string DoGenerate = ".doGenerate";
        /// <summary><c>.doStream</c>: a streaming call of <c>streamText</c> or <c>streamObject</c>.</summary>
        public const string DoStream = ".doStream";
        /// <summary><c>.doEmbed</c>: an embedding call of <c>embed</c> or <c>embedMany</c>.</summary>
        public const string DoEmbed = ".doEmbed";
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

    /// <summary>
    /// <c>otel_llm.usage.energy_wh</c>: the call's energy in watt-hours, when the application knows it (a self-hosted model
    /// it metered); it wins over the energy factors (<c>EnergySource = span</c>).
    /// </summary>
    public const string EnergyWh = "otel_llm.usage.energy_wh";

    /// <summary><c>otel_llm.cost_before</c>: on a re-priced revision, the cost it replaced (empty when the call had none).</summary>
    public const string CostBefore = "otel_llm.cost_before";

    /// <summary><c>otel_llm.raw.input_tokens</c>: the input count as reported, when cache tokens were counted apart and added to it.</summary>
    public const string RawInputTokens = "otel_llm.raw.input_tokens";

    /// <summary>Prefix of the application's own tags (<c>otel_llm.tag.team</c>).</summary>
    public const string TagPrefix = "otel_llm.tag.";
    /// <summary>
    /// <c>otel_llm.provider_inferred_from</c>: the model name a row's provider was inferred from, when nothing on the span
    /// named the provider (the provider the price data knows the model under).
    /// </summary>
    public const string ProviderInferredFrom = "otel_llm.provider_inferred_from";
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
    /// <summary><c>vercel_ai</c>: the Vercel AI SDK's built-in telemetry.</summary>
    public const string VercelAi = "vercel_ai";
    /// <summary><c>ingest_api</c>: sent to the HTTP API's bulk ingest (<c>POST /api/v1/ingest/llm</c>), not as OTLP.</summary>
    public const string IngestApi = "ingest_api";
}

/// <summary>The values of the <c>EnergySource</c> column: where a row's energy came from.</summary>
public static class EnergySources
{
    /// <summary>The span (or the ingest API's item) carried its own energy, which wins over the energy factors.</summary>
    public const string Span = "span";

    /// <summary>OtelLlm estimated the energy from the call's tokens with its energy factors.</summary>
    public const string Factors = "energy_factors";
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
