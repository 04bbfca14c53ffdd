using OtelLlm.Storage.ClickHouse;

namespace OtelLlm.Storage.Rows;

/// <summary>One model call, whatever instrumentation produced it, as stored in <c>llm_calls</c>.</summary>
public sealed class LlmCallRow
{
    /// <summary>The insert column list, in the order <see cref="Write"/> writes them.</summary>
    public const string Columns =
        "Project, Timestamp, StartTimeUnixNano, Duration, TraceId, SpanId, ParentSpanId, ServiceName, Environment, Operation, Provider, " +
        "RequestModel, ResponseModel, InputTokens, OutputTokens, CacheReadTokens, CacheWriteTokens, ReasoningTokens, TotalTokens, CostUsd, CostSource, " +
        "EnergyWh, Co2eGrams, EnergySource, " +
        "Streaming, TimeToFirstTokenMs, Temperature, TopP, MaxTokens, FinishReasons, ResponseId, ConversationId, UserId, Workload, AgentName, ServerAddress, " +
        "StatusCode, ErrorType, StatusMessage, InputMessages, OutputMessages, SystemInstructions, ToolDefinitions, SourceFormat, " +
        "Attributes.Key, Attributes.Value, Revision";

    /// <summary>The table name.</summary>
    public const string Table = "llm_calls";

#pragma warning disable CS1591 // Column properties are documented by the schema section of docs/storage.md.
    public string Project { get; set; } = string.Empty;
    public ulong StartTimeUnixNano { get; set; }
    public ulong Duration { get; set; }
    public string TraceId { get; set; } = string.Empty;
    public string SpanId { get; set; } = string.Empty;
    public string ParentSpanId { get; set; } = string.Empty;
    public string ServiceName { get; set; } = string.Empty;
    public string Environment { get; set; } = string.Empty;
    public string Operation { get; set; } = string.Empty;
    public string Provider { get; set; } = string.Empty;
    public string RequestModel { get; set; } = string.Empty;
    public string ResponseModel { get; set; } = string.Empty;
    public ulong InputTokens { get; set; }
    public ulong OutputTokens { get; set; }
    public ulong CacheReadTokens { get; set; }
    public ulong CacheWriteTokens { get; set; }
    public ulong ReasoningTokens { get; set; }
    public ulong TotalTokens { get; set; }
    public double? CostUsd { get; set; }
    public string CostSource { get; set; } = string.Empty;
    public double? EnergyWh { get; set; }
    public double? Co2eGrams { get; set; }
    public string EnergySource { get; set; } = string.Empty;
    public bool Streaming { get; set; }
    public double? TimeToFirstTokenMs { get; set; }
    public double? Temperature { get; set; }
    public double? TopP { get; set; }
    public ulong? MaxTokens { get; set; }
    public List<string> FinishReasons { get; private set; } = [];
    public string ResponseId { get; set; } = string.Empty;
    public string ConversationId { get; set; } = string.Empty;
    public string UserId { get; set; } = string.Empty;
    public string Workload { get; set; } = string.Empty;
    public string AgentName { get; set; } = string.Empty;
    public string ServerAddress { get; set; } = string.Empty;
    public string StatusCode { get; set; } = "Unset";
    public string ErrorType { get; set; } = string.Empty;
    public string StatusMessage { get; set; } = string.Empty;
    public string InputMessages { get; set; } = string.Empty;
    public string OutputMessages { get; set; } = string.Empty;
    public string SystemInstructions { get; set; } = string.Empty;
    public string ToolDefinitions { get; set; } = string.Empty;
    public string SourceFormat { get; set; } = string.Empty;
    public KeyValueList Attributes { get; set; } = KeyValueList.Empty;
    public uint Revision { get; set; }
#pragma warning restore CS1591

    /// <summary>
    /// A copy of the row for a revision of it: every column copied, lists included (the copy shares no list with this
    /// row), with room for <paramref name="extraAttributes"/> more attributes.
    /// </summary>
    public LlmCallRow Copy(int extraAttributes = 0)
    {
        var copy = (LlmCallRow)MemberwiseClone();
        copy.FinishReasons = [.. FinishReasons];
        var attributes = new KeyValueList(Attributes.Count + extraAttributes);
        attributes.Keys.AddRange(Attributes.Keys);
        attributes.Values.AddRange(Attributes.Values);
        copy.Attributes = attributes;
        return copy;
    }

    /// <summary>Writes the row in <see cref="Columns"/> order.</summary>
    public void Write(RowBinaryWriter w)
    {
        ArgumentNullException.ThrowIfNull(w);
        w.WriteString(Project);
        w.WriteDateTimeFromUnixNano(StartTimeUnixNano);
        w.WriteUInt64(StartTimeUnixNano);
        w.WriteUInt64(Duration);
        w.WriteString(TraceId);
        w.WriteString(SpanId);
        w.WriteString(ParentSpanId);
        w.WriteString(ServiceName);
        w.WriteString(Environment);
        w.WriteString(Operation);
        w.WriteString(Provider);
        w.WriteString(RequestModel);
        w.WriteString(ResponseModel);
        w.WriteUInt64(InputTokens);
        w.WriteUInt64(OutputTokens);
        w.WriteUInt64(CacheReadTokens);
        w.WriteUInt64(CacheWriteTokens);
        w.WriteUInt64(ReasoningTokens);
        w.WriteUInt64(TotalTokens);
        w.WriteNullableFloat64(CostUsd);
        w.WriteString(CostSource);
        w.WriteNullableFloat64(EnergyWh);
        w.WriteNullableFloat64(Co2eGrams);
        w.WriteString(EnergySource);
        w.WriteBool(Streaming);
        w.WriteNullableFloat64(TimeToFirstTokenMs);
        w.WriteNullableFloat64(Temperature);
        w.WriteNullableFloat64(TopP);
        w.WriteNullableUInt64(MaxTokens);
        w.WriteStringArray(FinishReasons);
        w.WriteString(ResponseId);
        w.WriteString(ConversationId);
        w.WriteString(UserId);
        w.WriteString(Workload);
        w.WriteString(AgentName);
        w.WriteString(ServerAddress);
        w.WriteString(StatusCode);
        w.WriteString(ErrorType);
        w.WriteString(StatusMessage);
        w.WriteString(InputMessages);
        w.WriteString(OutputMessages);
        w.WriteString(SystemInstructions);
        w.WriteString(ToolDefinitions);
        w.WriteString(SourceFormat);
        w.WriteStringArray(Attributes.Keys);
        w.WriteStringArray(Attributes.Values);
        w.WriteUInt32(Revision);
    }
}
