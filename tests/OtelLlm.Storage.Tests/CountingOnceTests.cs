using OtelLlm.Storage.ClickHouse;
using OtelLlm.Storage.Rows;
using OtelLlm.TestSupport;

namespace OtelLlm.Storage.Tests;

/// <summary>A record delivered twice counts once under the documented pattern: read with FINAL.</summary>
public sealed class CountingOnceTests(ClickHouseDatabase db) : IClassFixture<ClickHouseDatabase>
{
    [Fact]
    public async Task SpanWrittenTwice_CountsOnceWithFinal()
    {
        var id = Guid.NewGuid().ToString("N");
        var span = new TraceRow { Project = "p", TraceId = id, SpanId = "a1", SpanName = "chat m", ServiceName = "s", StartTimeUnixNano = 1_763_800_000_000_000_000, EndTimeUnixNano = 1_763_800_001_000_000_000 };

        // A background merge may collapse the two copies at any moment, before the first count; none runs meanwhile.
        await db.Client.ExecuteAsync($"SYSTEM STOP MERGES {db.Name}.otel_traces", "hold merges");
        try
        {
            await WriteAsync(TraceRow.Table, TraceRow.Columns, span.Write);
            await WriteAsync(TraceRow.Table, TraceRow.Columns, span.Write);

            Assert.Equal(2, await db.CountAsync($"SELECT count() FROM otel_traces WHERE TraceId = '{id}'"));
            Assert.Equal(1, await db.CountAsync($"SELECT count() FROM otel_traces FINAL WHERE TraceId = '{id}'"));
        }
        finally
        {
            await db.Client.ExecuteAsync($"SYSTEM START MERGES {db.Name}.otel_traces", "resume merges");
        }
    }

    [Fact]
    public async Task LlmCallWrittenTwiceAndRevised_FinalKeepsOneRowWithNewestRevision()
    {
        var id = Guid.NewGuid().ToString("N");
        var call = new LlmCallRow { Project = "p", TraceId = id, SpanId = "b2", StartTimeUnixNano = 1_763_800_000_000_000_000, InputTokens = 10, CostUsd = 0.5 };
        await WriteAsync(LlmCallRow.Table, LlmCallRow.Columns, call.Write);
        await WriteAsync(LlmCallRow.Table, LlmCallRow.Columns, call.Write);
        call.Revision = 1;
        call.InputMessages = "[{\"role\":\"user\",\"parts\":[]}]";
        await WriteAsync(LlmCallRow.Table, LlmCallRow.Columns, call.Write);

        var rows = await db.QueryAsync($"SELECT count(), sum(InputTokens), sum(CostUsd), any(InputMessages) FROM llm_calls FINAL WHERE TraceId = '{id}'");

        Assert.Equal(["1", "10", "0.5", call.InputMessages], rows[0]);
    }

    [Fact]
    public async Task SpanWrittenTwice_CountsOnceAfterMerge()
    {
        var id = Guid.NewGuid().ToString("N");
        var span = new TraceRow { Project = "p", TraceId = id, SpanId = "c3", StartTimeUnixNano = 1_763_800_000_000_000_000 };
        await WriteAsync(TraceRow.Table, TraceRow.Columns, span.Write);
        await WriteAsync(TraceRow.Table, TraceRow.Columns, span.Write);

        // OPTIMIZE does nothing, without an error, while a background merge holds one of the parts; ask until it merged.
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(60);
        while (true)
        {
            await db.Client.ExecuteAsync("OPTIMIZE TABLE otel_traces FINAL", "merge");
            var count = await db.CountAsync($"SELECT count() FROM otel_traces WHERE TraceId = '{id}'");
            if (count == 1 || DateTime.UtcNow > deadline)
            {
                Assert.Equal(1, count);
                return;
            }

            await Task.Delay(200);
        }
    }

    private async Task WriteAsync(string table, string columns, Action<RowBinaryWriter> write)
    {
        using var w = new RowBinaryWriter();
        write(w);
        await db.Client.InsertRowBinaryAsync(table, columns, w.WrittenMemory, "write");
    }
}
