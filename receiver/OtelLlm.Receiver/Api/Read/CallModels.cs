using System.Text.Json;

namespace OtelLlm.Receiver.Api.Read;

/// <summary>One model call as the calls table lists it (no content).</summary>
/// <param name="TraceId">Its trace (32 hex digits).</param>
/// <param name="SpanId">Its span (16 hex digits).</param>
/// <param name="ParentSpanId">The span it was called under, if any.</param>
/// <param name="Timestamp">When it started (UTC, to the microsecond).</param>
/// <param name="Project">Its project.</param>
/// <param name="Service">The service that made it.</param>
/// <param name="Environment">Its deployment environment.</param>
/// <param name="Operation">chat, text_completion, embeddings, …</param>
/// <param name="Provider">The provider (openai, anthropic, …).</param>
/// <param name="Model">The model asked for.</param>
/// <param name="ResponseModel">The model that answered.</param>
/// <param name="InputTokens">Input tokens, cache reads included.</param>
/// <param name="OutputTokens">Output tokens.</param>
/// <param name="CacheReadTokens">Input tokens read from cache.</param>
/// <param name="CacheWriteTokens">Input tokens written to cache.</param>
/// <param name="ReasoningTokens">Output tokens spent on reasoning.</param>
/// <param name="TotalTokens">All tokens.</param>
/// <param name="CostUsd">Cost in US dollars; <see langword="null"/> when the model has no price.</param>
/// <param name="EnergyWh">Estimated energy in watt-hours, when stored.</param>
/// <param name="Co2eGrams">Estimated grams of CO₂-equivalent of that energy, when stored.</param>
/// <param name="DurationMs">How long it took, in milliseconds.</param>
/// <param name="Streaming">Whether the answer was streamed.</param>
/// <param name="TimeToFirstTokenMs">Time to the first streamed token, in milliseconds.</param>
/// <param name="SessionId">The conversation (<c>gen_ai.conversation.id</c>).</param>
/// <param name="UserId">The end user.</param>
/// <param name="Workload">The workload (feature, use case).</param>
/// <param name="AgentName">The agent that made it.</param>
/// <param name="Status"><c>Ok</c>, <c>Error</c> or <c>Unset</c>.</param>
/// <param name="ErrorType">The error's type when it failed.</param>
/// <param name="SourceFormat">The instrumentation dialect it came from.</param>
public sealed record CallSummary(
    string TraceId,
    string SpanId,
    string? ParentSpanId,
    string Timestamp,
    string Project,
    string? Service,
    string? Environment,
    string? Operation,
    string? Provider,
    string Model,
    string? ResponseModel,
    long InputTokens,
    long OutputTokens,
    long CacheReadTokens,
    long CacheWriteTokens,
    long ReasoningTokens,
    long TotalTokens,
    double? CostUsd,
    double? EnergyWh,
    double? Co2eGrams,
    double DurationMs,
    bool Streaming,
    double? TimeToFirstTokenMs,
    string? SessionId,
    string? UserId,
    string? Workload,
    string? AgentName,
    string Status,
    string? ErrorType,
    string? SourceFormat);

/// <summary>The answer of <c>GET /api/v1/calls</c>: one page of calls.</summary>
/// <param name="Items">The calls, in the order asked for.</param>
/// <param name="NextCursor">Pass as <c>cursor</c> (with the same filters and sort) for the next page; absent on the last page.</param>
/// <param name="Sort">The sort key: <c>time</c>, <c>cost</c>, <c>duration</c> or <c>tokens</c>.</param>
/// <param name="Order"><c>desc</c> or <c>asc</c>.</param>
public sealed record CallPage(IReadOnlyList<CallSummary> Items, string? NextCursor, string Sort, string Order);

/// <summary>The request parameters of a call.</summary>
/// <param name="Temperature">Sampling temperature.</param>
/// <param name="TopP">Nucleus sampling.</param>
/// <param name="MaxTokens">Output token limit.</param>
/// <param name="FinishReasons">Why generation stopped, one per choice.</param>
/// <param name="ResponseId">The provider's response id.</param>
/// <param name="ServerAddress">The provider endpoint's host.</param>
public sealed record CallParameters(double? Temperature, double? TopP, long? MaxTokens, IReadOnlyList<string> FinishReasons, string? ResponseId, string? ServerAddress);

/// <summary>
/// What was asked and answered, in the OpenTelemetry GenAI message schema (arrays of <c>{"role","parts":[…]}</c>) as
/// stored; a value that is not valid JSON is given as a string. Absent when content capture was off.
/// </summary>
/// <param name="SystemInstructions">The system instructions.</param>
/// <param name="InputMessages">The conversation sent to the model.</param>
/// <param name="OutputMessages">The model's answer (one message per choice).</param>
/// <param name="ToolDefinitions">The tools the model was offered.</param>
public sealed record CallContent(JsonElement? SystemInstructions, JsonElement? InputMessages, JsonElement? OutputMessages, JsonElement? ToolDefinitions);

/// <summary>Feedback on a call.</summary>
/// <param name="Id">Its id.</param>
/// <param name="Timestamp">When it was received.</param>
/// <param name="Name">What is rated (<c>thumbs</c>, …).</param>
/// <param name="Value">The score (thumbs: 1 up, 0 down).</param>
/// <param name="StringValue">A categorical value.</param>
/// <param name="Comment">Free text.</param>
/// <param name="Source"><c>user</c>, <c>api</c> or <c>eval</c>.</param>
/// <param name="UserId">Who gave it.</param>
public sealed record CallFeedback(string Id, string Timestamp, string Name, double? Value, string? StringValue, string? Comment, string Source, string? UserId);

/// <summary>The answer of <c>GET /api/v1/calls/{traceId}/{spanId}</c>: every column of the call.</summary>
/// <param name="Call">The listed columns.</param>
/// <param name="Parameters">Request parameters and response details.</param>
/// <param name="Content">Prompt and answer.</param>
/// <param name="StatusMessage">The error message when it failed.</param>
/// <param name="CostSource">Where the cost came from (<c>instrumentation</c>, <c>price_table</c>, …).</param>
/// <param name="EnergySource">Where the energy came from: <c>span</c> (the application gave it) or <c>energy_factors</c> (estimated); absent without one.</param>
/// <param name="Attributes">Every other attribute of the span, as text.</param>
/// <param name="Revision">The stored revision shown (later revisions add content that arrived after the span).</param>
/// <param name="Feedback">Feedback on this call, oldest first.</param>
public sealed record CallDetail(
    CallSummary Call,
    CallParameters Parameters,
    CallContent Content,
    string? StatusMessage,
    string? CostSource,
    string? EnergySource,
    IReadOnlyDictionary<string, string> Attributes,
    long Revision,
    IReadOnlyList<CallFeedback> Feedback);
