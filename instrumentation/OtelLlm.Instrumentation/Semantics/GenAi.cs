namespace OtelLlm.Instrumentation.Semantics;

/// <summary>GenAI semantic-convention names (v1.41.0), one constant per name, shaped like the spec's namespaces.</summary>
internal static class GenAi
{
    public const string SchemaUrl = "https://opentelemetry.io/schemas/1.41.0";

    public static class Operation
    {
        public const string Name = "gen_ai.operation.name";
        public const string Chat = "chat";
        public const string Embeddings = "embeddings";
        public const string ExecuteTool = "execute_tool";
    }

    public static class Provider
    {
        public const string Name = "gen_ai.provider.name";
    }

    public const string ConversationId = "gen_ai.conversation.id";
    public const string OutputType = "gen_ai.output.type";
    public const string InputMessages = "gen_ai.input.messages";
    public const string OutputMessages = "gen_ai.output.messages";
    public const string SystemInstructions = "gen_ai.system_instructions";
    public const string ToolDefinitions = "gen_ai.tool.definitions";

    public static class Request
    {
        public const string Model = "gen_ai.request.model";
        public const string Temperature = "gen_ai.request.temperature";
        public const string TopP = "gen_ai.request.top_p";
        public const string TopK = "gen_ai.request.top_k";
        public const string MaxTokens = "gen_ai.request.max_tokens";
        public const string StopSequences = "gen_ai.request.stop_sequences";
        public const string Seed = "gen_ai.request.seed";
        public const string FrequencyPenalty = "gen_ai.request.frequency_penalty";
        public const string PresencePenalty = "gen_ai.request.presence_penalty";
        public const string Stream = "gen_ai.request.stream";
        public const string EncodingFormats = "gen_ai.request.encoding_formats";
    }

    public static class Response
    {
        public const string Id = "gen_ai.response.id";
        public const string Model = "gen_ai.response.model";
        public const string FinishReasons = "gen_ai.response.finish_reasons";
        public const string TimeToFirstChunk = "gen_ai.response.time_to_first_chunk";
    }

    public static class Usage
    {
        public const string InputTokens = "gen_ai.usage.input_tokens";
        public const string OutputTokens = "gen_ai.usage.output_tokens";
        public const string CacheReadInputTokens = "gen_ai.usage.cache_read.input_tokens";
        public const string CacheCreationInputTokens = "gen_ai.usage.cache_creation.input_tokens";
        public const string ReasoningOutputTokens = "gen_ai.usage.reasoning.output_tokens";

        /// <summary>Cost in US dollars; not in the semantic conventions, the name OpenLIT uses.</summary>
        public const string Cost = "gen_ai.usage.cost";
    }

    public static class Embeddings
    {
        public const string DimensionCount = "gen_ai.embeddings.dimension.count";
    }

    public static class Tool
    {
        public const string Name = "gen_ai.tool.name";
        public const string Description = "gen_ai.tool.description";
        public const string Type = "gen_ai.tool.type";
        public const string CallId = "gen_ai.tool.call.id";
        public const string CallArguments = "gen_ai.tool.call.arguments";
        public const string CallResult = "gen_ai.tool.call.result";
        public const string TypeFunction = "function";
    }

    public static class Token
    {
        public const string Type = "gen_ai.token.type";
        public const string Input = "input";
        public const string Output = "output";
    }

    public static class Client
    {
        public static class TokenUsage
        {
            public const string Name = "gen_ai.client.token.usage";
            public const string Unit = "{token}";
            public const string Description = "Number of input and output tokens used.";
            public static readonly IReadOnlyList<long> Buckets = [1, 4, 16, 64, 256, 1024, 4096, 16384, 65536, 262144, 1048576, 4194304, 16777216, 67108864];
        }

        public static class OperationDuration
        {
            public const string Name = "gen_ai.client.operation.duration";
            public const string Unit = "s";
            public const string Description = "GenAI operation duration.";
            public static readonly IReadOnlyList<double> Buckets = [0.01, 0.02, 0.04, 0.08, 0.16, 0.32, 0.64, 1.28, 2.56, 5.12, 10.24, 20.48, 40.96, 81.92];
        }

        public static class TimeToFirstChunk
        {
            public const string Name = "gen_ai.client.operation.time_to_first_chunk";
            public const string Unit = "s";
            public const string Description = "Time from the start of a streaming request until the first chunk arrives.";
        }
    }
}

/// <summary>General semantic-convention names used next to the GenAI ones.</summary>
internal static class Semconv
{
    public const string ServerAddress = "server.address";
    public const string ServerPort = "server.port";
    public const string ErrorType = "error.type";
    public const string UserId = "user.id";
    public const string SessionId = "session.id";
}

/// <summary>OtelLlm's own attribute names, for what the semantic conventions do not cover.</summary>
internal static class OtelLlmNames
{
    public const string Workload = "otel_llm.workload";
    public const string TagPrefix = "otel_llm.tag.";

    public static class Cost
    {
        public const string Name = "otel_llm.client.cost";
        public const string Unit = "USD";
        public const string Description = "Cost of GenAI calls in US dollars, from the model price table.";
    }
}
