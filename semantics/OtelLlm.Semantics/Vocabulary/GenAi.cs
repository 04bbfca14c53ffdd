namespace OtelLlm.Semantics;

/// <summary>
/// GenAI semantic-convention names (v1.41.0), one constant per name, nested like the spec's namespaces
/// (<c>GenAi.Usage.InputTokens</c> is <c>gen_ai.usage.input_tokens</c>). Names older or newer versions used, and
/// that instrumentations still send, sit beside the current one with a note saying which.
/// </summary>
public static class GenAi
{
    /// <summary>The semantic-convention schema these names follow.</summary>
    public const string SchemaUrl = "https://opentelemetry.io/schemas/1.41.0";

    /// <summary>The namespace every GenAI attribute name starts with.</summary>
    public const string Prefix = "gen_ai.";

    /// <summary><c>gen_ai.system</c>: the provider's name up to v1.36, replaced by <see cref="Provider.Name"/>.</summary>
    public const string System = "gen_ai.system";

    /// <summary><c>gen_ai.conversation.id</c>.</summary>
    public const string ConversationId = "gen_ai.conversation.id";

    /// <summary><c>gen_ai.output.type</c>.</summary>
    public const string OutputType = "gen_ai.output.type";

    /// <summary><c>gen_ai.input.messages</c> (v1.37+), JSON in the GenAI message schema.</summary>
    public const string InputMessages = "gen_ai.input.messages";

    /// <summary><c>gen_ai.output.messages</c> (v1.37+), JSON in the GenAI message schema.</summary>
    public const string OutputMessages = "gen_ai.output.messages";

    /// <summary><c>gen_ai.system_instructions</c> (v1.37+).</summary>
    public const string SystemInstructions = "gen_ai.system_instructions";

    /// <summary><c>gen_ai.tool.definitions</c>.</summary>
    public const string ToolDefinitions = "gen_ai.tool.definitions";

    /// <summary>Indexed prompt attributes of OpenLLMetry's legacy format (<c>gen_ai.prompt.0.content</c>).</summary>
    public const string PromptPrefix = "gen_ai.prompt.";

    /// <summary>Indexed completion attributes of OpenLLMetry's legacy format (<c>gen_ai.completion.0.content</c>).</summary>
    public const string CompletionPrefix = "gen_ai.completion.";

    /// <summary>v1.26–1.27 span-event content: the prompt as one JSON string.</summary>
    public const string Prompt = "gen_ai.prompt";

    /// <summary>v1.26–1.27 span-event content: the completion as one JSON string.</summary>
    public const string Completion = "gen_ai.completion";

    /// <summary><c>gen_ai.operation.*</c>.</summary>
    public static class Operation
    {
        /// <summary><c>gen_ai.operation.name</c>.</summary>
        public const string Name = "gen_ai.operation.name";

        /// <summary>Operation <c>chat</c>.</summary>
        public const string Chat = "chat";

        /// <summary>Operation <c>text_completion</c>.</summary>
        public const string TextCompletion = "text_completion";

        /// <summary>Operation <c>generate_content</c>.</summary>
        public const string GenerateContent = "generate_content";

        /// <summary>Operation <c>embeddings</c>.</summary>
        public const string Embeddings = "embeddings";

        /// <summary>Operation <c>invoke_agent</c>.</summary>
        public const string InvokeAgent = "invoke_agent";

        /// <summary>Operation <c>execute_tool</c>.</summary>
        public const string ExecuteTool = "execute_tool";
    }

    /// <summary><c>gen_ai.provider.*</c>; the values are in <see cref="ProviderNames"/>.</summary>
    public static class Provider
    {
        /// <summary><c>gen_ai.provider.name</c> (v1.37+; <see cref="GenAi.System"/> before).</summary>
        public const string Name = "gen_ai.provider.name";
    }

    /// <summary><c>gen_ai.agent.*</c>.</summary>
    public static class Agent
    {
        /// <summary><c>gen_ai.agent.name</c>.</summary>
        public const string Name = "gen_ai.agent.name";
    }

    /// <summary><c>gen_ai.request.*</c>.</summary>
    public static class Request
    {
        /// <summary><c>gen_ai.request.model</c>.</summary>
        public const string Model = "gen_ai.request.model";

        /// <summary><c>gen_ai.request.temperature</c>.</summary>
        public const string Temperature = "gen_ai.request.temperature";

        /// <summary><c>gen_ai.request.top_p</c>.</summary>
        public const string TopP = "gen_ai.request.top_p";

        /// <summary><c>gen_ai.request.top_k</c>.</summary>
        public const string TopK = "gen_ai.request.top_k";

        /// <summary><c>gen_ai.request.max_tokens</c>.</summary>
        public const string MaxTokens = "gen_ai.request.max_tokens";

        /// <summary><c>gen_ai.request.stop_sequences</c>.</summary>
        public const string StopSequences = "gen_ai.request.stop_sequences";

        /// <summary><c>gen_ai.request.seed</c>.</summary>
        public const string Seed = "gen_ai.request.seed";

        /// <summary><c>gen_ai.request.frequency_penalty</c>.</summary>
        public const string FrequencyPenalty = "gen_ai.request.frequency_penalty";

        /// <summary><c>gen_ai.request.presence_penalty</c>.</summary>
        public const string PresencePenalty = "gen_ai.request.presence_penalty";

        /// <summary><c>gen_ai.request.stream</c>.</summary>
        public const string Stream = "gen_ai.request.stream";

        /// <summary><c>gen_ai.request.encoding_formats</c>.</summary>
        public const string EncodingFormats = "gen_ai.request.encoding_formats";

        /// <summary><c>gen_ai.request.user</c>, which some instrumentations send for the end user.</summary>
        public const string User = "gen_ai.request.user";
    }

    /// <summary><c>gen_ai.response.*</c>.</summary>
    public static class Response
    {
        /// <summary><c>gen_ai.response.id</c>.</summary>
        public const string Id = "gen_ai.response.id";

        /// <summary><c>gen_ai.response.model</c>.</summary>
        public const string Model = "gen_ai.response.model";

        /// <summary><c>gen_ai.response.finish_reasons</c>.</summary>
        public const string FinishReasons = "gen_ai.response.finish_reasons";

        /// <summary><c>gen_ai.response.finish_reason</c>: a single reason, as some instrumentations send it.</summary>
        public const string FinishReason = "gen_ai.response.finish_reason";

        /// <summary><c>gen_ai.response.time_to_first_chunk</c>.</summary>
        public const string TimeToFirstChunk = "gen_ai.response.time_to_first_chunk";
    }

    /// <summary><c>gen_ai.usage.*</c>: token counts, with the names older versions and other instrumentations use.</summary>
    public static class Usage
    {
        /// <summary><c>gen_ai.usage.input_tokens</c>: all input tokens, cache reads and writes included.</summary>
        public const string InputTokens = "gen_ai.usage.input_tokens";

        /// <summary><c>gen_ai.usage.output_tokens</c>: all output tokens, reasoning included.</summary>
        public const string OutputTokens = "gen_ai.usage.output_tokens";

        /// <summary><c>gen_ai.usage.prompt_tokens</c> (before v1.27).</summary>
        public const string PromptTokens = "gen_ai.usage.prompt_tokens";

        /// <summary><c>gen_ai.usage.completion_tokens</c> (before v1.27).</summary>
        public const string CompletionTokens = "gen_ai.usage.completion_tokens";

        /// <summary><c>gen_ai.usage.cache_read.input_tokens</c>.</summary>
        public const string CacheReadInputTokens = "gen_ai.usage.cache_read.input_tokens";

        /// <summary><c>gen_ai.usage.cache_read_input_tokens</c> (OpenLLMetry).</summary>
        public const string CacheReadInputTokensUnderscore = "gen_ai.usage.cache_read_input_tokens";

        /// <summary><c>gen_ai.usage.prompt_tokens_details.cached_tokens</c>.</summary>
        public const string PromptCachedTokens = "gen_ai.usage.prompt_tokens_details.cached_tokens";

        /// <summary><c>gen_ai.usage.cache_write.input_tokens</c>.</summary>
        public const string CacheWriteInputTokens = "gen_ai.usage.cache_write.input_tokens";

        /// <summary><c>gen_ai.usage.cache_creation.input_tokens</c>.</summary>
        public const string CacheCreationInputTokens = "gen_ai.usage.cache_creation.input_tokens";

        /// <summary><c>gen_ai.usage.cache_creation_input_tokens</c> (OpenLLMetry).</summary>
        public const string CacheCreationInputTokensUnderscore = "gen_ai.usage.cache_creation_input_tokens";

        /// <summary><c>gen_ai.usage.prompt_tokens_details.cache_creation_tokens</c>.</summary>
        public const string PromptCacheCreationTokens = "gen_ai.usage.prompt_tokens_details.cache_creation_tokens";

        /// <summary><c>gen_ai.usage.reasoning.output_tokens</c>.</summary>
        public const string ReasoningOutputTokens = "gen_ai.usage.reasoning.output_tokens";

        /// <summary><c>gen_ai.usage.reasoning_tokens</c>.</summary>
        public const string ReasoningTokens = "gen_ai.usage.reasoning_tokens";

        /// <summary><c>gen_ai.usage.completion_tokens_details.reasoning_tokens</c>.</summary>
        public const string CompletionReasoningTokens = "gen_ai.usage.completion_tokens_details.reasoning_tokens";

        /// <summary><c>gen_ai.usage.total_tokens</c>.</summary>
        public const string TotalTokens = "gen_ai.usage.total_tokens";

        /// <summary><c>gen_ai.usage.audio.input_tokens</c> (semantic-conventions-genai): the audio part of input.</summary>
        public const string AudioInputTokens = "gen_ai.usage.audio.input_tokens";

        /// <summary><c>gen_ai.usage.audio.cache_read.input_tokens</c> (semantic-conventions-genai): the audio part of cache reads.</summary>
        public const string AudioCacheReadInputTokens = "gen_ai.usage.audio.cache_read.input_tokens";

        /// <summary><c>gen_ai.usage.audio.output_tokens</c> (semantic-conventions-genai): the audio part of output.</summary>
        public const string AudioOutputTokens = "gen_ai.usage.audio.output_tokens";

        /// <summary><c>gen_ai.usage.image.input_tokens</c> (semantic-conventions-genai): the image part of input.</summary>
        public const string ImageInputTokens = "gen_ai.usage.image.input_tokens";

        /// <summary><c>gen_ai.usage.image.output_tokens</c> (semantic-conventions-genai): the image part of output.</summary>
        public const string ImageOutputTokens = "gen_ai.usage.image.output_tokens";

        /// <summary><c>gen_ai.usage.input_audio_tokens</c> (Microsoft.Extensions.AI): the audio part of input.</summary>
        public const string InputAudioTokens = "gen_ai.usage.input_audio_tokens";

        /// <summary><c>gen_ai.usage.output_audio_tokens</c> (Microsoft.Extensions.AI): the audio part of output.</summary>
        public const string OutputAudioTokens = "gen_ai.usage.output_audio_tokens";

        /// <summary>Cost in US dollars; not in the semantic conventions, the name OpenLIT uses.</summary>
        public const string Cost = "gen_ai.usage.cost";

        /// <summary><c>gen_ai.usage.total_cost</c>, a cost some instrumentations send.</summary>
        public const string TotalCost = "gen_ai.usage.total_cost";

        /// <summary><c>gen_ai.usage.total_cost_usd</c>, a cost some instrumentations send.</summary>
        public const string TotalCostUsd = "gen_ai.usage.total_cost_usd";
    }

    /// <summary><c>gen_ai.embeddings.*</c>.</summary>
    public static class Embeddings
    {
        /// <summary><c>gen_ai.embeddings.dimension.count</c>.</summary>
        public const string DimensionCount = "gen_ai.embeddings.dimension.count";
    }

    /// <summary><c>gen_ai.tool.*</c>.</summary>
    public static class Tool
    {
        /// <summary><c>gen_ai.tool.name</c>.</summary>
        public const string Name = "gen_ai.tool.name";

        /// <summary><c>gen_ai.tool.description</c>.</summary>
        public const string Description = "gen_ai.tool.description";

        /// <summary><c>gen_ai.tool.type</c>.</summary>
        public const string Type = "gen_ai.tool.type";

        /// <summary><c>gen_ai.tool.call.id</c>.</summary>
        public const string CallId = "gen_ai.tool.call.id";

        /// <summary><c>gen_ai.tool.call.arguments</c>.</summary>
        public const string CallArguments = "gen_ai.tool.call.arguments";

        /// <summary><c>gen_ai.tool.call.result</c>.</summary>
        public const string CallResult = "gen_ai.tool.call.result";

        /// <summary>Tool type <c>function</c>.</summary>
        public const string TypeFunction = "function";
    }

    /// <summary><c>gen_ai.token.*</c>.</summary>
    public static class Token
    {
        /// <summary><c>gen_ai.token.type</c>.</summary>
        public const string Type = "gen_ai.token.type";

        /// <summary>Token type <c>input</c>.</summary>
        public const string Input = "input";

        /// <summary>Token type <c>output</c>.</summary>
        public const string Output = "output";
    }

    /// <summary>Log-record and span-event names that carry content.</summary>
    public static class Events
    {
        /// <summary><c>gen_ai.system.message</c> (up to v1.36).</summary>
        public const string SystemMessage = "gen_ai.system.message";

        /// <summary><c>gen_ai.user.message</c> (up to v1.36).</summary>
        public const string UserMessage = "gen_ai.user.message";

        /// <summary><c>gen_ai.assistant.message</c> (up to v1.36).</summary>
        public const string AssistantMessage = "gen_ai.assistant.message";

        /// <summary><c>gen_ai.tool.message</c> (up to v1.36).</summary>
        public const string ToolMessage = "gen_ai.tool.message";

        /// <summary><c>gen_ai.choice</c> (up to v1.36).</summary>
        public const string Choice = "gen_ai.choice";

        /// <summary><c>gen_ai.client.inference.operation.details</c> (v1.37+).</summary>
        public const string OperationDetails = "gen_ai.client.inference.operation.details";

        /// <summary><c>gen_ai.content.prompt</c> (v1.26–1.27 span event).</summary>
        public const string ContentPrompt = "gen_ai.content.prompt";

        /// <summary><c>gen_ai.content.completion</c> (v1.26–1.27 span event).</summary>
        public const string ContentCompletion = "gen_ai.content.completion";

        /// <summary>Some emitters put a JSON body of a span event under this attribute.</summary>
        public const string EventContent = "gen_ai.event.content";
    }

    /// <summary>GenAI client metrics.</summary>
    public static class Client
    {
        /// <summary><c>gen_ai.client.token.usage</c>.</summary>
        public static class TokenUsage
        {
            /// <summary>The instrument name.</summary>
            public const string Name = "gen_ai.client.token.usage";

            /// <summary>The unit.</summary>
            public const string Unit = "{token}";

            /// <summary>The description.</summary>
            public const string Description = "Number of input and output tokens used.";

            /// <summary>The explicit bucket boundaries the spec advises.</summary>
            public static readonly IReadOnlyList<long> Buckets = [1, 4, 16, 64, 256, 1024, 4096, 16384, 65536, 262144, 1048576, 4194304, 16777216, 67108864];
        }

        /// <summary><c>gen_ai.client.operation.duration</c>.</summary>
        public static class OperationDuration
        {
            /// <summary>The instrument name.</summary>
            public const string Name = "gen_ai.client.operation.duration";

            /// <summary>The unit.</summary>
            public const string Unit = "s";

            /// <summary>The description.</summary>
            public const string Description = "GenAI operation duration.";

            /// <summary>The explicit bucket boundaries the spec advises.</summary>
            public static readonly IReadOnlyList<double> Buckets = [0.01, 0.02, 0.04, 0.08, 0.16, 0.32, 0.64, 1.28, 2.56, 5.12, 10.24, 20.48, 40.96, 81.92];
        }

        /// <summary><c>gen_ai.client.operation.time_to_first_chunk</c>.</summary>
        public static class TimeToFirstChunk
        {
            /// <summary>The instrument name.</summary>
            public const string Name = "gen_ai.client.operation.time_to_first_chunk";

            /// <summary>The unit.</summary>
            public const string Unit = "s";

            /// <summary>The description.</summary>
            public const string Description = "Time from the start of a streaming request until the first chunk arrives.";
        }
    }
}

/// <summary>General OpenTelemetry semantic-convention names used around GenAI spans.</summary>
public static class Otel
{
    /// <summary><c>service.name</c>.</summary>
    public const string ServiceName = "service.name";

    /// <summary><c>deployment.environment.name</c>.</summary>
    public const string DeploymentEnvironmentName = "deployment.environment.name";

    /// <summary><c>deployment.environment</c> (before <see cref="DeploymentEnvironmentName"/>).</summary>
    public const string DeploymentEnvironment = "deployment.environment";

    /// <summary><c>server.address</c>.</summary>
    public const string ServerAddress = "server.address";

    /// <summary><c>server.port</c>.</summary>
    public const string ServerPort = "server.port";

    /// <summary><c>error.type</c>.</summary>
    public const string ErrorType = "error.type";

    /// <summary><c>event.name</c>.</summary>
    public const string EventName = "event.name";

    /// <summary>The span event name of a recorded exception.</summary>
    public const string ExceptionEvent = "exception";

    /// <summary><c>exception.type</c>.</summary>
    public const string ExceptionType = "exception.type";

    /// <summary><c>exception.message</c>.</summary>
    public const string ExceptionMessage = "exception.message";

    /// <summary><c>user.id</c>.</summary>
    public const string UserId = "user.id";

    /// <summary><c>enduser.id</c>.</summary>
    public const string EndUserId = "enduser.id";

    /// <summary><c>session.id</c>.</summary>
    public const string SessionId = "session.id";

    /// <summary><c>service.version</c>.</summary>
    public const string ServiceVersion = "service.version";

    /// <summary><c>telemetry.sdk.name</c>.</summary>
    public const string TelemetrySdkName = "telemetry.sdk.name";

    /// <summary><c>telemetry.sdk.language</c>.</summary>
    public const string TelemetrySdkLanguage = "telemetry.sdk.language";

    /// <summary><c>telemetry.sdk.version</c>.</summary>
    public const string TelemetrySdkVersion = "telemetry.sdk.version";
}
