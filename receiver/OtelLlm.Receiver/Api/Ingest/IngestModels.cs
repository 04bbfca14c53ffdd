namespace OtelLlm.Receiver.Api.Ingest;

// These records document the ingest bodies in the OpenAPI document; the endpoints read the JSON field by field to
// report every error (the JSON Schemas in schemas/ingest/ say the same). Property names are the JSON names in camelCase.

/// <summary>A batch of LLM calls. A single call object without <c>items</c> is accepted too.</summary>
/// <param name="Items">The calls.</param>
public sealed record IngestLlmBatch(IReadOnlyList<IngestLlmCall> Items);

/// <summary>One LLM call.</summary>
/// <param name="Model">The requested model. Required.</param>
/// <param name="Timestamp">When the call started: ISO 8601 with an offset, or Unix milliseconds. Default: now minus <paramref name="DurationMs"/>.</param>
/// <param name="DurationMs">How long it took, in milliseconds. Default 0.</param>
/// <param name="Provider">The provider (<c>openai</c>, <c>anthropic</c>, …); normalized like OTLP provider names.</param>
/// <param name="ResponseModel">The model that answered. Default: <paramref name="Model"/>.</param>
/// <param name="Operation">Default <c>chat</c>.</param>
/// <param name="Input">The prompt: a string, an OpenAI-style message or an array of them (system messages become the system instructions).</param>
/// <param name="Output">The answer: a string, a message or an array of messages.</param>
/// <param name="Tools">Tool definitions, OpenAI style.</param>
/// <param name="Usage">Token counts.</param>
/// <param name="CostUsd">The call's cost; when absent the call is priced from the price table.</param>
/// <param name="EnergyWh">The call's energy in watt-hours, when the application knows it; when absent it is estimated from the energy factors.</param>
/// <param name="Status"><c>ok</c> (default) or <c>error</c>.</param>
/// <param name="ErrorType">The error's type, with status <c>error</c>.</param>
/// <param name="ErrorMessage">The error's message, with status <c>error</c>.</param>
/// <param name="UserId">The end user.</param>
/// <param name="SessionId">The conversation or session.</param>
/// <param name="Workload">What the call was for (a feature, an agent, a pipeline step).</param>
/// <param name="Service">The calling service.</param>
/// <param name="Environment">The deployment environment.</param>
/// <param name="TraceId">32 hex digits, to join a trace of your own; generated when absent.</param>
/// <param name="SpanId">16 hex digits; generated when absent. The same trace and span id sent twice is stored once.</param>
/// <param name="ParentSpanId">16 hex digits.</param>
/// <param name="ResponseId">The provider's response id.</param>
/// <param name="Streaming">Whether the answer was streamed.</param>
/// <param name="TimeToFirstTokenMs">Time to the first streamed token, in milliseconds.</param>
/// <param name="FinishReasons">Why generation stopped (<c>stop</c>, <c>length</c>, …).</param>
/// <param name="Metadata">String, number or boolean values (up to 128), kept as attributes.</param>
public sealed record IngestLlmCall(
    string Model,
    string? Timestamp,
    double? DurationMs,
    string? Provider,
    string? ResponseModel,
    string? Operation,
    System.Text.Json.JsonElement? Input,
    System.Text.Json.JsonElement? Output,
    System.Text.Json.JsonElement? Tools,
    IngestUsage? Usage,
    double? CostUsd,
    double? EnergyWh,
    string? Status,
    string? ErrorType,
    string? ErrorMessage,
    string? UserId,
    string? SessionId,
    string? Workload,
    string? Service,
    string? Environment,
    string? TraceId,
    string? SpanId,
    string? ParentSpanId,
    string? ResponseId,
    bool? Streaming,
    double? TimeToFirstTokenMs,
    IReadOnlyList<string>? FinishReasons,
    IReadOnlyDictionary<string, string>? Metadata);

/// <summary>Token counts of a call; each 0 when absent.</summary>
public sealed record IngestUsage(long? InputTokens, long? OutputTokens, long? CacheReadTokens, long? CacheWriteTokens, long? ReasoningTokens);

/// <summary>A batch of log records. A single record without <c>items</c> is accepted too.</summary>
/// <param name="Items">The records.</param>
public sealed record IngestLogBatch(IReadOnlyList<IngestLog> Items);

/// <summary>One log record.</summary>
/// <param name="Message">The text. Required.</param>
/// <param name="Timestamp">ISO 8601 with an offset, or Unix milliseconds. Default now.</param>
/// <param name="Level"><c>trace</c>, <c>debug</c>, <c>info</c> (default), <c>warn</c>, <c>error</c>, <c>fatal</c>.</param>
/// <param name="EventName">An event name.</param>
/// <param name="Service">The service.</param>
/// <param name="Environment">The deployment environment.</param>
/// <param name="TraceId">32 hex digits, to link the record to a trace.</param>
/// <param name="SpanId">16 hex digits (with <paramref name="TraceId"/>).</param>
/// <param name="Attributes">String, number or boolean values.</param>
public sealed record IngestLog(string Message, string? Timestamp, string? Level, string? EventName, string? Service, string? Environment, string? TraceId, string? SpanId, IReadOnlyDictionary<string, string>? Attributes);

/// <summary>A batch of metric points. A single point without <c>items</c> is accepted too.</summary>
/// <param name="Items">The points.</param>
public sealed record IngestMetricBatch(IReadOnlyList<IngestMetric> Items);

/// <summary>One metric point.</summary>
/// <param name="Name">The metric. Required.</param>
/// <param name="Kind"><c>gauge</c> (a current value), <c>counter</c> (an increment, stored as a delta sum) or <c>histogram</c>. Required.</param>
/// <param name="Value">The gauge value or counter increment (or one histogram observation).</param>
/// <param name="Values">Histogram observations.</param>
/// <param name="Bounds">Histogram bucket bounds, increasing; default OpenTelemetry's.</param>
/// <param name="Unit">The unit (<c>ms</c>, <c>By</c>, <c>{request}</c>).</param>
/// <param name="Description">What it measures.</param>
/// <param name="Timestamp">ISO 8601 with an offset, or Unix milliseconds. Default now.</param>
/// <param name="Service">The service.</param>
/// <param name="Environment">The deployment environment.</param>
/// <param name="Attributes">String, number or boolean values.</param>
public sealed record IngestMetric(string Name, string Kind, double? Value, IReadOnlyList<double>? Values, IReadOnlyList<double>? Bounds, string? Unit, string? Description, string? Timestamp, string? Service, string? Environment, IReadOnlyDictionary<string, string>? Attributes);
