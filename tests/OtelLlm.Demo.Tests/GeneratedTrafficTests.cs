using System.Globalization;
using System.Text.Json;
using OtelLlm.Demo.Traffic;

namespace OtelLlm.Demo.Tests;

/// <summary>What one demo run stores in ClickHouse through the real instrumentation, OTLP exporter and receiver.</summary>
[Collection(DemoTrafficGroup.Name)]
public sealed class GeneratedTrafficTests(GeneratedTraffic traffic) : IClassFixture<GeneratedTraffic>
{
    [Fact]
    public async Task Generate_EveryServiceAndModel_StoresOneRowPerCall()
    {
        Assert.True(traffic.Result.Exported, traffic.Result.FirstExportError);
        Assert.True(traffic.Result.Calls >= 80);
        var rows = await traffic.Database.QueryAsync(
            "SELECT ServiceName, RequestModel, count(), countIf(StatusCode = 'Error'), countIf(Streaming = 1) FROM llm_calls FINAL GROUP BY ServiceName, RequestModel ORDER BY ServiceName, RequestModel");
        var stored = rows.Select(r => (r[0], r[1], int.Parse(r[2]), int.Parse(r[3]), int.Parse(r[4]))).ToList();
        var sent = traffic.Result.Lines.Select(l => (l.Service, l.Model, l.Calls, l.Errors, l.Streaming)).ToList();
        Assert.Equal(sent, stored);
        Assert.Equal(TrafficGenerator.ServiceNames.Order(StringComparer.Ordinal), stored.Select(s => s.Item1).Distinct().Order(StringComparer.Ordinal));
        Assert.Equal(ModelCatalog.AllModels.Order(StringComparer.Ordinal), stored.Select(s => s.Item2).Distinct().Order(StringComparer.Ordinal));
    }

    [Fact]
    public async Task Generate_SuccessfulCalls_CarryProviderCostTokensUsersAndSessions()
    {
        var rows = await traffic.Database.Client.QueryJsonAsync(
            "SELECT * FROM llm_calls FINAL WHERE StatusCode != 'Error'", "read successful calls");
        Assert.NotEmpty(rows);
        foreach (var row in rows)
        {
            var model = row.GetProperty("RequestModel").GetString()!;
            Assert.Equal(model.StartsWith("claude", StringComparison.Ordinal) ? "anthropic" : "openai", row.GetProperty("Provider").GetString());
            Assert.True(row.GetProperty("CostUsd").ValueKind == JsonValueKind.Number && row.GetProperty("CostUsd").GetDouble() > 0, $"{model} has no cost");
            Assert.True(long.Parse(row.GetProperty("InputTokens").GetString()!, CultureInfo.InvariantCulture) > 0);
            Assert.Matches("^user-[0-9]{3}$", row.GetProperty("UserId").GetString());
            Assert.StartsWith("conv-", row.GetProperty("ConversationId").GetString(), StringComparison.Ordinal);
            Assert.Equal("demo", row.GetProperty("Environment").GetString());
            Assert.NotEmpty(row.GetProperty("Workload").GetString()!);
            if (model != ModelCatalog.TextEmbedding.Model)
            {
                Assert.True(long.Parse(row.GetProperty("OutputTokens").GetString()!, CultureInfo.InvariantCulture) > 0);
                Assert.NotEmpty(row.GetProperty("FinishReasons").EnumerateArray());
                Assert.NotEmpty(row.GetProperty("ResponseId").GetString()!);
            }
        }

        // The receiver files session.id under ConversationId only when a call has no conversation; the span keeps it.
        Assert.Equal(
            await traffic.Database.CountAsync("SELECT count() FROM llm_calls FINAL"),
            await traffic.Database.CountAsync(
                "SELECT count() FROM otel_traces FINAL WHERE match(SpanAttributes.Value[indexOf(SpanAttributes.Key, 'session.id')], '^sess-[0-9]{3}-[1-3]$') AND SpanId IN (SELECT SpanId FROM llm_calls FINAL)"));

        long Sum(string column, string model) => rows.Where(r => r.GetProperty("RequestModel").GetString() == model)
            .Sum(r => long.Parse(r.GetProperty(column).GetString()!, CultureInfo.InvariantCulture));
        Assert.True(Sum("ReasoningTokens", ModelCatalog.O3Mini.Model) > 0, "o3-mini reports reasoning tokens");
        Assert.True(Sum("CacheReadTokens", ModelCatalog.ClaudeHaiku.Model) > 0, "claude-haiku reads the prompt cache");
        Assert.True(Sum("CacheReadTokens", ModelCatalog.ClaudeSonnet) > 0, "the Anthropic SDK reports cache reads");
        Assert.Contains(rows, r => r.GetProperty("ResponseModel").GetString() == ModelCatalog.Gpt4o.ResponseModel);
    }

    [Fact]
    public async Task Generate_StreamingAndFailedCalls_AreStoredAsSuch()
    {
        var streaming = await traffic.Database.Client.QueryJsonAsync(
            "SELECT RequestModel, TimeToFirstTokenMs, OutputMessages FROM llm_calls FINAL WHERE Streaming = 1 AND StatusCode != 'Error'", "read streamed calls");
        Assert.NotEmpty(streaming);
        Assert.All(streaming, r => Assert.Equal(JsonValueKind.Number, r.GetProperty("TimeToFirstTokenMs").ValueKind));
        Assert.Contains(streaming, r => r.GetProperty("RequestModel").GetString() == ModelCatalog.ClaudeSonnet);

        var errors = await traffic.Database.Client.QueryJsonAsync(
            "SELECT RequestModel, ErrorType, StatusMessage, CostUsd, UserId FROM llm_calls FINAL WHERE StatusCode = 'Error'", "read failed calls");
        Assert.Equal(traffic.Result.Errors, errors.Count);
        Assert.All(errors, r => Assert.False(r.GetProperty("CostUsd").ValueKind == JsonValueKind.Number && r.GetProperty("CostUsd").GetDouble() > 0));
        Assert.All(errors, r => Assert.StartsWith("user-", r.GetProperty("UserId").GetString(), StringComparison.Ordinal));
        Assert.Contains(errors, r => r.GetProperty("ErrorType").GetString() == "System.Net.Http.HttpRequestException"
            && r.GetProperty("StatusMessage").GetString()!.Contains("429", StringComparison.Ordinal)
            && r.GetProperty("RequestModel").GetString() == ModelCatalog.Gpt4o.Model);
        Assert.Contains(errors, r => r.GetProperty("ErrorType").GetString() == "System.TimeoutException"
            && r.GetProperty("RequestModel").GetString() == ModelCatalog.O3Mini.Model);
    }

    [Fact]
    public async Task Generate_ContentCaptureOn_StoresPromptsAnswersAndTools()
    {
        var rows = await traffic.Database.Client.QueryJsonAsync(
            "SELECT RequestModel, InputMessages, OutputMessages, SystemInstructions, ToolDefinitions, FinishReasons FROM llm_calls FINAL WHERE StatusCode != 'Error' AND Operation = 'chat'",
            "read content");
        Assert.NotEmpty(rows);
        foreach (var row in rows)
        {
            using var input = JsonDocument.Parse(row.GetProperty("InputMessages").GetString()!);
            Assert.NotEqual(0, input.RootElement.GetArrayLength());
            using var output = JsonDocument.Parse(row.GetProperty("OutputMessages").GetString()!);
            Assert.NotEqual(0, output.RootElement.GetArrayLength());
        }

        Assert.Contains(rows, r => r.GetProperty("SystemInstructions").GetString()!.Contains("Northwind Outfitters", StringComparison.Ordinal));
        var toolRows = rows.Where(r => r.GetProperty("ToolDefinitions").GetString()!.Contains("lookup_order", StringComparison.Ordinal)).ToList();
        Assert.NotEmpty(toolRows);
        Assert.Contains(toolRows, r => r.GetProperty("FinishReasons").EnumerateArray().Any(f => f.GetString() == "tool_call"));
        Assert.Contains(toolRows, r => r.GetProperty("InputMessages").GetString()!.Contains("tool_call_response", StringComparison.Ordinal));

        // Tool executions are spans of their own, in the same trace as the model call that asked for them.
        var tools = await traffic.Database.QueryAsync(
            "SELECT TraceId, SpanAttributes.Value[indexOf(SpanAttributes.Key, 'gen_ai.tool.call.id')] FROM otel_traces FINAL WHERE SpanName = 'execute_tool lookup_order'");
        Assert.NotEmpty(tools);
        Assert.All(tools, t => Assert.NotEmpty(t[1]));
        var traceId = tools[0][0];
        Assert.True(await traffic.Database.CountAsync($"SELECT count() FROM llm_calls FINAL WHERE TraceId = '{traceId}'") >= 2);
        Assert.Equal(1, await traffic.Database.CountAsync($"SELECT count() FROM otel_traces FINAL WHERE TraceId = '{traceId}' AND SpanKind = 'Server' AND ParentSpanId = ''"));
    }

    [Fact]
    public async Task Generate_ExportsGenAiMetricsForEveryService()
    {
        // Acknowledged metrics reach ClickHouse when the receiver's writers drain its log: wait for every service's.
        await traffic.Database.WaitForCountAsync(
            "SELECT uniqExact(ServiceName, MetricName) FROM otel_metrics WHERE MetricName IN ('gen_ai.client.token.usage', 'gen_ai.client.operation.duration')",
            2 * TrafficGenerator.ServiceNames.Count);
        var rows = await traffic.Database.QueryAsync(
            "SELECT ServiceName, groupUniqArray(MetricName) FROM otel_metrics GROUP BY ServiceName ORDER BY ServiceName");
        Assert.Equal(TrafficGenerator.ServiceNames.Order(StringComparer.Ordinal), rows.Select(r => r[0]));
        Assert.All(rows, r => Assert.Contains("gen_ai.client.token.usage", r[1], StringComparison.Ordinal));
        Assert.All(rows, r => Assert.Contains("gen_ai.client.operation.duration", r[1], StringComparison.Ordinal));
    }

    [Fact]
    public void Generate_NonInteractiveOutput_PrintsProgressLinesWithoutCarriageReturns()
    {
        var lines = traffic.Output.Split('\n');
        Assert.DoesNotContain('\r', traffic.Output);
        Assert.Contains(lines, l => l.Contains($"{traffic.Result.Calls,5}/{Math.Max(traffic.Result.Calls, 80)} calls", StringComparison.Ordinal));
        Assert.DoesNotContain(lines, l => l.Contains("  0/80 calls", StringComparison.Ordinal));
        Assert.True(lines.Count(l => l.Contains("/80 calls", StringComparison.Ordinal)) >= 2);
    }

    [Fact]
    public async Task Summary_EveryModel_PrintsNumbersThatMatchSqlOverLlmCallsFinal()
    {
        var (exit, output, error) = await RunAsync(["summary", .. traffic.ClickHouseArgs, "--since", "1h"]);
        Assert.True(exit == 0, error);
        var printed = TableLines(output);
        var expected = await traffic.Database.QueryAsync(
            "SELECT Provider, RequestModel, count(), countIf(StatusCode = 'Error'), sum(CostUsd), sum(InputTokens), sum(OutputTokens), quantileExact(0.95)(Duration), sum(EnergyWh), count(EnergyWh) FROM llm_calls FINAL GROUP BY Provider, RequestModel");
        Assert.Equal(ModelCatalog.AllModels.Count, expected.Count);
        foreach (var row in expected)
        {
            var line = Assert.Single(printed, l => l[1] == row[1]);
            Assert.Equal(row[0], line[0]);
            Assert.Equal(row[2], line[2]);
            Assert.Equal(row[3], line[3]);
            var rate = 100.0 * long.Parse(row[3], CultureInfo.InvariantCulture) / long.Parse(row[2], CultureInfo.InvariantCulture);
            Assert.Equal(rate.ToString("0.0", CultureInfo.InvariantCulture) + "%", line[4]);
            Assert.Equal((ulong.Parse(row[7], CultureInfo.InvariantCulture) / 1e6).ToString("0.0", CultureInfo.InvariantCulture), line[5]);
            Assert.Equal(double.Parse(row[4], CultureInfo.InvariantCulture).ToString("0.000000", CultureInfo.InvariantCulture), line[6]);
            Assert.Equal(row[5], line[7]);
            Assert.Equal(row[6], line[8]);
            // Every demo model has energy factors, so every call has an estimate (failed ones without tokens: 0 Wh).
            Assert.Equal(row[2], row[9]);
            Assert.Equal(double.Parse(row[8], CultureInfo.InvariantCulture).ToString("0.000", CultureInfo.InvariantCulture), line[9]);
        }

        var energy = await traffic.Database.QueryAsync("SELECT sum(EnergyWh), sum(Co2eGrams) FROM llm_calls FINAL");
        Assert.True(double.Parse(energy[0][0], CultureInfo.InvariantCulture) > 0);
        Assert.Contains(
            $"Energy (estimated from tokens, docs/energy.md): {double.Parse(energy[0][0], CultureInfo.InvariantCulture).ToString("0.000", CultureInfo.InvariantCulture)} Wh, "
            + $"{double.Parse(energy[0][1], CultureInfo.InvariantCulture).ToString("0.000", CultureInfo.InvariantCulture)} g CO2e",
            output,
            StringComparison.Ordinal);
        Assert.DoesNotContain("Calls without an energy estimate", output, StringComparison.Ordinal);

        var total = Assert.Single(printed, l => l[0] == "total");
        Assert.Equal((await traffic.Database.CountAsync("SELECT count() FROM llm_calls FINAL")).ToString(CultureInfo.InvariantCulture), total[1]);
        Assert.Contains("curl '", output, StringComparison.Ordinal);
        Assert.Contains("clickhouse-client --query", output, StringComparison.Ordinal);
        Assert.Contains("http://localhost:3000", output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Report_IsTheSameTableAsSummary()
    {
        var summary = await RunAsync(["summary", .. traffic.ClickHouseArgs, "--since", "1d"]);
        var report = await RunAsync(["report", .. traffic.ClickHouseArgs, "--since", "1d"]);
        Assert.Equal(0, report.Exit);
        Assert.Equal(summary.Output, report.Output);
    }

    [Fact]
    public async Task Summary_RangeOrProjectWithoutCalls_SaysSo()
    {
        var (exit, output, _) = await RunAsync(["summary", .. traffic.ClickHouseArgs, "--project", "no-such-project"]);
        Assert.Equal(0, exit);
        Assert.Contains("No calls in this range", output, StringComparison.Ordinal);
        (exit, output, _) = await RunAsync(["summary", .. traffic.ClickHouseArgs, "--from", "2001-01-01T00:00:00Z", "--to", "2001-01-02T00:00:00Z"]);
        Assert.Equal(0, exit);
        Assert.Contains("No calls in this range", output, StringComparison.Ordinal);
        Assert.Contains("from 2001-01-01 00:00:00 UTC to 2001-01-02 00:00:00 UTC", output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Summary_FromToRangeCoveringTheRun_CountsEveryCall()
    {
        var from = traffic.Result.StartedUtc.AddMinutes(-1).ToString("o", CultureInfo.InvariantCulture);
        var to = traffic.Result.FinishedUtc.AddMinutes(1).ToString("o", CultureInfo.InvariantCulture);
        var (exit, output, _) = await RunAsync(["summary", .. traffic.ClickHouseArgs, "--from", from, "--to", to, "--project", "default"]);
        Assert.Equal(0, exit);
        var total = Assert.Single(TableLines(output), l => l[0] == "total");
        Assert.Equal(traffic.Result.Calls.ToString(CultureInfo.InvariantCulture), total[1]);
    }

    internal static async Task<(int Exit, string Output, string Error)> RunAsync(string[] args)
    {
        using var output = new StringWriter();
        using var error = new StringWriter();
        var exit = await Cli.DemoCommands.RunAsync(args, output, error, interactive: false);
        return (exit, output.ToString(), error.ToString());
    }

    /// <summary>The summary table's data rows split into cells (the totals row has no model cell).</summary>
    internal static List<string[]> TableLines(string output)
    {
        var lines = output.Split('\n');
        var header = Array.FindIndex(lines, l => l.TrimStart().StartsWith("provider", StringComparison.Ordinal));
        Assert.True(header >= 0, "no table header in:\n" + output);
        return lines.Skip(header + 2).TakeWhile(l => l.Trim().Length > 0).Select(l => l.Split(' ', StringSplitOptions.RemoveEmptyEntries)).ToList();
    }

    internal static Dictionary<string, string> Pairs(JsonElement row, string column)
    {
        var keys = row.GetProperty(column + ".Key").EnumerateArray().Select(e => e.GetString()!).ToList();
        var values = row.GetProperty(column + ".Value").EnumerateArray().Select(e => e.GetString()!).ToList();
        return keys.Zip(values).ToDictionary(p => p.First, p => p.Second);
    }
}
