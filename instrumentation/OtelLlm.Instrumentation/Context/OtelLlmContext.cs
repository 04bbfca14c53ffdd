namespace OtelLlm.Instrumentation;

/// <summary>
/// An ambient scope that attaches a user, session, conversation, workload and free tags to every instrumented
/// LLM call made inside it, across <see langword="await"/>s (the scope flows with the <see cref="ExecutionContext"/>).
/// </summary>
/// <remarks>
/// Nested scopes inherit what they do not set; tags are merged, the inner value winning. Values set in
/// <see cref="Microsoft.Extensions.AI.ChatOptions.AdditionalProperties"/> (keys in <see cref="OtelLlmPropertyKeys"/>) win over the scope.
/// </remarks>
/// <example><code>
/// using (OtelLlmContext.Begin(userId: "u-42", conversationId: "c-7", workload: "support-bot"))
/// {
///     await chatClient.GetResponseAsync("Hello");
/// }
/// </code></example>
public static class OtelLlmContext
{
    private static readonly AsyncLocal<Frame?> s_current = new();

    /// <summary>Gets the user id of the current scope (recorded as <c>user.id</c>).</summary>
    public static string? UserId => s_current.Value?.UserId;

    /// <summary>Gets the session id of the current scope (recorded as <c>session.id</c>).</summary>
    public static string? SessionId => s_current.Value?.SessionId;

    /// <summary>Gets the conversation id of the current scope (recorded as <c>gen_ai.conversation.id</c>).</summary>
    public static string? ConversationId => s_current.Value?.ConversationId;

    /// <summary>Gets the workload of the current scope (recorded as <c>otel_llm.workload</c>).</summary>
    public static string? Workload => s_current.Value?.Workload;

    /// <summary>Gets the tags of the current scope (recorded as <c>otel_llm.tag.&lt;key&gt;</c>), or an empty list.</summary>
    public static IReadOnlyList<KeyValuePair<string, string>> Tags => s_current.Value?.Tags ?? [];

    internal static Frame? Current => s_current.Value;

    /// <summary>Starts a scope; dispose the result to end it.</summary>
    /// <param name="userId">The end user on whose behalf the calls are made; recorded as <c>user.id</c>.</param>
    /// <param name="sessionId">The user's session; recorded as <c>session.id</c>.</param>
    /// <param name="conversationId">The conversation (thread) the calls belong to; recorded as <c>gen_ai.conversation.id</c> unless the request carries one.</param>
    /// <param name="workload">The feature or job making the calls (e.g. <c>support-bot</c>); recorded as <c>otel_llm.workload</c>.</param>
    /// <param name="tags">Free key/value tags; each recorded as <c>otel_llm.tag.&lt;key&gt;</c>.</param>
    /// <returns>A handle that restores the previous scope when disposed.</returns>
    public static IDisposable Begin(
        string? userId = null,
        string? sessionId = null,
        string? conversationId = null,
        string? workload = null,
        IEnumerable<KeyValuePair<string, string>>? tags = null)
    {
        var parent = s_current.Value;
        var merged = MergeTags(parent?.Tags, tags);
        var frame = new Frame(
            userId ?? parent?.UserId,
            sessionId ?? parent?.SessionId,
            conversationId ?? parent?.ConversationId,
            workload ?? parent?.Workload,
            merged);
        s_current.Value = frame;
        return new Scope(parent, frame);
    }

    private static KeyValuePair<string, string>[] MergeTags(KeyValuePair<string, string>[]? parent, IEnumerable<KeyValuePair<string, string>>? tags)
    {
        if (tags is null)
        {
            return parent ?? [];
        }

        var list = parent is null ? new List<KeyValuePair<string, string>>() : new List<KeyValuePair<string, string>>(parent);
        foreach (var tag in tags)
        {
            if (string.IsNullOrEmpty(tag.Key))
            {
                continue;
            }

            var index = list.FindIndex(t => string.Equals(t.Key, tag.Key, StringComparison.Ordinal));
            if (index >= 0)
            {
                list[index] = tag;
            }
            else
            {
                list.Add(tag);
            }
        }

        return [.. list];
    }

    internal sealed record Frame(string? UserId, string? SessionId, string? ConversationId, string? Workload, KeyValuePair<string, string>[] Tags)
    {
        /// <summary>Gets the span attribute names of <see cref="Tags"/>, built once per scope rather than per call.</summary>
        public string[] TagAttributeNames { get; } = BuildNames(Tags);

        private static string[] BuildNames(KeyValuePair<string, string>[] tags)
        {
            var names = new string[tags.Length];
            for (var i = 0; i < tags.Length; i++)
            {
                names[i] = Semantics.OtelLlmNames.TagPrefix + tags[i].Key;
            }

            return names;
        }
    }

    private sealed class Scope(Frame? parent, Frame frame) : IDisposable
    {
        private bool _disposed;

        public void Dispose()
        {
            if (_disposed)
            {
                return;
            }

            _disposed = true;

            // Only restore when this scope is still the current one, so disposing out of order cannot resurrect a dead scope.
            if (ReferenceEquals(s_current.Value, frame))
            {
                s_current.Value = parent;
            }
        }
    }
}
