using System.Globalization;

namespace OtelLlm.Dashboards.Tests;

/// <summary>
/// The panels that read the daily rollups (<c>llm_users_1d</c>, <c>llm_finish_reasons_1d</c>) for the whole UTC days of
/// a range and <c>llm_calls</c> for the partial days at its ends answer exactly what <c>llm_calls FINAL</c> answers for
/// the range: with partial days at both ends, with whole days only, within one day, and with filters set. The latency
/// panels read whole hours from <c>llm_latency_1h</c> and the partial hours from <c>llm_latency_1m</c>; the top-call
/// panels take their threshold from <c>llm_maxima_1h</c>.
/// </summary>
public sealed class DailyRollupPanelTests(MultiDayDemoDatabase demo) : IClassFixture<MultiDayDemoDatabase>
{
    private const int IntervalSeconds = 60;

    public static TheoryData<string, string> Ranges => new()
    {
        // Partial days at both ends around two whole days (the data runs from 11-10 15:20 to 11-13 23:20).
        { "2025-11-10T16:00:00", "2025-11-13T20:59:59" },
        // Whole days only: nothing read from llm_calls.
        { "2025-11-11T00:00:00", "2025-11-12T23:59:59" },
        // Within one day: no whole day, everything from llm_calls.
        { "2025-11-12T03:00:00", "2025-11-12T14:59:59" },
        // The whole data.
        { "2025-11-10T00:00:00", "2025-11-14T00:00:00" },
    };

    [Fact]
    public async Task DemoData_HasContentRevisionsOnWholeAndPartialDays()
    {
        // A call stored again as a later revision must count once in both the rollups and the raw partial days.
        var revisedDays = await demo.ScalarAsync("SELECT uniqExact(toDate(Timestamp)) FROM llm_calls WHERE Revision > 0");
        Assert.Equal(4, revisedDays);
        Assert.Equal(MultiDayDemoDatabase.MultiDayCalls + MultiDayDemoDatabase.ProbeCalls, await demo.ScalarAsync("SELECT count() FROM llm_calls FINAL"));
        Assert.True(await demo.ScalarAsync("SELECT count() FROM llm_calls") > MultiDayDemoDatabase.MultiDayCalls + MultiDayDemoDatabase.ProbeCalls);
    }

    [Theory]
    [MemberData(nameof(Ranges))]
    public async Task CostAndCallsPerUser_EqualsFinal(string fromText, string toText)
    {
        var (from, to) = Range(fromText, toText);

        await AssertUsersAsync(from, to, [], string.Empty);
    }

    [Theory]
    [InlineData("model", "gpt-4o", "RequestModel = 'gpt-4o'")]
    [InlineData("environment", "staging", "Environment = 'staging'")]
    [InlineData("project", "research", "Project = 'research'")]
    [InlineData("user", "user-03,user-07", "UserId IN ('user-03', 'user-07')")]
    public async Task CostAndCallsPerUser_WithAFilterSet_EqualsFinal(string variable, string values, string condition)
    {
        var (from, to) = Range("2025-11-10T16:00:00", "2025-11-13T20:59:59");

        await AssertUsersAsync(from, to, new() { [variable] = values.Split(',') }, " AND " + condition);
    }

    [Theory]
    [MemberData(nameof(Ranges))]
    public async Task CostByUser_DrawsTheTenCostliestUsers_PerDayOrPerInterval(string fromText, string toText)
    {
        var (from, to) = Range(fromText, toText);
        var bucket = to - from >= TimeSpan.FromDays(3) ? 86_400 : IntervalSeconds;

        var panel = await demo.RunPanelAsync("users-and-sessions", "Cost by user", from, to, IntervalSeconds);

        var expected = await demo.RunAsync(
            $"""
            SELECT toDateTime(intDiv(toUInt32(Timestamp), {bucket}) * {bucket}) AS time, if(UserId = '', '(none)', UserId) AS user_id, sum(ifNull(CostUsd, 0)) AS cost_usd
            FROM llm_calls FINAL
            WHERE {Where(from, to)}
              AND UserId IN (SELECT UserId FROM llm_calls FINAL WHERE {Where(from, to)} GROUP BY UserId ORDER BY sum(ifNull(CostUsd, 0)) DESC, UserId LIMIT 10)
            GROUP BY time, user_id
            """);
        Assert.Equal(10, expected.Rows.Select(r => r.GetProperty("user_id").GetString()).Distinct().Count());
        AssertSameRows(expected, panel, ["time", "user_id"], "cost_usd");
    }

    [Fact]
    public async Task CostByUser_WithAModelFilterOverDays_EqualsFinalPerDay()
    {
        var (from, to) = Range("2025-11-10T16:00:00", "2025-11-13T20:59:59");
        var variables = await demo.AllSelectedAsync("users-and-sessions", from, to, IntervalSeconds);
        variables["model"] = VariableValue.Of("claude-haiku-4-5");

        var panel = await demo.RunPanelAsync("users-and-sessions", "Cost by user", from, to, IntervalSeconds, variables);

        var where = Where(from, to) + " AND RequestModel = 'claude-haiku-4-5'";
        var expected = await demo.RunAsync(
            $"""
            SELECT toDateTime(intDiv(toUInt32(Timestamp), 86400) * 86400) AS time, if(UserId = '', '(none)', UserId) AS user_id, sum(ifNull(CostUsd, 0)) AS cost_usd
            FROM llm_calls FINAL
            WHERE {where}
              AND UserId IN (SELECT UserId FROM llm_calls FINAL WHERE {where} GROUP BY UserId ORDER BY sum(ifNull(CostUsd, 0)) DESC, UserId LIMIT 10)
            GROUP BY time, user_id
            """);
        AssertSameRows(expected, panel, ["time", "user_id"], "cost_usd");
    }

    [Theory]
    [MemberData(nameof(Ranges))]
    public async Task FinishReasonsByModel_EqualsFinal(string fromText, string toText)
    {
        var (from, to) = Range(fromText, toText);

        var panel = await demo.RunPanelAsync("models-and-providers", "Finish reasons by model", from, to, IntervalSeconds);

        var expected = await demo.RunAsync(
            $"SELECT RequestModel, reason AS finish_reason, count() AS calls FROM llm_calls FINAL ARRAY JOIN FinishReasons AS reason WHERE {Where(from, to)} GROUP BY RequestModel, finish_reason");
        Assert.True(expected.Rows.Count >= 10);
        AssertSameRows(expected, panel, ["RequestModel", "finish_reason"], "calls");
    }

    [Fact]
    public async Task FinishReasonsByModel_WithFiltersSet_EqualsFinal()
    {
        var (from, to) = Range("2025-11-10T16:00:00", "2025-11-13T20:59:59");
        var variables = await demo.AllSelectedAsync("models-and-providers", from, to, IntervalSeconds);
        variables["provider"] = VariableValue.Of("openai");
        variables["service"] = VariableValue.Of("support-bot", "summarizer");

        var panel = await demo.RunPanelAsync("models-and-providers", "Finish reasons by model", from, to, IntervalSeconds, variables);

        var expected = await demo.RunAsync(
            $"""
            SELECT RequestModel, reason AS finish_reason, count() AS calls FROM llm_calls FINAL ARRAY JOIN FinishReasons AS reason
            WHERE {Where(from, to)} AND Provider = 'openai' AND ServiceName IN ('support-bot', 'summarizer')
            GROUP BY RequestModel, finish_reason
            """);
        Assert.Equal(["gpt-4o", "gpt-4o-mini"], expected.Rows.Select(r => r.GetProperty("RequestModel").GetString()).Distinct().Order(StringComparer.Ordinal));
        AssertSameRows(expected, panel, ["RequestModel", "finish_reason"], "calls");
    }

    [Theory]
    [MemberData(nameof(Ranges))]
    public async Task UserVariable_ListsEveryUserOfTheRange(string fromText, string toText)
    {
        var (from, to) = Range(fromText, toText);

        var variables = await demo.AllSelectedAsync("users-and-sessions", from, to, IntervalSeconds);

        var expected = await demo.Db.QueryAsync($"SELECT DISTINCT UserId FROM llm_calls FINAL WHERE {Where(from, to)} AND UserId != '' ORDER BY UserId");
        Assert.Equal(expected.Select(r => r[0]), variables["user"].Values);
    }

    [Fact]
    public async Task LatencyByModel_ReadsWholeHoursFromTheHourlyRollupAndPartialHoursFromTheMinuteRollup()
    {
        // Whole hours 2025-11-11 11:00 .. 2025-11-12 14:00; partial hours 10:20-11:00 and 14:00-14:40.
        var (from, to) = Range("2025-11-11T10:20:00", "2025-11-12T14:39:59");

        var latency = await demo.RunPanelAsync("models-and-providers", "Latency by model", from, to, IntervalSeconds);

        // The 9,000 ms probe calls lie in the partial hours but outside the range: counting whole partial hours would show them.
        var edge = latency.Rows.Single(r => r.GetProperty("RequestModel").GetString() == "probe-edge");
        var hour = latency.Rows.Single(r => r.GetProperty("RequestModel").GetString() == "probe-hour");
        foreach (var column in new[] { "p50_ms", "p95_ms", "p99_ms" })
        {
            Assert.Equal(1000, QueryResult.Number(edge.GetProperty(column)), 3);
            Assert.Equal(3000, QueryResult.Number(hour.GetProperty(column)), 3);
        }

        // Every model of the data, each close to its exact p95 (t-digest estimates).
        var exact = await demo.RunAsync($"SELECT RequestModel, quantileExact(0.95)(Duration) / 1000000 AS p95_ms FROM llm_calls FINAL WHERE {Where(from, to)} GROUP BY RequestModel");
        Assert.Equal(exact.Rows.Count, latency.Rows.Count);
        foreach (var row in exact.Rows)
        {
            var p95 = QueryResult.Number(latency.Rows.Single(r => r.GetProperty("RequestModel").GetString() == row.GetProperty("RequestModel").GetString()).GetProperty("p95_ms"));
            var want = QueryResult.Number(row.GetProperty("p95_ms"));
            Assert.InRange(p95, want * 0.9, want * 1.1);
        }

        var variables = await demo.AllSelectedAsync("overview", from, to, IntervalSeconds);
        variables["model"] = VariableValue.Of("probe-edge");
        Assert.Equal(1000, QueryResult.Number((await demo.RunPanelAsync("overview", "p95 latency", from, to, IntervalSeconds, variables)).Rows[0].GetProperty("p95_ms")), 3);
        var overall = QueryResult.Number((await demo.RunPanelAsync("overview", "p95 latency", from, to, IntervalSeconds)).Rows[0].GetProperty("p95_ms"));
        var overallExact = await demo.ScalarAsync($"SELECT quantileExact(0.95)(Duration) / 1000000 FROM llm_calls FINAL WHERE {Where(from, to)}");
        Assert.InRange(overall, overallExact * 0.9, overallExact * 1.1);
    }

    [Fact]
    public async Task LatencySeries_OverSevenDays_AreHourlyFromTheHourlyRollup()
    {
        var (from, to) = Range("2025-11-07T10:20:00", "2025-11-14T10:20:00");

        var series = await demo.RunPanelAsync("models-and-providers", "p95 latency by model", from, to, IntervalSeconds);

        Assert.All(series.Rows, r => Assert.Equal(0, DateTimeOffset.Parse(r.GetProperty("time").GetString()! + "Z", CultureInfo.InvariantCulture).ToUnixTimeSeconds() % 3600));
        var hours = await demo.Db.QueryAsync($"SELECT DISTINCT toString(toStartOfHour(Timestamp)) AS h FROM llm_calls FINAL WHERE {Where(from, to)} ORDER BY h");
        Assert.Equal(hours.Select(h => h[0]), series.Rows.Select(r => r.GetProperty("time").GetString()).Distinct().Order(StringComparer.Ordinal));
        var probe = series.Rows.Where(r => r.GetProperty("RequestModel").GetString() == "probe-hour").ToList();
        Assert.Equal("2025-11-11 18:00:00", Assert.Single(probe).GetProperty("time").GetString());
        Assert.Equal(3000, QueryResult.Number(probe[0].GetProperty("p95_ms")), 3);

        var overview = await demo.RunPanelAsync("overview", "Latency p50 / p95 / p99", from, to, IntervalSeconds);
        Assert.Equal(hours.Select(h => h[0]), overview.Rows.Select(r => r.GetProperty("time").GetString()));
        var ttft = await demo.RunPanelAsync("overview", "Time to first token p50 / p95 (streaming)", from, to, IntervalSeconds);
        Assert.NotEmpty(ttft.Rows);
        Assert.All(ttft.Rows, r => Assert.InRange(QueryResult.Number(r.GetProperty("p95_ms")), 50, 1550));
    }

    [Theory]
    [InlineData("2025-11-10T16:20:00", "2025-11-13T20:59:59", "")]
    [InlineData("2025-11-11T09:00:00", "2025-11-11T20:59:59", "gpt-4o")]
    [InlineData("2025-11-12T10:10:00", "2025-11-12T10:49:59", "")]
    public async Task TopCallPanels_WithTheHourlyMaximaThreshold_EqualFinal(string fromText, string toText, string model)
    {
        // The first two ranges have at least 20 hourly maxima for the threshold; the last has no whole hour, so every call is read.
        var (from, to) = Range(fromText, toText);
        var variables = await demo.AllSelectedAsync("overview", from, to, IntervalSeconds);
        var condition = string.Empty;
        if (model.Length > 0)
        {
            variables["model"] = VariableValue.Of(model);
            condition = $" AND RequestModel = '{model}'";
        }

        var expensive = await demo.RunPanelAsync("overview", "Most expensive calls", from, to, IntervalSeconds, variables);
        var slowest = await demo.RunPanelAsync("overview", "Slowest calls", from, to, IntervalSeconds, variables);

        var expensiveFinal = await demo.RunAsync($"SELECT TraceId, CostUsd FROM llm_calls FINAL WHERE {Where(from, to)}{condition} AND CostUsd IS NOT NULL ORDER BY CostUsd DESC LIMIT 20");
        var slowestFinal = await demo.RunAsync($"SELECT TraceId, Duration / 1000000 AS duration_ms FROM llm_calls FINAL WHERE {Where(from, to)}{condition} ORDER BY Duration DESC LIMIT 20");
        Assert.Equal(20, expensiveFinal.Rows.Count);
        Assert.Equal(Texts(expensiveFinal, "TraceId"), Texts(expensive, "TraceId"));
        Assert.Equal(Texts(expensiveFinal, "CostUsd"), Texts(expensive, "CostUsd"));
        Assert.Equal(Texts(slowestFinal, "duration_ms"), Texts(slowest, "duration_ms"));
        Assert.Equal(20, Texts(slowest, "TraceId").Distinct().Count());
    }

    private static List<string> Texts(QueryResult result, string column) => [.. result.Rows.Select(r => r.GetProperty(column).ToString())];

    private async Task AssertUsersAsync(DateTimeOffset from, DateTimeOffset to, Dictionary<string, string[]> filters, string condition)
    {
        var variables = await demo.AllSelectedAsync("users-and-sessions", from, to, IntervalSeconds);
        foreach (var (name, values) in filters)
        {
            variables[name] = VariableValue.Of(values);
        }

        var panel = await demo.RunPanelAsync("users-and-sessions", "Cost and calls per user", from, to, IntervalSeconds, variables);

        var expected = await demo.RunAsync(
            $"""
            SELECT UserId, count() AS calls, sum(ifNull(CostUsd, 0)) AS cost_usd, sum(TotalTokens) AS tokens, countIf(StatusCode = 'Error') AS errors,
              uniqExact(ConversationId) AS sessions, max(Timestamp) AS last_seen
            FROM llm_calls FINAL
            WHERE {Where(from, to)}{condition}
            GROUP BY UserId
            """);
        Assert.NotEmpty(expected.Rows);
        AssertSameRows(expected, panel, ["UserId", "calls", "tokens", "errors", "sessions", "last_seen"], "cost_usd");
    }

    /// <summary>The same rows in any order: key columns equal, the value column equal up to floating-point summation order.</summary>
    private static void AssertSameRows(QueryResult expected, QueryResult actual, string[] keys, string value)
    {
        static string Key(System.Text.Json.JsonElement row, string[] keys) => string.Join("|", keys.Select(k => row.GetProperty(k).ToString()));

        var want = expected.Rows.ToDictionary(r => Key(r, keys), r => QueryResult.Number(r.GetProperty(value)));
        var got = actual.Rows.ToDictionary(r => Key(r, keys), r => QueryResult.Number(r.GetProperty(value)));
        Assert.Equal(want.Keys.Order(StringComparer.Ordinal), got.Keys.Order(StringComparer.Ordinal));
        foreach (var (key, number) in want)
        {
            Assert.True(Math.Abs(number - got[key]) <= 1e-9 * Math.Max(1, Math.Abs(number)), $"{key}: expected {value} {number}, got {got[key]}");
        }
    }

    private static (DateTimeOffset From, DateTimeOffset To) Range(string from, string to) =>
        (DateTimeOffset.Parse(from + "Z", CultureInfo.InvariantCulture), DateTimeOffset.Parse(to + "Z", CultureInfo.InvariantCulture));

    private static string Where(DateTimeOffset from, DateTimeOffset to) =>
        $"Timestamp >= toDateTime({from.ToUnixTimeSeconds()}) AND Timestamp <= toDateTime({to.ToUnixTimeSeconds()})";
}
