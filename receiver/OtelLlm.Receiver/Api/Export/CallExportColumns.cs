namespace OtelLlm.Receiver.Api.Export;

/// <summary>How an exported column's text from ClickHouse is written.</summary>
internal enum ExportKind
{
    /// <summary>Text.</summary>
    Text,

    /// <summary>A whole number.</summary>
    Integer,

    /// <summary>A number (may be NULL).</summary>
    Number,

    /// <summary>0 or 1, written as false/true.</summary>
    Boolean,

    /// <summary>Nanoseconds since the epoch, written as an ISO 8601 UTC time with milliseconds.</summary>
    UnixNanos,

    /// <summary>Nanoseconds, written as milliseconds.</summary>
    NanosAsMillis,

    /// <summary>Strings joined by <see cref="CallExportColumns.ListSeparator"/>: a JSON array (in CSV, the JSON text).</summary>
    List,

    /// <summary>Keys and values, each joined by <see cref="CallExportColumns.ListSeparator"/> and the two by a tab-free pair: a JSON object.</summary>
    Map,

    /// <summary>JSON text: embedded as JSON (in CSV, the text); empty is null.</summary>
    Json,
}

/// <summary>One column of <c>GET /api/v1/export/calls</c>: its name in the export, the SQL that reads it, and how it is written.</summary>
internal sealed record ExportColumn(string Name, string Sql, ExportKind Kind, string Description, bool Content = false);

/// <summary>The columns of the calls export, in order (documented in docs/api.md; the CSV header is their names).</summary>
internal static class CallExportColumns
{
    /// <summary>Separates list items in one TabSeparated field (the ASCII record separator, which no model name, finish reason or attribute key contains).</summary>
    public const char ListSeparator = '\u001e';

    private const string Separator = "'\\x1E'";

    public static readonly ExportColumn[] All =
    [
        new("timestamp", "StartTimeUnixNano", ExportKind.UnixNanos, "when the call started (UTC, ms)"),
        new("traceId", "TraceId", ExportKind.Text, "W3C trace id"),
        new("spanId", "SpanId", ExportKind.Text, "the call's span id"),
        new("parentSpanId", "ParentSpanId", ExportKind.Text, "its parent span"),
        new("project", "Project", ExportKind.Text, "project"),
        new("service", "ServiceName", ExportKind.Text, "service.name"),
        new("environment", "Environment", ExportKind.Text, "deployment environment"),
        new("operation", "Operation", ExportKind.Text, "chat, embeddings, …"),
        new("provider", "Provider", ExportKind.Text, "gen_ai.provider.name"),
        new("requestModel", "RequestModel", ExportKind.Text, "model asked for"),
        new("responseModel", "ResponseModel", ExportKind.Text, "model that answered"),
        new("durationMs", "Duration", ExportKind.NanosAsMillis, "duration"),
        new("timeToFirstTokenMs", "TimeToFirstTokenMs", ExportKind.Number, "streaming: time to the first token"),
        new("streaming", "Streaming", ExportKind.Boolean, "whether the answer was streamed"),
        new("inputTokens", "InputTokens", ExportKind.Integer, "input tokens (cache included)"),
        new("outputTokens", "OutputTokens", ExportKind.Integer, "output tokens (reasoning included)"),
        new("cacheReadTokens", "CacheReadTokens", ExportKind.Integer, "input tokens read from the prompt cache"),
        new("cacheWriteTokens", "CacheWriteTokens", ExportKind.Integer, "input tokens written to the prompt cache"),
        new("reasoningTokens", "ReasoningTokens", ExportKind.Integer, "output tokens spent reasoning"),
        new("totalTokens", "TotalTokens", ExportKind.Integer, "all tokens"),
        new("costUsd", "CostUsd", ExportKind.Number, "cost in US dollars (empty: unknown price)"),
        new("costSource", "CostSource", ExportKind.Text, "span (the app reported it) or price_table"),
        new("energyWh", "EnergyWh", ExportKind.Number, "estimated energy in watt-hours (empty: no estimate)"),
        new("co2eGrams", "Co2eGrams", ExportKind.Number, "estimated grams of CO2e of that energy"),
        new("energySource", "EnergySource", ExportKind.Text, "span (the app reported it) or energy_factors"),
        new("status", "if(StatusCode = 'Error', 'error', 'ok')", ExportKind.Text, "ok or error"),
        new("errorType", "ErrorType", ExportKind.Text, "error.type"),
        new("statusMessage", "StatusMessage", ExportKind.Text, "the error's message"),
        new("finishReasons", $"arrayStringConcat(FinishReasons, {Separator})", ExportKind.List, "why generation stopped"),
        new("responseId", "ResponseId", ExportKind.Text, "the provider's response id"),
        new("sessionId", "ConversationId", ExportKind.Text, "conversation / session id"),
        new("userId", "UserId", ExportKind.Text, "end user"),
        new("workload", "Workload", ExportKind.Text, "workload (feature) name"),
        new("agentName", "AgentName", ExportKind.Text, "agent name"),
        new("temperature", "Temperature", ExportKind.Number, "request temperature"),
        new("topP", "TopP", ExportKind.Number, "request top_p"),
        new("maxTokens", "MaxTokens", ExportKind.Number, "request max tokens"),
        new("sourceFormat", "SourceFormat", ExportKind.Text, "which instrumentation dialect it came from"),
        new("attributes", $"concat(arrayStringConcat(Attributes.Key, {Separator}), '\\t', arrayStringConcat(Attributes.Value, {Separator}))", ExportKind.Map, "every other attribute (JSON object)"),
        new("systemInstructions", "SystemInstructions", ExportKind.Json, "system instructions (OTel GenAI JSON)", Content: true),
        new("inputMessages", "InputMessages", ExportKind.Json, "input messages (OTel GenAI JSON)", Content: true),
        new("outputMessages", "OutputMessages", ExportKind.Json, "output messages (OTel GenAI JSON)", Content: true),
        new("toolDefinitions", "ToolDefinitions", ExportKind.Json, "tool definitions (JSON)", Content: true),
    ];

    public static ExportColumn[] For(bool content) => content ? All : [.. All.Where(c => !c.Content)];
}
