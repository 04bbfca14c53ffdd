using System.Text.Json;

namespace OtelLlm.Receiver.Api.Read;

/// <summary>An event recorded on a span.</summary>
/// <param name="TimeUnixNano">When, in nanoseconds since the Unix epoch (as text: it does not fit a JSON number).</param>
/// <param name="Name">Its name.</param>
/// <param name="Attributes">Its attributes as stored (a JSON object), or the stored text when it is not JSON.</param>
public sealed record SpanEvent(string TimeUnixNano, string Name, JsonElement? Attributes);

/// <summary>One span of a trace.</summary>
/// <param name="SpanId">Its id.</param>
/// <param name="ParentSpanId">Its parent's id; absent for a root.</param>
/// <param name="Name">The span name.</param>
/// <param name="Kind">Client, Server, Internal, Producer or Consumer.</param>
/// <param name="Service">The service that recorded it.</param>
/// <param name="StartTimeUnixNano">Start, in nanoseconds since the Unix epoch (as text).</param>
/// <param name="Start">Start as a UTC time.</param>
/// <param name="DurationMs">Duration in milliseconds.</param>
/// <param name="Status"><c>Unset</c>, <c>Ok</c> or <c>Error</c>.</param>
/// <param name="StatusMessage">The error message.</param>
/// <param name="Scope">The instrumentation scope's name.</param>
/// <param name="Attributes">Its attributes, as text.</param>
/// <param name="Resource">Its resource's attributes, as text.</param>
/// <param name="Events">Its events, in time order.</param>
/// <param name="IsLlmCall">Whether the span is a model call stored in <c>llm_calls</c> (open it with <c>GET /api/v1/calls/{traceId}/{spanId}</c>).</param>
public sealed record TraceSpan(
    string SpanId,
    string? ParentSpanId,
    string Name,
    string Kind,
    string Service,
    string StartTimeUnixNano,
    string Start,
    double DurationMs,
    string Status,
    string? StatusMessage,
    string? Scope,
    IReadOnlyDictionary<string, string> Attributes,
    IReadOnlyDictionary<string, string> Resource,
    IReadOnlyList<SpanEvent> Events,
    bool IsLlmCall);

/// <summary>A log record of the trace.</summary>
/// <param name="Time">When (UTC).</param>
/// <param name="SpanId">The span it was written under.</param>
/// <param name="Severity">Severity text (<c>INFO</c>, <c>ERROR</c>, …).</param>
/// <param name="SeverityNumber">OpenTelemetry severity number (1–24).</param>
/// <param name="Service">The service that wrote it.</param>
/// <param name="EventName">The event's name (GenAI content events have one).</param>
/// <param name="Body">The body as text.</param>
/// <param name="Attributes">Its attributes, as text.</param>
public sealed record TraceLog(string Time, string? SpanId, string? Severity, int SeverityNumber, string? Service, string? EventName, string Body, IReadOnlyDictionary<string, string> Attributes);

/// <summary>The answer of <c>GET /api/v1/traces/{traceId}</c>.</summary>
/// <param name="TraceId">The trace.</param>
/// <param name="Start">Start of its first span (UTC).</param>
/// <param name="DurationMs">From the first span's start to the last span's end.</param>
/// <param name="Spans">Every span, in start order.</param>
/// <param name="Calls">The model calls of the trace (summary columns), in start order.</param>
/// <param name="Logs">The trace's log records, in time order (up to 1,000).</param>
public sealed record TraceDetail(string TraceId, string Start, double DurationMs, IReadOnlyList<TraceSpan> Spans, IReadOnlyList<CallSummary> Calls, IReadOnlyList<TraceLog> Logs);
