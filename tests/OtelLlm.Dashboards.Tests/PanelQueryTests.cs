using System.Globalization;
using System.Text;

namespace OtelLlm.Dashboards.Tests;

/// <summary>
/// Every shipped panel and variable query, expanded like Grafana and the ClickHouse data source expand it,
/// runs on the real ClickHouse against generated traffic and answers what the panel needs.
/// </summary>
public sealed class PanelQueryTests(DemoDatabase demo) : IClassFixture<DemoDatabase>
{
    private const int IntervalSeconds = 60;

    private static readonly string[] s_traceColumns = ["traceID", "spanID", "parentSpanID", "serviceName", "operationName", "startTime", "duration"];

    private static DateTimeOffset From => DemoData.Start.AddMinutes(-5);

    private static DateTimeOffset To => DemoData.Start + DemoData.Span + TimeSpan.FromMinutes(5);

    [Fact]
    public async Task EveryPanelQuery_AllSelected_RunsAndReturnsTheColumnsItsFormatNeeds()
    {
        var failures = new StringBuilder();
        var queries = DashboardFiles.Queries();
        Assert.True(queries.Count >= 30, $"only {queries.Count} panel queries found");
        foreach (var query in queries)
        {
            var variables = await AllSelectedAsync(query.Dashboard);
            await CheckAsync(query, variables, failures, expectRows: true);
        }

        Assert.True(failures.Length == 0, failures.ToString());
    }

    [Fact]
    public async Task EveryPanelQuery_OneValueOfEachVariable_Runs()
    {
        var failures = new StringBuilder();
        foreach (var query in DashboardFiles.Queries())
        {
            var variables = await AllSelectedAsync(query.Dashboard);
            foreach (var name in variables.Keys.ToList())
            {
                if (variables[name].IsAll)
                {
                    var options = variables[name].Values;
                    variables[name] = VariableValue.Of(options[options.Count / 2]);
                }
            }

            await CheckAsync(query, variables, failures, expectRows: false);
        }

        Assert.True(failures.Length == 0, failures.ToString());
    }

    [Fact]
    public async Task EveryVariableQuery_ReturnsEveryValueInTheData()
    {
        var variables = await AllSelectedAsync("overview");
        var expected = new Dictionary<string, string[]>
        {
            ["project"] = DemoData.Projects,
            ["service"] = DemoData.Services,
            ["environment"] = DemoData.Environments,
            ["provider"] = [.. DemoData.Models.Select(m => m.Provider).Distinct()],
            ["model"] = [.. DemoData.Models.Select(m => m.Model)],
        };
        foreach (var (name, values) in expected)
        {
            Assert.Equal(values.Order(StringComparer.Ordinal), variables[name].Values.Order(StringComparer.Ordinal));
        }

        var users = await AllSelectedAsync("users-and-sessions");
        Assert.Equal(await demo.ScalarAsync($"SELECT uniqExact(UserId) FROM llm_calls FINAL WHERE UserId != ''"), users["user"].Values.Count);
        var latestSession = (await demo.Db.QueryAsync("SELECT argMax(ConversationId, Timestamp) FROM llm_calls WHERE ConversationId != ''"))[0][0];
        Assert.Equal([latestSession], users["session"].Values);
    }

    [Theory]
    [InlineData(0, 180)]
    [InlineData(60, 30)]
    public async Task CostPanels_AddUpToCostOfCallsFinal(int offsetMinutes, int lengthMinutes)
    {
        var from = DemoData.Start.AddMinutes(offsetMinutes);
        // Rollup panels count whole minutes whose start lies in the range; a range ending just before a
        // minute boundary, as Grafana's ranges usually do, covers the same calls in both tables.
        var to = from.AddMinutes(lengthMinutes).AddSeconds(-1);
        var expected = await demo.ScalarAsync($"SELECT sum(CostUsd) FROM llm_calls FINAL WHERE {Range(from, to)}");
        Assert.True(expected > 0);

        AssertClose(expected, (await RunPanelAsync("overview", "Cost", from, to)).Sum("cost_usd"));
        AssertClose(expected, (await RunPanelAsync("overview", "Cost by model", from, to)).Sum("cost_usd"));
        AssertClose(expected, (await RunPanelAsync("overview", "Cost by provider", from, to)).Sum("cost_usd"));
        AssertClose(expected, (await RunPanelAsync("overview", "Cost by service", from, to)).Sum("cost_usd"));
        AssertClose(expected, (await RunPanelAsync("models-and-providers", "Models side by side", from, to)).Sum("cost_usd"));
        AssertClose(expected, (await RunPanelAsync("users-and-sessions", "Cost and calls per user", from, to)).Sum("cost_usd"));

        // The time series draws the 10 users who cost most in the range, not every user.
        var topUsers = await demo.ScalarAsync(
            $"SELECT sum(cost) FROM (SELECT UserId, sum(CostUsd) AS cost FROM llm_calls FINAL WHERE {Range(from, to)} GROUP BY UserId ORDER BY cost DESC LIMIT 10)");
        Assert.True(topUsers < expected, "the demo data has more than 10 users");
        AssertClose(topUsers, (await RunPanelAsync("users-and-sessions", "Cost by user", from, to)).Sum("cost_usd"));
    }

    [Theory]
    [InlineData(0, 180)]
    [InlineData(60, 30)]
    public async Task EnergyPanels_AddUpToEnergyOfCallsFinal(int offsetMinutes, int lengthMinutes)
    {
        var from = DemoData.Start.AddMinutes(offsetMinutes);
        var to = from.AddMinutes(lengthMinutes).AddSeconds(-1);
        var energy = await demo.ScalarAsync($"SELECT sum(EnergyWh) FROM llm_calls FINAL WHERE {Range(from, to)}");
        var co2e = await demo.ScalarAsync($"SELECT sum(Co2eGrams) FROM llm_calls FINAL WHERE {Range(from, to)}");
        var estimated = await demo.ScalarAsync($"SELECT count(EnergyWh) FROM llm_calls FINAL WHERE {Range(from, to)}");
        Assert.True(energy > 0);
        Assert.True(estimated < await demo.ScalarAsync($"SELECT count() FROM llm_calls FINAL WHERE {Range(from, to)}"), "some demo calls have no energy");

        AssertClose(energy, (await RunPanelAsync("overview", "Energy by model (estimated)", from, to)).Sum("energy_wh"));
        var table = await RunPanelAsync("overview", "Energy and CO₂e by model", from, to);
        AssertClose(energy, table.Sum("energy_wh"));
        AssertClose(co2e, table.Sum("co2e_g"));
        Assert.Equal(estimated, table.Sum("calls_with_energy"));
    }

    [Fact]
    public async Task FeedbackPanel_CountsEachFeedbackOnce_UnderItsCallsModelAndWorkload()
    {
        // Every demo trace has one call, so whichever way a feedback names it (span id, response id, neither) it is that call.
        var expected = await demo.Db.QueryAsync(
            """
            SELECT Name, RequestModel, Workload, count(), round(avg(Value), 9), round(countIf(Value > 0) / count(), 9)
            FROM (SELECT FeedbackId, TraceId, Name, Value FROM llm_feedback FINAL)
            ANY INNER JOIN (SELECT TraceId, RequestModel, Workload FROM llm_calls FINAL) USING TraceId
            GROUP BY Name, RequestModel, Workload
            ORDER BY Name, RequestModel, Workload
            """);
        Assert.Contains(expected, r => r[0] == "thumbs");
        Assert.Contains(expected, r => r[0] == "helpfulness");
        Assert.True(await demo.ScalarAsync("SELECT count() - uniqExact(FeedbackId) FROM llm_feedback") > 0, "the demo data repeats feedback ids");

        var panel = await RunPanelAsync("models-and-providers", "Feedback by model and workload", From, To);

        Assert.Equal(
            expected.Select(r => string.Join("|", r)).Order(StringComparer.Ordinal),
            panel.Rows.Select(r => string.Join("|",
                r.GetProperty("feedback").GetString(), r.GetProperty("RequestModel").GetString(), r.GetProperty("Workload").GetString(),
                QueryResult.Number(r.GetProperty("feedback_count")).ToString(CultureInfo.InvariantCulture),
                Math.Round(QueryResult.Number(r.GetProperty("mean")), 9).ToString(CultureInfo.InvariantCulture),
                Math.Round(QueryResult.Number(r.GetProperty("positive_rate")), 9).ToString(CultureInfo.InvariantCulture)))
                .Order(StringComparer.Ordinal));

        var variables = await AllSelectedAsync("models-and-providers");
        variables["model"] = VariableValue.Of(DemoData.Models[0].Model);
        var oneModel = await RunPanelAsync("models-and-providers", "Feedback by model and workload", From, To, variables);
        Assert.All(oneModel.Rows, r => Assert.Equal(DemoData.Models[0].Model, r.GetProperty("RequestModel").GetString()));
        Assert.Equal(expected.Where(r => r[1] == DemoData.Models[0].Model).Sum(r => long.Parse(r[3], CultureInfo.InvariantCulture)), oneModel.Sum("feedback_count"));
    }

    [Fact]
    public async Task CallPanels_MatchCountFinal_AndContentRevisionsCountOnce()
    {
        var expected = await demo.ScalarAsync($"SELECT count() FROM llm_calls FINAL WHERE {Range(From, To)}");
        Assert.Equal(DemoDatabase.Calls, expected);
        Assert.True(await demo.ScalarAsync("SELECT count() FROM llm_calls WHERE Revision > 0") > 0, "the demo data has content revisions");

        Assert.Equal(expected, (await RunPanelAsync("overview", "Calls", From, To)).Sum("calls"));
        AssertClose(expected, (await RunPanelAsync("overview", "Calls per second by model", From, To)).Sum("calls_per_second") * IntervalSeconds);
        Assert.Equal(expected, (await RunPanelAsync("models-and-providers", "Models side by side", From, To)).Sum("calls"));
        Assert.Equal(expected, (await RunPanelAsync("models-and-providers", "Calls by provider", From, To)).Sum("calls"));
        Assert.Equal(expected, (await RunPanelAsync("users-and-sessions", "Cost and calls per user", From, To)).Sum("calls"));
    }

    [Fact]
    public async Task RollupPanels_EqualRawTableAnswers()
    {
        var errors = await RunPanelAsync("errors", "Failing models", From, To);
        foreach (var row in errors.Rows)
        {
            var model = row.GetProperty("RequestModel").GetString()!;
            Assert.Equal(
                await demo.ScalarAsync($"SELECT countIf(StatusCode = 'Error') FROM llm_calls FINAL WHERE RequestModel = '{model}'"),
                QueryResult.Number(row.GetProperty("errors")));
        }

        Assert.Equal(await demo.ScalarAsync("SELECT countIf(StatusCode = 'Error') FROM llm_calls FINAL"), errors.Sum("errors"));
        Assert.Equal(await demo.ScalarAsync("SELECT countIf(StatusCode = 'Error') FROM llm_calls FINAL"), (await RunPanelAsync("errors", "Errors by type", From, To)).Sum("errors"));

        var tokens = await RunPanelAsync("overview", "Tokens by kind", From, To);
        Assert.Equal(await demo.ScalarAsync("SELECT sum(InputTokens) FROM llm_calls FINAL"), tokens.Sum("input"));
        Assert.Equal(await demo.ScalarAsync("SELECT sum(OutputTokens) FROM llm_calls FINAL"), tokens.Sum("output"));
        Assert.Equal(await demo.ScalarAsync("SELECT sum(CacheReadTokens) FROM llm_calls FINAL"), tokens.Sum("cache_read"));
        Assert.Equal(await demo.ScalarAsync("SELECT sum(ReasoningTokens) FROM llm_calls FINAL"), tokens.Sum("reasoning"));

        var rate = await RunPanelAsync("overview", "Error rate", From, To);
        Assert.Equal(await demo.ScalarAsync("SELECT countIf(StatusCode = 'Error') / count() FROM llm_calls FINAL"), QueryResult.Number(rate.Rows[0].GetProperty("error_rate")), 9);

        // Latency comes from t-digest states merged across minutes: close to the exact quantile, not equal to it.
        var p95 = QueryResult.Number((await RunPanelAsync("overview", "p95 latency", From, To)).Rows[0].GetProperty("p95_ms"));
        var exact = await demo.ScalarAsync("SELECT quantileExact(0.95)(Duration) / 1000000 FROM llm_calls FINAL");
        Assert.InRange(p95, exact * 0.9, exact * 1.1);
    }

    [Fact]
    public async Task ModelFilter_NarrowsEveryRollupPanelToThatModel()
    {
        var model = DemoData.Models[2].Model;
        var variables = await AllSelectedAsync("overview");
        variables["model"] = VariableValue.Of(model);
        var calls = await RunPanelAsync("overview", "Calls", From, To, variables);
        var cost = await RunPanelAsync("overview", "Cost by model", From, To, variables);

        Assert.Equal(await demo.ScalarAsync($"SELECT count() FROM llm_calls FINAL WHERE RequestModel = '{model}'"), calls.Sum("calls"));
        AssertClose(await demo.ScalarAsync($"SELECT sum(CostUsd) FROM llm_calls FINAL WHERE RequestModel = '{model}'"), cost.Sum("cost_usd"));
        Assert.All(cost.Rows, r => Assert.Equal(model, r.GetProperty("RequestModel").GetString()));
    }

    [Fact]
    public async Task TracePanel_ReturnsEverySpanOfTheTraceForTheTraceView()
    {
        var traceId = (await demo.Db.QueryAsync("SELECT TraceId FROM llm_calls WHERE StatusCode = 'Error' ORDER BY TraceId LIMIT 1"))[0][0];
        var variables = await AllSelectedAsync("trace");
        variables["trace_id"] = VariableValue.Of(traceId);

        var trace = await RunPanelAsync("trace", "Trace", From, To, variables);
        var calls = await RunPanelAsync("trace", "Model calls in this trace", From, To, variables);

        Assert.Equal(2, trace.Rows.Count);
        Assert.All(trace.Rows, r => Assert.Equal(traceId, r.GetProperty("traceID").GetString()));
        var child = trace.Rows.Single(r => r.GetProperty("parentSpanID").GetString() != string.Empty);
        var root = trace.Rows.Single(r => r.GetProperty("parentSpanID").GetString() == string.Empty);
        Assert.Equal(root.GetProperty("spanID").GetString(), child.GetProperty("parentSpanID").GetString());
        Assert.Equal(2, QueryResult.Number(child.GetProperty("statusCode")));
        Assert.True(QueryResult.Number(root.GetProperty("startTime")) > 1.7e12, "startTime is epoch milliseconds");
        Assert.InRange(QueryResult.Number(child.GetProperty("duration")), 200, 8200);
        Assert.Single(calls.Rows);
        Assert.Equal(child.GetProperty("spanID").GetString(), calls.Text(0, "SpanId"));
        Assert.Contains("Question", calls.Text(0, "InputMessages"), StringComparison.Ordinal);
    }

    [Fact]
    public async Task TopCallPanels_WithoutFinal_ListEachCallOnceLikeFinal()
    {
        var range = Range(From, To);
        var expensive = await RunPanelAsync("overview", "Most expensive calls", From, To);
        var expensiveFinal = await demo.RunAsync($"SELECT TraceId, CostUsd FROM llm_calls FINAL WHERE {range} ORDER BY CostUsd DESC LIMIT 20");
        Assert.Equal(Column(expensiveFinal, "CostUsd"), Column(expensive, "CostUsd"));
        Assert.Equal(20, Column(expensive, "TraceId").Distinct().Count());

        var slowest = await RunPanelAsync("overview", "Slowest calls", From, To);
        var slowestFinal = await demo.RunAsync($"SELECT TraceId, Duration / 1000000 AS duration_ms FROM llm_calls FINAL WHERE {range} ORDER BY Duration DESC LIMIT 20");
        Assert.Equal(Column(slowestFinal, "duration_ms"), Column(slowest, "duration_ms"));
        Assert.Equal(20, Column(slowest, "TraceId").Distinct().Count());

        var failures = await RunPanelAsync("errors", "Recent failures", From, To);
        var failuresFinal = await demo.RunAsync($"SELECT TraceId, Timestamp FROM llm_calls FINAL WHERE {range} AND StatusCode = 'Error' ORDER BY Timestamp DESC LIMIT 100");
        Assert.Equal(Column(failuresFinal, "Timestamp"), Column(failures, "Timestamp"));
        Assert.Equal(100, Column(failures, "TraceId").Distinct().Count());
    }

    [Fact]
    public async Task UserAndSessionTables_WithoutFinal_EqualFinalAnswers()
    {
        var range = Range(From, To);
        var users = await RunPanelAsync("users-and-sessions", "Cost and calls per user", From, To);
        var usersFinal = await demo.RunAsync(
            $"SELECT UserId, count() AS calls, uniqExact(ConversationId) AS sessions FROM llm_calls FINAL WHERE {range} GROUP BY UserId");
        Assert.Equal(Rows(usersFinal, "UserId", "calls", "sessions").Order(StringComparer.Ordinal), Rows(users, "UserId", "calls", "sessions").Order(StringComparer.Ordinal));

        var sessions = await RunPanelAsync("users-and-sessions", "Sessions", From, To);
        var sessionsFinal = await demo.RunAsync(
            $"SELECT ConversationId, count() AS calls, min(Timestamp) AS started FROM llm_calls FINAL WHERE {range} AND ConversationId != '' GROUP BY ConversationId");
        Assert.Equal(Rows(sessionsFinal, "ConversationId", "calls", "started").Order(StringComparer.Ordinal), Rows(sessions, "ConversationId", "calls", "started").Order(StringComparer.Ordinal));

        var finishReasons = await RunPanelAsync("models-and-providers", "Finish reasons by model", From, To);
        Assert.Equal(await demo.ScalarAsync($"SELECT sum(length(FinishReasons)) FROM llm_calls FINAL WHERE {range}"), finishReasons.Sum("calls"));
    }

    [Fact]
    public async Task SessionPanel_ListsTheSessionCallsInOrderWithContent()
    {
        var variables = await AllSelectedAsync("users-and-sessions");
        var session = variables["session"].Values[0];
        variables["session"] = VariableValue.Of(session);

        var calls = await RunPanelAsync("users-and-sessions", "Session calls in order", From, To, variables);

        Assert.Equal(await demo.ScalarAsync($"SELECT count() FROM llm_calls FINAL WHERE ConversationId = '{session}'"), calls.Rows.Count);
        var times = calls.Rows.Select(r => r.GetProperty("Timestamp").GetString()!).ToList();
        Assert.Equal(times.Order(StringComparer.Ordinal), times);
        Assert.All(calls.Rows, r => Assert.StartsWith("[{\"role\":\"user\"", r.GetProperty("prompt").GetString(), StringComparison.Ordinal));
    }

    private async Task CheckAsync(PanelQuery query, Dictionary<string, VariableValue> variables, StringBuilder failures, bool expectRows)
    {
        string sql;
        try
        {
            sql = GrafanaMacros.Expand(query.Sql, variables, From, To, IntervalSeconds);
        }
        catch (Exception e) when (e is NotSupportedException or FormatException)
        {
            failures.AppendLine(CultureInfo.InvariantCulture, $"{query}: {e.Message}");
            return;
        }

        if (sql.Contains('$', StringComparison.Ordinal))
        {
            failures.AppendLine(CultureInfo.InvariantCulture, $"{query}: unexpanded '$' left in: {sql}");
            return;
        }

        QueryResult result;
        try
        {
            result = await demo.RunAsync(sql);
        }
        catch (Exception e)
        {
            failures.AppendLine(CultureInfo.InvariantCulture, $"{query}: {e.Message}\n{sql}");
            return;
        }

        var names = result.Columns.Select(c => c.Name).ToList();
        switch (query.Format)
        {
            case 0:
                var time = result.Columns.FirstOrDefault(c => c.Name == "time");
                if (time.Type is null || !time.Type.StartsWith("DateTime", StringComparison.Ordinal))
                {
                    failures.AppendLine(CultureInfo.InvariantCulture, $"{query}: time series needs a DateTime column named time; has {string.Join(", ", result.Columns)}");
                }

                if (!result.Columns.Any(c => c.Name != "time" && IsNumeric(c.Type)))
                {
                    failures.AppendLine(CultureInfo.InvariantCulture, $"{query}: time series has no numeric value column");
                }

                break;
            case 3:
                foreach (var required in s_traceColumns.Where(r => !names.Contains(r)))
                {
                    failures.AppendLine(CultureInfo.InvariantCulture, $"{query}: trace view needs column {required}");
                }

                foreach (var numeric in new[] { "startTime", "duration" })
                {
                    var column = result.Columns.FirstOrDefault(c => c.Name == numeric);
                    if (column.Type is not null && !IsNumeric(column.Type))
                    {
                        failures.AppendLine(CultureInfo.InvariantCulture, $"{query}: {numeric} must be a number, is {column.Type}");
                    }
                }

                break;
            case 1:
                break;
            default:
                failures.AppendLine(CultureInfo.InvariantCulture, $"{query}: unexpected format {query.Format}");
                break;
        }

        if (expectRows && result.Rows.Count == 0)
        {
            failures.AppendLine(CultureInfo.InvariantCulture, $"{query}: no rows over the demo data\n{sql}");
        }
    }

    private Task<QueryResult> RunPanelAsync(string dashboard, string title, DateTimeOffset from, DateTimeOffset to, Dictionary<string, VariableValue>? variables = null) =>
        demo.RunPanelAsync(dashboard, title, from, to, IntervalSeconds, variables);

    private Task<Dictionary<string, VariableValue>> AllSelectedAsync(string dashboard) => demo.AllSelectedAsync(dashboard, From, To, IntervalSeconds);

    private static List<string> Column(QueryResult result, string column) => [.. result.Rows.Select(r => r.GetProperty(column).ToString())];

    private static IEnumerable<string> Rows(QueryResult result, params string[] columns) =>
        result.Rows.Select(r => string.Join("|", columns.Select(c => r.GetProperty(c).ToString())));

    private static void AssertClose(double expected, double actual) =>
        Assert.True(Math.Abs(expected - actual) <= 1e-9 * Math.Max(1, Math.Abs(expected)), $"expected {expected}, got {actual}");

    private static string Range(DateTimeOffset from, DateTimeOffset to) =>
        $"Timestamp >= toDateTime({from.ToUnixTimeSeconds()}) AND Timestamp <= toDateTime({to.ToUnixTimeSeconds()})";

    private static bool IsNumeric(string type)
    {
        var t = type.StartsWith("Nullable(", StringComparison.Ordinal) ? type[9..^1] : type;
        return t.StartsWith("UInt", StringComparison.Ordinal) || t.StartsWith("Int", StringComparison.Ordinal)
            || t.StartsWith("Float", StringComparison.Ordinal) || t.StartsWith("Decimal", StringComparison.Ordinal);
    }
}
