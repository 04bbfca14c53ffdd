using OtelLlm.Storage.Rows;

namespace OtelLlm.Receiver.Pipeline;

/// <summary>The tables the receiver writes, as indexes into per-table arrays.</summary>
internal enum TableId
{
    Traces = 0,
    Logs = 1,
    Metrics = 2,
    LlmCalls = 3,
}

/// <summary>Name and insert columns of each <see cref="TableId"/>.</summary>
internal static class Tables
{
    public const int Count = 4;

    public static readonly string[] Names = [TraceRow.Table, LogRow.Table, MetricRow.Table, LlmCallRow.Table];

    public static readonly string[] Columns = [TraceRow.Columns, LogRow.Columns, MetricRow.Columns, LlmCallRow.Columns];
}
