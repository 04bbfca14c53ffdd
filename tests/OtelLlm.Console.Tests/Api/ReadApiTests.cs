using System.Net;
using System.Text.Json;

namespace OtelLlm.Console.Tests.Api;

/// <summary>The read API against the real receiver and ClickHouse, over the calls <see cref="SeedData"/> sent through the receiver.</summary>
public sealed class ReadApiTests(ConsoleReceiverFixture receiver) : IClassFixture<ConsoleReceiverFixture>
{
    private SeedData Seed => receiver.Seed;

    [Fact]
    public async Task Overview_TotalsMatchTheSeededCalls()
    {
        var overview = await receiver.GetJsonAsync("/api/v1/overview");
        var figures = overview.GetProperty("figures");
        Assert.Equal(Seed.Calls.Count, figures.GetProperty("calls").GetInt64());
        Assert.Equal(1, figures.GetProperty("errors").GetInt64());
        Assert.Equal(1.0 / Seed.Calls.Count, figures.GetProperty("errorRate").GetDouble(), 9);
        Assert.Equal(Seed.TotalCostUsd, figures.GetProperty("costUsd").GetDouble(), 9);
        Assert.Equal(Seed.Calls.Sum(c => 1050 + (long)c.DurationMs), figures.GetProperty("totalTokens").GetInt64());
        Assert.Equal(Seed.Calls.Average(c => c.DurationMs), figures.GetProperty("avgDurationMs").GetDouble(), 6);
        var latency = figures.GetProperty("latencyMs");
        Assert.InRange(latency.GetProperty("p50").GetDouble(), 150, 9000);
        Assert.InRange(latency.GetProperty("p99").GetDouble(), latency.GetProperty("p50").GetDouble(), 9000);
        Assert.Equal(350, figures.GetProperty("timeToFirstTokenMs").GetProperty("p50").GetDouble(), 6);

        var top = overview.GetProperty("topModels");
        Assert.Equal("gpt-4o", top[0].GetProperty("key").GetString());
        Assert.Equal(0.2542, top[0].GetProperty("costUsd").GetDouble(), 9);
        Assert.Equal(2, top[0].GetProperty("calls").GetInt64());
        var errorType = Assert.Single(overview.GetProperty("errorTypes").EnumerateArray());
        Assert.Equal("rate_limit_error", errorType.GetProperty("key").GetString());
        Assert.Equal(1, errorType.GetProperty("errors").GetInt64());
    }

    [Fact]
    public async Task Overview_FiltersOnRollupAndRawColumnsAgree()
    {
        // service is answered by the rollups; userId needs llm_calls: both must give the same totals as the seed.
        var billing = (await receiver.GetJsonAsync($"/api/v1/overview?service={SeedData.BillingService}")).GetProperty("figures");
        Assert.Equal(2, billing.GetProperty("calls").GetInt64());
        Assert.Equal(0.25, billing.GetProperty("costUsd").GetDouble(), 9);
        var bob = (await receiver.GetJsonAsync("/api/v1/overview?userId=u-bob")).GetProperty("figures");
        Assert.Equal(2, bob.GetProperty("calls").GetInt64());
        Assert.Equal(1, bob.GetProperty("errors").GetInt64());
        Assert.Equal(0.25, bob.GetProperty("costUsd").GetDouble(), 9);
        Assert.Equal((150 + 9000) / 2.0, bob.GetProperty("avgDurationMs").GetDouble(), 6);
        var text = (await receiver.GetJsonAsync("/api/v1/overview?q=QUARTERLY")).GetProperty("figures");
        Assert.Equal(1, text.GetProperty("calls").GetInt64());
        Assert.Equal(9000, text.GetProperty("latencyMs").GetProperty("p50").GetDouble(), 3);
    }

    [Fact]
    public async Task Energy_FromTheRollupAndFromTheCalls_IsTheSumOfEachCallsEstimate()
    {
        // Every seeded call's model has factors; the estimate of each is its tokens times its model's factors.
        await SeedData.WaitForAsync(receiver, "SELECT toString(sum(EnergyCalls)) FROM llm_energy_1m", Seed.Calls.Count.ToString(System.Globalization.CultureInfo.InvariantCulture));
        double Energy(SeededCall c) => OtelLlm.Semantics.Energy.EnergyFactorTable.Default.EstimateCall(
            c.Provider, c.Model, c.Model, new OtelLlm.Semantics.Pricing.TokenUsage(1000 + (long)c.DurationMs, 50), out _)!.Value;
        var total = Seed.Calls.Sum(Energy);
        var bobs = Seed.Calls.Where(c => c.UserId == "u-bob").Sum(Energy);
        Assert.True(total > 0);

        var all = (await receiver.GetJsonAsync("/api/v1/overview")).GetProperty("figures");
        Assert.Equal(total, all.GetProperty("energyWh").GetDouble(), 9);
        Assert.Equal(total * 436 / 1000, all.GetProperty("co2eGrams").GetDouble(), 9);
        // The billing service's calls are Bob's: once from the rollups, once from the calls themselves.
        var billing = (await receiver.GetJsonAsync($"/api/v1/overview?service={SeedData.BillingService}")).GetProperty("figures");
        var bob = (await receiver.GetJsonAsync("/api/v1/overview?userId=u-bob")).GetProperty("figures");
        Assert.Equal(bobs, billing.GetProperty("energyWh").GetDouble(), 9);
        Assert.Equal(bobs, bob.GetProperty("energyWh").GetDouble(), 9);
        var models = (await receiver.GetJsonAsync("/api/v1/overview/breakdown?by=model")).GetProperty("groups").EnumerateArray().ToList();
        Assert.Equal(total, models.Sum(g => g.GetProperty("energyWh").GetDouble()), 9);
        var series = (await receiver.GetJsonAsync("/api/v1/overview/series")).GetProperty("series").EnumerateArray().SelectMany(s => s.GetProperty("points").EnumerateArray());
        Assert.Equal(total, series.Sum(p => p.GetProperty("energyWh").GetDouble()), 9);

        var report = Seed["quarterly-report"];
        var call = await receiver.GetJsonAsync($"/api/v1/calls/{report.TraceId}/{report.SpanId}");
        Assert.Equal(Energy(report), call.GetProperty("call").GetProperty("energyWh").GetDouble(), 9);
        Assert.Equal("energy_factors", call.GetProperty("energySource").GetString());
    }

    [Fact]
    public async Task Breakdown_ByEveryDimension_AddsUpToTheTotals()
    {
        foreach (var by in new[] { "model", "provider", "service", "environment", "project", "status" })
        {
            var groups = (await receiver.GetJsonAsync($"/api/v1/overview/breakdown?by={by}")).GetProperty("groups").EnumerateArray().ToList();
            Assert.Equal(Seed.Calls.Count, groups.Sum(g => g.GetProperty("calls").GetInt64()));
            Assert.Equal(Seed.TotalCostUsd, groups.Sum(g => g.GetProperty("costUsd").GetDouble()), 9);
        }

        var providers = (await receiver.GetJsonAsync("/api/v1/overview/breakdown?by=provider")).GetProperty("groups");
        Assert.Equal(["openai", "gcp.gen_ai", "anthropic"], providers.EnumerateArray().Select(g => g.GetProperty("key").GetString()));
        Assert.Equal(4, providers[1].GetProperty("latencyMs").EnumerateObject().Count() + 1);
        var google = providers[1];
        Assert.Equal(6, google.GetProperty("calls").GetInt64());
        Assert.InRange(google.GetProperty("latencyMs").GetProperty("p95").GetDouble(), 300, 350);
    }

    [Fact]
    public async Task Series_PointsAddUpAndSplitByModel()
    {
        var whole = await receiver.GetJsonAsync("/api/v1/overview/series?step=300");
        Assert.Equal(300, whole.GetProperty("stepSeconds").GetInt32());
        var points = Assert.Single(whole.GetProperty("series").EnumerateArray()).GetProperty("points").EnumerateArray().ToList();
        Assert.Equal(Seed.Calls.Count, points.Sum(p => p.GetProperty("calls").GetInt64()));
        Assert.All(points, p => Assert.Equal(0, DateTimeOffset.Parse(p.GetProperty("time").GetString()!, System.Globalization.CultureInfo.InvariantCulture).ToUnixTimeSeconds() % 300));

        var byModel = await receiver.GetJsonAsync("/api/v1/overview/series?groupBy=model");
        var series = byModel.GetProperty("series").EnumerateArray().ToDictionary(s => s.GetProperty("key").GetString()!, s => s.GetProperty("points").EnumerateArray().Sum(p => p.GetProperty("calls").GetInt64()));
        Assert.Equal(new Dictionary<string, long> { ["gpt-4o"] = 2, ["gpt-4o-mini"] = 1, ["claude-sonnet-4"] = 1, ["gemini-2.0-flash"] = 6 }, series);

        var latency = await receiver.GetJsonAsync("/api/v1/overview/latency?groupBy=service&step=3600");
        var services = latency.GetProperty("series").EnumerateArray().Select(s => s.GetProperty("key").GetString()).Order().ToList();
        Assert.Equal([SeedData.BillingService, SeedData.ShopService], services);
    }

    [Fact]
    public async Task Calls_NewestFirstWithEveryListedColumn()
    {
        var page = await receiver.GetJsonAsync("/api/v1/calls");
        var items = page.GetProperty("items").EnumerateArray().ToList();
        Assert.Equal(Seed.Calls.OrderByDescending(c => c.Start).Select(c => c.SpanId), items.Select(i => i.GetProperty("spanId").GetString()));
        Assert.False(page.TryGetProperty("nextCursor", out _));
        var report = items.Single(i => i.GetProperty("spanId").GetString() == Seed["quarterly-report"].SpanId);
        Assert.Equal(Seed["quarterly-report"].TraceId, report.GetProperty("traceId").GetString());
        Assert.Equal("gpt-4o", report.GetProperty("model").GetString());
        Assert.Equal("openai", report.GetProperty("provider").GetString());
        Assert.Equal(SeedData.BillingService, report.GetProperty("service").GetString());
        Assert.Equal("staging", report.GetProperty("environment").GetString());
        Assert.Equal("u-bob", report.GetProperty("userId").GetString());
        Assert.Equal("s-report", report.GetProperty("sessionId").GetString());
        Assert.Equal("reports", report.GetProperty("workload").GetString());
        Assert.Equal(0.25, report.GetProperty("costUsd").GetDouble());
        Assert.Equal(9000, report.GetProperty("durationMs").GetDouble());
        Assert.Equal(10050, report.GetProperty("totalTokens").GetInt64());
        Assert.Equal("Ok", report.GetProperty("status").GetString());
        Assert.Equal(Seed["quarterly-report"].Start, DateTimeOffset.Parse(report.GetProperty("timestamp").GetString()!, System.Globalization.CultureInfo.InvariantCulture));
    }

    [Theory]
    [InlineData("model=gpt-4o", "order-help,quarterly-report")]
    [InlineData("provider=anthropic", "billing-ratelimit")]
    [InlineData("service=billing&environment=staging", "quarterly-report")]
    [InlineData("status=error", "billing-ratelimit")]
    [InlineData("status=ok&userId=u-bob", "quarterly-report")]
    [InlineData("sessionId=s-checkout", "order-help,order-thanks")]
    [InlineData("workload=support", "order-help,order-thanks")]
    [InlineData("q=delivery%20ADDRESS", "order-thanks")]
    [InlineData("q=get_order_status", "order-help")]
    [InlineData("q=shipped%20and%20arrives", "order-help")]
    [InlineData("minCost=0.1", "quarterly-report")]
    [InlineData("maxCost=0.0003&service=shop-api&model=gpt-4o-mini", "order-thanks")]
    [InlineData("minDurationMs=1000&maxDurationMs=2000", "order-help")]
    [InlineData("maxDurationMs=200", "billing-ratelimit")]
    public async Task Calls_FiltersNarrowTheRows(string filter, string expected)
    {
        var items = (await receiver.GetJsonAsync("/api/v1/calls?" + filter)).GetProperty("items").EnumerateArray();
        var names = items.Select(i => Seed.Calls.Single(c => c.SpanId == i.GetProperty("spanId").GetString()).Name).Order().ToList();
        Assert.Equal(expected.Split(',', StringSplitOptions.RemoveEmptyEntries).Order(), names);
    }

    [Theory]
    [InlineData("cost", "desc", "quarterly-report")]
    [InlineData("duration", "desc", "quarterly-report")]
    [InlineData("duration", "asc", "billing-ratelimit")]
    [InlineData("tokens", "asc", "billing-ratelimit")]
    [InlineData("time", "asc", "order-help")]
    public async Task Calls_SortedByEachKey(string sort, string order, string first)
    {
        var items = (await receiver.GetJsonAsync($"/api/v1/calls?sort={sort}&order={order}")).GetProperty("items").EnumerateArray().ToList();
        Assert.Equal(Seed[first].SpanId, items[0].GetProperty("spanId").GetString());
        Assert.Equal(Seed.Calls.Count, items.Count);
        var key = sort switch { "cost" => "costUsd", "duration" => "durationMs", "tokens" => "totalTokens", _ => "timestamp" };
        var values = items.Select(i => i.GetProperty(key).ValueKind == JsonValueKind.String ? i.GetProperty(key).GetString()! : i.GetProperty(key).GetDouble().ToString("000000000.000000", System.Globalization.CultureInfo.InvariantCulture)).ToList();
        Assert.Equal(order == "asc" ? values.Order(StringComparer.Ordinal) : values.OrderDescending(StringComparer.Ordinal), values);
    }

    [Fact]
    public async Task Call_HasEveryColumnTheContentAndItsFeedback()
    {
        var help = Seed["order-help"];
        using (var response = await receiver.SendAsync(HttpMethod.Post, "/api/v1/feedback", null,
            $$"""{"traceId":"{{help.TraceId}}","spanId":"{{help.SpanId}}","value":1,"comment":"exactly right","source":"user","id":"fb-read-1"}"""))
        {
            Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        }

        var detail = await receiver.GetJsonAsync($"/api/v1/calls/{help.TraceId}/{help.SpanId}");
        var call = detail.GetProperty("call");
        Assert.Equal(help.SpanId, call.GetProperty("spanId").GetString());
        Assert.Equal(Seed.RootSpanId, call.GetProperty("parentSpanId").GetString());
        Assert.True(call.GetProperty("streaming").GetBoolean());
        Assert.Equal(350, call.GetProperty("timeToFirstTokenMs").GetDouble());
        var content = detail.GetProperty("content");
        Assert.Equal("You are the shop's helpful assistant.", content.GetProperty("systemInstructions")[0].GetProperty("content").GetString());
        var input = content.GetProperty("inputMessages");
        Assert.Equal(["user", "assistant", "tool"], input.EnumerateArray().Select(m => m.GetProperty("role").GetString()));
        Assert.Equal(help.Prompt, input[0].GetProperty("parts")[0].GetProperty("content").GetString());
        var toolCall = input[1].GetProperty("parts")[0];
        Assert.Equal("tool_call", toolCall.GetProperty("type").GetString());
        Assert.Equal("get_order_status", toolCall.GetProperty("name").GetString());
        Assert.Equal("1234", toolCall.GetProperty("arguments").GetProperty("orderId").GetString());
        Assert.Equal("tool_call_response", input[2].GetProperty("parts")[0].GetProperty("type").GetString());
        Assert.Equal(help.Answer, content.GetProperty("outputMessages")[0].GetProperty("parts")[0].GetProperty("content").GetString());
        Assert.Equal("get_order_status", content.GetProperty("toolDefinitions")[0].GetProperty("name").GetString());
        Assert.Equal("span", detail.GetProperty("costSource").GetString());
        var feedback = Assert.Single(detail.GetProperty("feedback").EnumerateArray());
        Assert.Equal("fb-read-1", feedback.GetProperty("id").GetString());
        Assert.Equal(1, feedback.GetProperty("value").GetDouble());
        Assert.Equal("exactly right", feedback.GetProperty("comment").GetString());

        // The start the list gives narrows the lookup to that second, with the same answer.
        var at = Uri.EscapeDataString(call.GetProperty("timestamp").GetString()!);
        var byTime = await receiver.GetJsonAsync($"/api/v1/calls/{help.TraceId}/{help.SpanId}?at={at}");
        Assert.Equal(help.SpanId, byTime.GetProperty("call").GetProperty("spanId").GetString());
    }

    [Fact]
    public async Task Trace_HasEverySpanWithEventsTheCallAndTheLog()
    {
        var trace = await receiver.GetJsonAsync($"/api/v1/traces/{Seed.TraceId}");
        var spans = trace.GetProperty("spans").EnumerateArray().ToList();
        Assert.Equal(Seed.TraceSpanCount, spans.Count);
        Assert.Equal(Seed.RootSpanId, spans[0].GetProperty("spanId").GetString());
        Assert.False(spans[0].TryGetProperty("parentSpanId", out _));
        Assert.Equal("Server", spans[0].GetProperty("kind").GetString());
        var load = spans.Single(s => s.GetProperty("name").GetString() == "load order");
        Assert.Equal(Seed.RootSpanId, load.GetProperty("parentSpanId").GetString());
        var cacheMiss = Assert.Single(load.GetProperty("events").EnumerateArray());
        Assert.Equal("cache miss", cacheMiss.GetProperty("name").GetString());
        Assert.Equal("1234", cacheMiss.GetProperty("attributes").GetProperty("order.id").GetString());
        Assert.Equal(200, load.GetProperty("durationMs").GetDouble(), 3);
        var llm = Assert.Single(spans, s => s.GetProperty("isLlmCall").GetBoolean());
        Assert.Equal(Seed["order-help"].SpanId, llm.GetProperty("spanId").GetString());
        Assert.Equal(Seed["order-help"].SpanId, Assert.Single(trace.GetProperty("calls").EnumerateArray()).GetProperty("spanId").GetString());
        var log = Assert.Single(trace.GetProperty("logs").EnumerateArray());
        Assert.Equal("order 1234 looked up", log.GetProperty("body").GetString());
        Assert.Equal(Seed.RootSpanId, log.GetProperty("spanId").GetString());
        Assert.Equal(2300, trace.GetProperty("durationMs").GetDouble(), 3);
    }

    [Fact]
    public async Task Sessions_ListAndOneInOrderWithPrompts()
    {
        var sessions = (await receiver.GetJsonAsync("/api/v1/sessions")).GetProperty("items").EnumerateArray().ToList();
        Assert.Equal(["s-report", "s-invoice", "s-checkout"], sessions.Select(s => s.GetProperty("id").GetString()));
        var checkout = sessions[2];
        Assert.Equal(2, checkout.GetProperty("calls").GetInt64());
        Assert.Equal(0.0045, checkout.GetProperty("costUsd").GetDouble(), 9);
        Assert.Equal(["u-alice"], checkout.GetProperty("users").EnumerateArray().Select(u => u.GetString()));

        var detail = await receiver.GetJsonAsync("/api/v1/sessions/s-checkout");
        Assert.Equal(2, detail.GetProperty("totals").GetProperty("calls").GetInt64());
        var calls = detail.GetProperty("calls").EnumerateArray().ToList();
        Assert.Equal([Seed["order-help"].SpanId, Seed["order-thanks"].SpanId], calls.Select(c => c.GetProperty("call").GetProperty("spanId").GetString()));
        Assert.Equal(Seed["order-thanks"].Prompt, calls[1].GetProperty("prompt").GetString());
        Assert.Equal(Seed["order-thanks"].Answer, calls[1].GetProperty("answer").GetString());
    }

    [Fact]
    public async Task Users_ListAndOneWithTotals()
    {
        var users = (await receiver.GetJsonAsync("/api/v1/users")).GetProperty("items").EnumerateArray().ToList();
        Assert.Equal(["u-bob", "u-carol", "u-alice"], users.Select(u => u.GetProperty("id").GetString()));
        Assert.Equal(0.25, users[0].GetProperty("costUsd").GetDouble(), 9);
        Assert.Equal(1, users[0].GetProperty("errors").GetInt64());
        Assert.Equal(2, users[0].GetProperty("sessions").GetInt64());

        var carol = await receiver.GetJsonAsync("/api/v1/users/u-carol?service=shop-api");
        Assert.Equal(6, carol.GetProperty("totals").GetProperty("calls").GetInt64());
        var calls = carol.GetProperty("calls").EnumerateArray().ToList();
        Assert.Equal(Seed.Calls.Where(c => c.UserId == "u-carol").OrderBy(c => c.Start).Select(c => c.SpanId), calls.Select(c => c.GetProperty("call").GetProperty("spanId").GetString()));
        Assert.Equal("Find red shoes, size 38.", calls[0].GetProperty("prompt").GetString());
    }

    [Theory]
    [InlineData("/api/v1/calls?limit=0", "limit")]
    [InlineData("/api/v1/calls?sort=price", "sort")]
    [InlineData("/api/v1/calls?order=up", "order")]
    [InlineData("/api/v1/calls?cursor=bm9wZQ", "cursor")]
    [InlineData("/api/v1/calls?from=2025-06-02T00:00:00Z&to=2025-06-01T00:00:00Z", "from")]
    [InlineData("/api/v1/calls?from=yesterday", "from")]
    [InlineData("/api/v1/calls?status=failed", "status")]
    [InlineData("/api/v1/calls?minCost=-1", "minCost")]
    [InlineData("/api/v1/calls?minCost=2&maxCost=1", "minCost")]
    [InlineData("/api/v1/calls?minDurationMs=abc", "minDurationMs")]
    [InlineData("/api/v1/calls?q=x", "q")]
    [InlineData("/api/v1/overview?from=2020-01-01T00:00:00Z", "from")]
    [InlineData("/api/v1/overview/breakdown?by=color", "by")]
    [InlineData("/api/v1/overview/series?groupBy=user", "groupBy")]
    [InlineData("/api/v1/overview/series?step=90", "step")]
    [InlineData("/api/v1/overview/latency?step=60&from=2025-01-01T00:00:00Z&to=2025-03-01T00:00:00Z", "step")]
    [InlineData("/api/v1/calls/XYZ/0011223344556677", "traceId")]
    [InlineData("/api/v1/calls/0123456789abcdef0123456789abcdef/short", "spanId")]
    [InlineData("/api/v1/calls/0123456789abcdef0123456789abcdef/0011223344556677?at=noon", "at")]
    [InlineData("/api/v1/traces/00000000000000000000000000000000", "traceId")]
    [InlineData("/api/v1/sessions?limit=5000", "limit")]
    [InlineData("/api/v1/users?to=tomorrow", "to")]
    public async Task InvalidQueries_Answer400NamingTheParameter(string path, string field)
    {
        using var response = await receiver.SendAsync(HttpMethod.Get, path, receiver.ReadKey);
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.BadRequest, $"{path}: {(int)response.StatusCode} {text}");
        using var doc = JsonDocument.Parse(text);
        Assert.Contains(doc.RootElement.GetProperty("errors").EnumerateArray(), e => e.GetProperty("field").GetString() == field && e.GetProperty("message").GetString()!.Length > 10);
    }

    [Fact]
    public async Task CursorOfAnotherSort_IsRefused()
    {
        var page = await receiver.GetJsonAsync("/api/v1/calls?limit=2");
        using var response = await receiver.SendAsync(HttpMethod.Get, "/api/v1/calls?limit=2&sort=cost&cursor=" + page.GetProperty("nextCursor").GetString(), receiver.ReadKey);
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Contains("sorted by time desc", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("/api/v1/calls/0123456789abcdef0123456789abcdef/0011223344556677")]
    [InlineData("/api/v1/traces/0123456789abcdef0123456789abcdef")]
    [InlineData("/api/v1/sessions/no-such-session")]
    [InlineData("/api/v1/users/no-such-user")]
    public async Task Unknown_Answers404WithTheErrorBody(string path)
    {
        using var response = await receiver.SendAsync(HttpMethod.Get, path, receiver.ReadKey);
        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        using var doc = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        Assert.Contains("No ", doc.RootElement.GetProperty("errors")[0].GetProperty("message").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task OpenApiDocument_DescribesEveryReadEndpointAndItsFilters()
    {
        using var response = await receiver.SendAsync(HttpMethod.Get, "/openapi/v1.json", null);
        using var doc = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        var paths = doc.RootElement.GetProperty("paths");
        foreach (var path in new[] { "/api/v1/overview", "/api/v1/overview/breakdown", "/api/v1/overview/series", "/api/v1/overview/latency", "/api/v1/calls", "/api/v1/calls/{traceId}/{spanId}", "/api/v1/traces/{traceId}", "/api/v1/sessions", "/api/v1/sessions/{sessionId}", "/api/v1/users", "/api/v1/users/{userId}" })
        {
            var get = paths.GetProperty(path).GetProperty("get");
            Assert.Equal("read", get.GetProperty("x-scope").GetString());
            Assert.True(get.GetProperty("responses").TryGetProperty("200", out _), path);
        }

        var parameters = paths.GetProperty("/api/v1/calls").GetProperty("get").GetProperty("parameters").EnumerateArray().Select(p => p.GetProperty("name").GetString()).ToList();
        foreach (var name in new[] { "from", "to", "project", "service", "environment", "provider", "model", "status", "userId", "sessionId", "workload", "q", "minCost", "maxCost", "minDurationMs", "maxDurationMs", "sort", "order", "limit", "cursor" })
        {
            Assert.Contains(name, parameters);
        }

        Assert.Equal(parameters.Count, parameters.Distinct().Count());
    }
}
