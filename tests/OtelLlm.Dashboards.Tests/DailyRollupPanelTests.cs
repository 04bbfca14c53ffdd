using System.Globalization;

namespace OtelLlm.Dashboards.Tests;

/// <summary>
/// The panels that read the daily rollups (<c>llm_users_1d</c>, <c>llm_finish_reasons_1d</c>) for the whole UTC days of
/// a range and <c>llm_calls</c> for the partial days at its ends answer exactly what <c>llm_calls FINAL</c> answers for
/// the range: with partial days at both ends, with whole days only, within one day, and with filters set.
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
        Assert.Equal(MultiDayDemoDatabase.MultiDayCalls, await demo.ScalarAsync("SELECT count() FROM llm_calls FINAL"));
        Assert.True(await demo.ScalarAsync("SELECT count() FROM llm_calls") > MultiDayDemoDatabase.MultiDayCalls);
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
