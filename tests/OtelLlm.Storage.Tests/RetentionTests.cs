using OtelLlm.Storage.ClickHouse;
using OtelLlm.Storage.Retention;
using OtelLlm.Storage.Rows;
using OtelLlm.TestSupport;

namespace OtelLlm.Storage.Tests;

public sealed class RetentionTests(ClickHouseDatabase db) : IClassFixture<ClickHouseDatabase>
{
    private static readonly DateTimeOffset s_now = new(2026, 11, 22, 15, 0, 0, TimeSpan.Zero);

    [Fact]
    public async Task RunOnce_DropsExactlyTheDayPartitionsPastTheLimit()
    {
        // Days 0..40 before now, one span and one call each.
        using var w = new RowBinaryWriter();
        using var c = new RowBinaryWriter();
        for (var d = 0; d <= 40; d++)
        {
            var nano = (ulong)s_now.AddDays(-d).ToUnixTimeSeconds() * 1_000_000_000UL;
            new TraceRow { Project = "p", TraceId = "t" + d, SpanId = "s", StartTimeUnixNano = nano }.Write(w);
            new LlmCallRow { Project = "p", TraceId = "t" + d, SpanId = "s", StartTimeUnixNano = nano }.Write(c);
        }

        await db.Client.InsertRowBinaryAsync(TraceRow.Table, TraceRow.Columns, w.WrittenMemory, "seed spans");
        await db.Client.InsertRowBinaryAsync(LlmCallRow.Table, LlmCallRow.Columns, c.WrittenMemory, "seed calls");

        var dropped = await new RetentionJob(db.Client).RunOnceAsync(30, s_now);

        // Keep today and the 30 days before it (2026-10-23 .. 2026-11-22); drop 2026-10-13 .. 2026-10-22.
        var expectedDays = Enumerable.Range(31, 10).Select(d => s_now.AddDays(-d).ToString("yyyyMMdd", System.Globalization.CultureInfo.InvariantCulture)).ToHashSet();
        string[] tables = ["llm_calls", "llm_calls_1m", "llm_latency_1h", "llm_latency_1m", "llm_maxima_1h", "llm_users_1d", "otel_traces", "otel_traces_trace_id_ts"];
        Assert.Equal(tables.SelectMany(t => expectedDays.Select(d => t + "/" + d)).Order(), dropped.Order());
        Assert.Equal(31, await db.CountAsync("SELECT count() FROM otel_traces"));
        Assert.Equal(31, await db.CountAsync("SELECT count() FROM llm_calls"));
        Assert.Equal("20261023", await db.Client.ScalarAsync("SELECT min(toYYYYMMDD(Timestamp)) FROM otel_traces", "oldest day"));
    }

    [Fact]
    public async Task RunOnce_ZeroDays_KeepsEverything()
    {
        var dropped = await new RetentionJob(db.Client).RunOnceAsync(0, s_now.AddYears(50));

        Assert.Empty(dropped);
    }

    [Theory]
    [InlineData("20261022", true)]
    [InlineData("20261023", false)]
    [InlineData("202609", true)]
    [InlineData("202610", false)]
    [InlineData("tuple()", false)]
    [InlineData("'abc'", false)]
    public void IsExpired_ByPartitionShape(string partition, bool expired)
        => Assert.Equal(expired, RetentionJob.IsExpired(partition, new DateOnly(2026, 10, 23)));
}
