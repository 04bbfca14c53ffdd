namespace OtelLlm.Receiver.Api.Feedback;

/// <summary>
/// One piece of feedback as <c>POST /api/v1/feedback</c> takes it (one object, or an array of them). Documents the
/// body for the OpenAPI document; the endpoint reads it field by field to report every error.
/// </summary>
/// <param name="TraceId">The trace of the call: 32 hex digits. Required.</param>
/// <param name="SpanId">The span of the call: 16 hex digits. Without it and <paramref name="ResponseId"/>, the feedback is about the trace's last call.</param>
/// <param name="ResponseId">The provider's response id (<c>gen_ai.response.id</c>), instead of <paramref name="SpanId"/>.</param>
/// <param name="Name">What is rated; default <c>thumbs</c>. Letters, digits, <c>_ . : -</c>, up to 128.</param>
/// <param name="Value">The score. For <c>thumbs</c> 1 (up) or 0 (down). Required unless <paramref name="StringValue"/> is given.</param>
/// <param name="StringValue">A categorical value (<c>correct</c>, <c>off-topic</c>), up to 1,000 characters.</param>
/// <param name="Comment">Free text, up to 10,000 characters.</param>
/// <param name="UserId">Who gave the feedback, up to 256 characters.</param>
/// <param name="Source"><c>user</c>, <c>api</c> (default) or <c>eval</c>.</param>
/// <param name="Id">Idempotency key, up to 128 characters: feedback with an id already stored in the project is not stored again.</param>
/// <param name="Metadata">String, number or boolean values to keep with it (up to 64).</param>
public sealed record FeedbackInput(
    string TraceId,
    string? SpanId,
    string? ResponseId,
    string? Name,
    double? Value,
    string? StringValue,
    string? Comment,
    string? UserId,
    string? Source,
    string? Id,
    IReadOnlyDictionary<string, string>? Metadata);

/// <summary>The answer to <c>POST /api/v1/feedback</c>.</summary>
/// <param name="Stored">Items stored now.</param>
/// <param name="Duplicates">Items whose <c>id</c> was stored before (or repeated in the request) and were not stored again.</param>
/// <param name="Ids">The id of every item, in request order (generated for items without one).</param>
public sealed record FeedbackAccepted(int Stored, int Duplicates, IReadOnlyList<string> Ids);

/// <summary>Stored feedback and the call it is about.</summary>
/// <param name="Id">Its id.</param>
/// <param name="Timestamp">When it was received (UTC).</param>
/// <param name="TraceId">The trace.</param>
/// <param name="SpanId">The span it named, if any.</param>
/// <param name="ResponseId">The response id it named, if any.</param>
/// <param name="Name">What was rated.</param>
/// <param name="Value">The score.</param>
/// <param name="StringValue">The categorical value.</param>
/// <param name="Comment">The comment.</param>
/// <param name="Source"><c>user</c>, <c>api</c> or <c>eval</c>.</param>
/// <param name="UserId">Who gave it.</param>
/// <param name="Metadata">Values kept with it.</param>
/// <param name="Call">The call it is about, when that call is stored (it may arrive after the feedback).</param>
public sealed record FeedbackItem(
    string Id,
    string Timestamp,
    string TraceId,
    string? SpanId,
    string? ResponseId,
    string Name,
    double? Value,
    string? StringValue,
    string? Comment,
    string Source,
    string? UserId,
    IReadOnlyDictionary<string, string>? Metadata,
    FeedbackCall? Call);

/// <summary>The call a piece of feedback is about, from <c>llm_calls</c>.</summary>
public sealed record FeedbackCall(
    string SpanId,
    string Timestamp,
    string Model,
    string? ResponseModel,
    string? Provider,
    string? Workload,
    string? Service,
    string? Environment,
    string? Operation,
    string Status,
    double? CostUsd,
    double DurationMs);

/// <summary>The answer to <c>GET /api/v1/feedback</c>: newest first.</summary>
/// <param name="Items">The feedback.</param>
/// <param name="Truncated">Whether more feedback matched than <c>limit</c>.</param>
public sealed record FeedbackPage(IReadOnlyList<FeedbackItem> Items, bool Truncated);

/// <summary>The answer to <c>GET /api/v1/feedback/summary</c>.</summary>
/// <param name="GroupBy"><c>model</c>, <c>workload</c> or <c>service</c>.</param>
/// <param name="Groups">One row per feedback name and group, most feedback first.</param>
public sealed record FeedbackSummary(string GroupBy, IReadOnlyList<FeedbackGroup> Groups);

/// <summary>Feedback of one name for one model, workload or service.</summary>
/// <param name="Name">The feedback name (<c>thumbs</c>, …).</param>
/// <param name="Key">The model, workload or service; empty when the call is unknown or has none.</param>
/// <param name="Count">Pieces of feedback.</param>
/// <param name="Mean">Mean value over those with a value.</param>
/// <param name="PositiveRate">Share of those with a value above <c>positiveAbove</c> (default 0: for thumbs, the share of thumbs up).</param>
public sealed record FeedbackGroup(string Name, string Key, long Count, double? Mean, double? PositiveRate);
