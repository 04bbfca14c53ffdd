namespace OtelLlm.LoadGen.Payloads;

/// <summary>The attribute names the generated spans carry (GenAI semantic conventions 1.37 and general ones).</summary>
internal static class SemconvNames
{
    public static class GenAi
    {
        public const string OperationName = "gen_ai.operation.name";
        public const string ProviderName = "gen_ai.provider.name";
        public const string ConversationId = "gen_ai.conversation.id";
        public const string AgentName = "gen_ai.agent.name";
        public const string InputMessages = "gen_ai.input.messages";
        public const string OutputMessages = "gen_ai.output.messages";
        public const string SystemInstructions = "gen_ai.system_instructions";

        public static class Request
        {
            public const string Model = "gen_ai.request.model";
            public const string Temperature = "gen_ai.request.temperature";
            public const string TopP = "gen_ai.request.top_p";
            public const string MaxTokens = "gen_ai.request.max_tokens";
        }

        public static class Response
        {
            public const string Id = "gen_ai.response.id";
            public const string Model = "gen_ai.response.model";
            public const string FinishReasons = "gen_ai.response.finish_reasons";
        }

        public static class Usage
        {
            public const string InputTokens = "gen_ai.usage.input_tokens";
            public const string OutputTokens = "gen_ai.usage.output_tokens";
        }

        public static class Operations
        {
            public const string Chat = "chat";
            public const string InvokeAgent = "invoke_agent";
        }
    }

    public const string ServiceName = "service.name";
    public const string ServiceVersion = "service.version";
    public const string DeploymentEnvironment = "deployment.environment.name";
    public const string SdkName = "telemetry.sdk.name";
    public const string SdkLanguage = "telemetry.sdk.language";
    public const string SdkVersion = "telemetry.sdk.version";
    public const string ServerAddress = "server.address";
    public const string ServerPort = "server.port";
    public const string ErrorType = "error.type";
    public const string UserId = "user.id";
}
