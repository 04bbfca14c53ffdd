namespace OtelLlm.Receiver.Api.Read;

/// <summary>Totals of a conversation (session) or of an end user's calls.</summary>
/// <param name="Id">The session id (<c>gen_ai.conversation.id</c>) or user id.</param>
/// <param name="Calls">Model calls.</param>
/// <param name="Errors">Failed calls.</param>
/// <param name="InputTokens">Input tokens.</param>
/// <param name="OutputTokens">Output tokens.</param>
/// <param name="TotalTokens">All tokens.</param>
/// <param name="CostUsd">Cost in US dollars.</param>
/// <param name="DurationMs">Time spent in calls, in milliseconds (the sum of their durations).</param>
/// <param name="FirstCall">Start of the first call in the range (UTC).</param>
/// <param name="LastCall">Start of the last call in the range (UTC).</param>
/// <param name="Sessions">For a user: distinct sessions (a hash-based estimate above 65,536). For a session: absent.</param>
/// <param name="Users">For a session: its users (up to 10). For a user: absent.</param>
/// <param name="Models">The models used (up to 10; absent in the users list).</param>
public sealed record ConversationTotals(
    string Id,
    long Calls,
    long Errors,
    long InputTokens,
    long OutputTokens,
    long TotalTokens,
    double CostUsd,
    double DurationMs,
    string? FirstCall,
    string? LastCall,
    long? Sessions,
    IReadOnlyList<string>? Users,
    IReadOnlyList<string>? Models);

/// <summary>The answer of <c>GET /api/v1/sessions</c> and <c>GET /api/v1/users</c>.</summary>
/// <param name="Items">Sessions, latest activity first; users, highest cost first.</param>
/// <param name="Truncated">Whether more matched than were listed.</param>
public sealed record ConversationList(IReadOnlyList<ConversationTotals> Items, bool Truncated);

/// <summary>A call in a conversation, with the last user message and the answer as plain text.</summary>
/// <param name="Call">The call.</param>
/// <param name="Prompt">The text of the last user message sent (up to 2,000 characters), when content was captured.</param>
/// <param name="Answer">The text of the answer (up to 2,000 characters), when content was captured.</param>
public sealed record ConversationCall(CallSummary Call, string? Prompt, string? Answer);

/// <summary>The answer of <c>GET /api/v1/sessions/{id}</c> and <c>GET /api/v1/users/{id}</c>.</summary>
/// <param name="Totals">Totals over the range.</param>
/// <param name="Calls">The calls in the order they started (the first 1,000 for a session, the latest 1,000 for a user).</param>
/// <param name="Truncated">Whether the range holds more calls than listed.</param>
public sealed record ConversationDetail(ConversationTotals Totals, IReadOnlyList<ConversationCall> Calls, bool Truncated);
