using System.Globalization;
using OtelLlm.Storage.ClickHouse;
using OtelLlm.Storage.Rows;
using OtelLlm.TestSupport;

namespace OtelLlm.Storage.Tests;

/// <summary>Every table round-trips every column: written as RowBinary, read back as text, compared field by field.</summary>
public sealed class RowRoundTripTests(ClickHouseDatabase db) : IClassFixture<ClickHouseDatabase>
{
    private static readonly string s_mebibyte = new('x', 1024 * 1024);
    private const string Unicode = "héllo 日本 😀 𝄞 'q' \"d\" \\ \t\n\0 end";
    private const ulong MaxNano = 4_102_444_800UL * 1_000_000_000UL; // 2100-01-01: within every server's DateTime range

    [Fact]
    public async Task TraceRow_EdgeValues_ReadBackEqual()
    {
        var id = Guid.NewGuid().ToString("N");
        var big = Attrs(1000);
        var row = new TraceRow
        {
            Project = "p-" + id,
            StartTimeUnixNano = MaxNano,
            EndTimeUnixNano = MaxNano + 999_999_999,
            TraceId = id,
            SpanId = s_mebibyte,
            ParentSpanId = string.Empty,
            TraceState = Unicode,
            TraceFlags = uint.MaxValue,
            SpanName = "chat gpt-4o",
            SpanKind = "Client",
            ServiceName = Unicode,
            ResourceSchemaUrl = "https://opentelemetry.io/schemas/1.37.0",
            ResourceAttributes = big,
            ScopeName = "scope",
            ScopeVersion = "1.0",
            ScopeSchemaUrl = string.Empty,
            SpanAttributes = Attrs(0),
            StatusCode = "Error",
            StatusMessage = Unicode,
            DroppedAttributesCount = 0,
            DroppedEventsCount = uint.MaxValue,
            DroppedLinksCount = 7,
        };
        row.EventTimes.AddRange([0UL, ulong.MaxValue]);
        row.EventNames.AddRange(["e1", Unicode]);
        row.EventAttributes.AddRange(["{}", "{\"k\":[1,2]}"]);
        row.LinkTraceIds.Add("t");
        row.LinkSpanIds.Add("s");
        row.LinkTraceStates.Add(string.Empty);
        row.LinkAttributes.Add("{}");

        await InsertAsync(TraceRow.Table, TraceRow.Columns, row.Write);

        var got = await ReadAsync(TraceRow.Table, TraceRow.Columns, $"TraceId = '{id}'");
        Assert.Equal(
            [
                row.Project, "2100-01-01 00:00:00", U(MaxNano), U(MaxNano + 999_999_999), "999999999", id, s_mebibyte, "", Unicode, U(uint.MaxValue),
                "chat gpt-4o", "Client", Unicode, "https://opentelemetry.io/schemas/1.37.0", Arr(big.Keys), Arr(big.Values), "scope", "1.0", "",
                "[]", "[]", "Error", Unicode, $"[0,{ulong.MaxValue}]", Arr(["e1", Unicode]), Arr(["{}", "{\"k\":[1,2]}"]),
                "[t]", "[s]", "[]", "[{}]", "0", U(uint.MaxValue), "7",
            ],
            got);
    }

    [Fact]
    public async Task LogRow_EdgeValues_ReadBackEqual()
    {
        var id = Guid.NewGuid().ToString("N");
        var row = new LogRow
        {
            Project = "p",
            TimeUnixNano = 0,
            ObservedTimeUnixNano = 1_700_000_000_123_456_789,
            TraceId = id,
            SpanId = "00f067aa0ba902b7",
            TraceFlags = 1,
            SeverityText = "INFO",
            SeverityNumber = int.MinValue,
            ServiceName = "svc",
            Body = s_mebibyte + Unicode,
            EventName = "gen_ai.user.message",
            ResourceAttributes = Attrs(3),
            ScopeAttributes = Attrs(1),
            LogAttributes = Attrs(2),
            DroppedAttributesCount = 1,
            RecordHash = ulong.MaxValue,
        };

        await InsertAsync(LogRow.Table, LogRow.Columns, row.Write);

        var got = await ReadAsync(LogRow.Table, LogRow.Columns, $"TraceId = '{id}'");
        Assert.Equal(
            [
                "p", "2023-11-14 22:13:20", "0", "1700000000123456789", id, "00f067aa0ba902b7", "1", "INFO", I(int.MinValue), "svc", s_mebibyte + Unicode,
                "gen_ai.user.message", "", Arr(row.ResourceAttributes.Keys), Arr(row.ResourceAttributes.Values), "", "", "",
                Arr(row.ScopeAttributes.Keys), Arr(row.ScopeAttributes.Values), Arr(row.LogAttributes.Keys), Arr(row.LogAttributes.Values), "1", U(ulong.MaxValue),
            ],
            got);
    }

    [Fact]
    public async Task MetricRow_EveryPointShape_ReadBackEqual()
    {
        var name = "m." + Guid.NewGuid().ToString("N");
        var row = new MetricRow
        {
            Project = "p",
            TimeUnixNano = 1_700_000_000_000_000_000,
            StartTimeUnixNano = 1,
            ServiceName = "svc",
            MetricName = name,
            MetricDescription = Unicode,
            MetricUnit = "{token}",
            MetricType = "ExponentialHistogram",
            AggregationTemporality = "Delta",
            IsMonotonic = true,
            Attributes = Attrs(2),
            Value = 0,
            Count = ulong.MaxValue,
            Sum = 1.5,
            Min = null,
            Max = -2.25,
            Scale = -3,
            ZeroCount = 4,
            ZeroThreshold = 1e-9,
            PositiveOffset = int.MinValue,
            NegativeOffset = int.MaxValue,
            Flags = 1,
            SeriesHash = 42,
        };
        row.BucketCounts.AddRange(Enumerable.Range(0, 10_000).Select(i => (ulong)i));
        row.ExplicitBounds.AddRange([0.5, 1e300, -0.0]);
        row.PositiveBucketCounts.AddRange([1, 2]);
        row.QuantileQuantiles.AddRange([0.5, 0.99]);
        row.QuantileValues.AddRange([10, 20.5]);
        row.ExemplarTimes.Add(5);
        row.ExemplarValues.Add(0.25);
        row.ExemplarTraceIds.Add("t");
        row.ExemplarSpanIds.Add("s");
        row.ExemplarFilteredAttributes.Add("{\"a\":\"b\"}");

        await InsertAsync(MetricRow.Table, MetricRow.Columns, row.Write);

        var got = await ReadAsync(MetricRow.Table, MetricRow.Columns, $"MetricName = '{name}'");
        Assert.Equal(
            [
                "p", "2023-11-14 22:13:20", "1700000000000000000", "1", "svc", name, Unicode, "{token}", "ExponentialHistogram", "Delta", "1", "",
                "[]", "[]", "", "", "", Arr(row.Attributes.Keys), Arr(row.Attributes.Values), "0", U(ulong.MaxValue), "1.5", TabSeparated.Null, "-2.25",
                "[" + string.Join(',', Enumerable.Range(0, 10_000)) + "]", "[0.5,1e300,-0]", "-3", "4", "1e-9", I(int.MinValue), "[1,2]", I(int.MaxValue), "[]",
                "[0.5,0.99]", "[10,20.5]", "[5]", "[0.25]", "[t]", "[s]", "[{\"a\":\"b\"}]", "1", "42",
            ],
            got);
    }

    [Fact]
    public async Task LlmCallRow_AllColumnsAndNulls_ReadBackEqual()
    {
        var id = Guid.NewGuid().ToString("N");
        var row = new LlmCallRow
        {
            Project = "p",
            StartTimeUnixNano = 1_763_800_000_500_000_000,
            Duration = ulong.MaxValue,
            TraceId = id,
            SpanId = "b7ad6b7169203331",
            ParentSpanId = "00f067aa0ba902b7",
            ServiceName = "svc",
            Environment = "prod",
            Operation = "chat",
            Provider = "openai",
            RequestModel = "gpt-4o",
            ResponseModel = "gpt-4o-2024-08-06",
            InputTokens = 0,
            OutputTokens = ulong.MaxValue,
            CacheReadTokens = 3,
            CacheWriteTokens = 4,
            ReasoningTokens = 5,
            TotalTokens = 6,
            CostUsd = 0.000123,
            CostSource = "price_table",
            EnergyWh = 1.3176,
            Co2eGrams = null,
            EnergySource = "energy_factors",
            Streaming = true,
            TimeToFirstTokenMs = null,
            Temperature = 0.7,
            TopP = null,
            MaxTokens = ulong.MaxValue,
            ResponseId = "chatcmpl-1",
            ConversationId = "conv",
            UserId = Unicode,
            Workload = "support-bot",
            AgentName = "",
            ServerAddress = "api.openai.com",
            StatusCode = "Error",
            ErrorType = "429",
            StatusMessage = "rate limited",
            InputMessages = "[{\"role\":\"user\",\"parts\":[{\"type\":\"text\",\"content\":\"" + s_mebibyte + "\"}]}]",
            OutputMessages = "[]",
            SystemInstructions = Unicode,
            ToolDefinitions = "",
            SourceFormat = "otel_genai_v1_37",
            Attributes = Attrs(5),
            Revision = uint.MaxValue,
        };
        row.FinishReasons.AddRange(["stop", "tool_call"]);

        await InsertAsync(LlmCallRow.Table, LlmCallRow.Columns, row.Write);

        var got = await ReadAsync(LlmCallRow.Table, LlmCallRow.Columns, $"TraceId = '{id}'");
        Assert.Equal(
            [
                "p", "2025-11-22 08:26:40", "1763800000500000000", U(ulong.MaxValue), id, "b7ad6b7169203331", "00f067aa0ba902b7", "svc", "prod", "chat", "openai",
                "gpt-4o", "gpt-4o-2024-08-06", "0", U(ulong.MaxValue), "3", "4", "5", "6", "0.000123", "price_table",
                "1.3176", TabSeparated.Null, "energy_factors",
                "1", TabSeparated.Null, "0.7", TabSeparated.Null, U(ulong.MaxValue), "[stop,tool_call]", "chatcmpl-1", "conv", Unicode, "support-bot", "", "api.openai.com",
                "Error", "429", "rate limited", row.InputMessages, "[]", Unicode, "", "otel_genai_v1_37",
                Arr(row.Attributes.Keys), Arr(row.Attributes.Values), U(uint.MaxValue),
            ],
            got);
    }

    [Fact]
    public async Task FeedbackRow_AllColumns_ReadBackEqual()
    {
        var id = Guid.NewGuid().ToString("N");
        var row = new FeedbackRow
        {
            Project = "p",
            TimeUnixSeconds = 1_763_800_000,
            FeedbackId = id,
            TraceId = "t",
            SpanId = "s",
            ResponseId = "chatcmpl-1",
            Name = "thumbs",
            Value = null,
            StringValue = "down",
            Comment = Unicode,
            Source = "user",
            UserId = "u1",
            Attributes = Attrs(1),
        };

        await InsertAsync(FeedbackRow.Table, FeedbackRow.Columns, row.Write);

        var got = await ReadAsync(FeedbackRow.Table, FeedbackRow.Columns, $"FeedbackId = '{id}'");
        Assert.Equal(
            ["p", "2025-11-22 08:26:40", id, "t", "s", "chatcmpl-1", "thumbs", TabSeparated.Null, "down", Unicode, "user", "u1", Arr(row.Attributes.Keys), Arr(row.Attributes.Values)],
            got);
    }

    private async Task InsertAsync(string table, string columns, Action<RowBinaryWriter> write)
    {
        using var w = new RowBinaryWriter(256);
        write(w);
        await db.Client.InsertRowBinaryAsync(table, columns, w.WrittenMemory, $"write a test row to {table}");
    }

    private async Task<string[]> ReadAsync(string table, string columns, string where)
    {
        // JSONEachRow keeps arrays and NULL apart from strings; each value becomes comparable text.
        var rows = await db.Client.QueryJsonAsync($"SELECT {columns} FROM {table} WHERE {where}", "read back");
        return [.. Assert.Single(rows).EnumerateObject().Select(p => Text(p.Value))];
    }

    private static KeyValueList Attrs(int n)
    {
        var list = new KeyValueList();
        for (var i = 0; i < n; i++)
        {
            list.Add($"key.{i}", i % 2 == 0 ? Unicode : i.ToString(CultureInfo.InvariantCulture));
        }

        return list;
    }

    private static string U(ulong v) => v.ToString(CultureInfo.InvariantCulture);

    private static string I(int v) => v.ToString(CultureInfo.InvariantCulture);

    private static string Arr(IEnumerable<string> items) => "[" + string.Join(',', items) + "]";

    private static string Text(System.Text.Json.JsonElement v) => v.ValueKind switch
    {
        System.Text.Json.JsonValueKind.Null => TabSeparated.Null,
        System.Text.Json.JsonValueKind.String => v.GetString()!,
        System.Text.Json.JsonValueKind.Array => Arr(v.EnumerateArray().Select(Text)),
        _ => v.GetRawText(),
    };
}
