namespace OtelLlm.Instrumentation;

/// <summary>
/// Keys read from <see cref="Microsoft.Extensions.AI.ChatOptions.AdditionalProperties"/> (and
/// <see cref="Microsoft.Extensions.AI.EmbeddingGenerationOptions.AdditionalProperties"/>) to attach context to one call.
/// They win over <see cref="OtelLlmContext"/>. Values are strings; <see cref="Tags"/> takes an
/// <c>IEnumerable&lt;KeyValuePair&lt;string, string&gt;&gt;</c>.
/// </summary>
public static class OtelLlmPropertyKeys
{
    /// <summary>The end user id, recorded as <c>user.id</c>.</summary>
    public const string UserId = "otel_llm.user_id";

    /// <summary>The session id, recorded as <c>session.id</c>.</summary>
    public const string SessionId = "otel_llm.session_id";

    /// <summary>The conversation id, recorded as <c>gen_ai.conversation.id</c> when <see cref="Microsoft.Extensions.AI.ChatOptions.ConversationId"/> is not set.</summary>
    public const string ConversationId = "otel_llm.conversation_id";

    /// <summary>The workload, recorded as <c>otel_llm.workload</c>.</summary>
    public const string Workload = "otel_llm.workload";

    /// <summary>Free tags, each recorded as <c>otel_llm.tag.&lt;key&gt;</c>.</summary>
    public const string Tags = "otel_llm.tags";

}
