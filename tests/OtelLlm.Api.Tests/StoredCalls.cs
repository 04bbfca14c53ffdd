using OtelLlm.Storage.ClickHouse;
using OtelLlm.Storage.Rows;
using OtelLlm.TestSupport;

namespace OtelLlm.Api.Tests;

/// <summary>Calls written straight to <c>llm_calls</c> as the receiver writes them, to read back through the API.</summary>
public static class StoredCalls
{
    public static LlmCallRow Call(string project, DateTimeOffset start, string model, string workload = "", string service = "svc")
    {
        var nanos = (ulong)start.ToUnixTimeMilliseconds() * 1_000_000UL;
        return new LlmCallRow
        {
            Project = project,
            StartTimeUnixNano = nanos,
            Duration = 250_000_000,
            TraceId = Convert.ToHexStringLower(Guid.NewGuid().ToByteArray()),
            SpanId = Convert.ToHexStringLower(Guid.NewGuid().ToByteArray())[..16],
            ServiceName = service,
            Environment = "test",
            Operation = "chat",
            Provider = "openai",
            RequestModel = model,
            ResponseModel = model + "-2025",
            InputTokens = 100,
            OutputTokens = 50,
            TotalTokens = 150,
            CostUsd = 0.001,
            Workload = workload,
            ResponseId = "resp-" + Guid.NewGuid().ToString("N")[..10],
            StatusCode = "Ok",
            SourceFormat = "test",
        };
    }

    public static async Task InsertAsync(ClickHouseDatabase database, params LlmCallRow[] calls)
    {
        using var w = new RowBinaryWriter(4096);
        foreach (var c in calls)
        {
            c.Write(w);
        }

        await database.Client.InsertRowBinaryAsync(LlmCallRow.Table, LlmCallRow.Columns, w.WrittenMemory, "insert test calls");
    }
}
