using OtelLlm.Storage.Rows;

namespace OtelLlm.Receiver.Normalization;

/// <summary>Copies of rows, for revisions that repeat a row with more content.</summary>
internal static class LlmCallRows
{
    /// <summary>The key of a row without content: most remembered rows, so it is built once, not per row.</summary>
    private const string NoContentKey = "\u0001\u0001\u0001";

    public static LlmCallRow Clone(LlmCallRow row)
    {
        var copy = new LlmCallRow
        {
            Project = row.Project,
            StartTimeUnixNano = row.StartTimeUnixNano,
            Duration = row.Duration,
            TraceId = row.TraceId,
            SpanId = row.SpanId,
            ParentSpanId = row.ParentSpanId,
            ServiceName = row.ServiceName,
            Environment = row.Environment,
            Operation = row.Operation,
            Provider = row.Provider,
            RequestModel = row.RequestModel,
            ResponseModel = row.ResponseModel,
            InputTokens = row.InputTokens,
            OutputTokens = row.OutputTokens,
            CacheReadTokens = row.CacheReadTokens,
            CacheWriteTokens = row.CacheWriteTokens,
            ReasoningTokens = row.ReasoningTokens,
            TotalTokens = row.TotalTokens,
            CostUsd = row.CostUsd,
            CostSource = row.CostSource,
            Streaming = row.Streaming,
            TimeToFirstTokenMs = row.TimeToFirstTokenMs,
            Temperature = row.Temperature,
            TopP = row.TopP,
            MaxTokens = row.MaxTokens,
            ResponseId = row.ResponseId,
            ConversationId = row.ConversationId,
            UserId = row.UserId,
            Workload = row.Workload,
            AgentName = row.AgentName,
            ServerAddress = row.ServerAddress,
            StatusCode = row.StatusCode,
            ErrorType = row.ErrorType,
            StatusMessage = row.StatusMessage,
            InputMessages = row.InputMessages,
            OutputMessages = row.OutputMessages,
            SystemInstructions = row.SystemInstructions,
            ToolDefinitions = row.ToolDefinitions,
            SourceFormat = row.SourceFormat,
            Revision = row.Revision,
        };
        copy.FinishReasons.AddRange(row.FinishReasons);
        var attributes = new KeyValueList(row.Attributes.Count + 2);
        attributes.Keys.AddRange(row.Attributes.Keys);
        attributes.Values.AddRange(row.Attributes.Values);
        copy.Attributes = attributes;
        return copy;
    }

    /// <summary>The content columns together, to tell whether a revision would change anything.</summary>
    public static string ContentKey(LlmCallRow row) =>
        row.InputMessages.Length == 0 && row.OutputMessages.Length == 0 && row.SystemInstructions.Length == 0 && row.ToolDefinitions.Length == 0
            ? NoContentKey
            : string.Concat(row.InputMessages, "\u0001", row.OutputMessages, "\u0001", row.SystemInstructions, "\u0001", row.ToolDefinitions);
}
