using System.Globalization;
using System.Net;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using OtelLlm.Receiver.Api.Alerts;

namespace OtelLlm.Api.Tests;

/// <summary>
/// The receiver with the alert evaluator checking rules five times a second, a clock the tests move forward (so a window
/// empties without waiting for it), fast webhook retries, and a real HTTP server as the webhook target.
/// </summary>
public sealed class AlertsFixture : ApiReceiverFixture
{
    public ShiftedClock Clock { get; } = new();

    public WebhookSink Sink { get; } = new();

    internal AlertEvaluator Evaluator => Services.GetRequiredService<AlertEvaluator>();

    protected override IEnumerable<KeyValuePair<string, string>> ExtraSettings =>
    [
        new("OtelLlm:Api:Alerts:EvaluationInterval", "00:00:00.2"),
        new("OtelLlm:Api:Alerts:WebhookFirstRetryDelay", "00:00:00.05"),
        new("OtelLlm:Api:Alerts:WebhookMaxRetryDelay", "00:00:00.2"),
        new("OtelLlm:Api:Alerts:WebhookMaxAttempts", "3"),
    ];

    public override async Task InitializeAsync()
    {
        await Sink.StartAsync();
        await base.InitializeAsync();
    }

    public override async Task DisposeAsync()
    {
        await base.DisposeAsync();
        await Sink.DisposeAsync();
    }

    protected override void ConfigureServices(IServiceCollection services)
        => services.AddKeyedSingleton<TimeProvider>(AlertEvaluator.ClockKey, Clock);

    /// <summary>Waits until the evaluator has completed <paramref name="passes"/> more passes over every rule.</summary>
    public Task PassesAsync(int passes)
    {
        var target = Evaluator.Passes + passes;
        return Until.TrueAsync(() => Task.FromResult(Evaluator.Passes >= target), $"{passes} evaluation passes");
    }
}

/// <summary>The system clock moved forward by however much a test asks.</summary>
public sealed class ShiftedClock : TimeProvider
{
    private long _offsetTicks;

    public override DateTimeOffset GetUtcNow() => base.GetUtcNow().AddTicks(Interlocked.Read(ref _offsetTicks));

    public void Advance(TimeSpan by) => Interlocked.Add(ref _offsetTicks, by.Ticks);
}

public sealed class AlertTests(AlertsFixture receiver) : IClassFixture<AlertsFixture>
{
    private static string Unique(string prefix) => prefix + "-" + Guid.NewGuid().ToString("N")[..8];

    [Fact]
    public async Task ErrorRate_AboveThreshold_FiresThenResolvesWhenTheWindowEmpties_WebhookGetsBoth()
    {
        var service = Unique("err");
        var hook = $"ok/{service}";
        var rule = await CreateRuleAsync(new { name = "Errors " + service, kind = "error_rate", threshold = 50, windowMinutes = 5, cooldownMinutes = 0, filters = new { service }, webhooks = new[] { receiver.Sink.Url(hook) } });
        await SendCallsAsync(service, count: 4, errors: 3);
        await SendCallsAsync(Unique("other"), count: 4, errors: 0);

        var fired = await EventAsync(rule, "firing");
        Assert.Equal(75, fired.GetProperty("value").GetDouble(), 9);
        Assert.Equal(50, fired.GetProperty("threshold").GetDouble());
        Assert.Equal("%", fired.GetProperty("unit").GetString());
        Assert.Equal("error_rate", fired.GetProperty("kind").GetString());
        Assert.Equal("alpha", fired.GetProperty("project").GetString());
        Assert.Equal(fired.GetProperty("id").GetString(), fired.GetProperty("incidentId").GetString());
        Assert.Contains("Error rate 75% is above the threshold of 50 %", fired.GetProperty("message").GetString(), StringComparison.Ordinal);
        Assert.Contains("4 calls", fired.GetProperty("message").GetString(), StringComparison.Ordinal);
        Assert.Equal("firing", (await GetRuleAsync(rule)).GetProperty("state").GetString());

        var delivered = await DeliveredAsync(fired.GetProperty("id").GetString()!);
        var delivery = Assert.Single(delivered.GetProperty("deliveries").EnumerateArray());
        Assert.True(delivery.GetProperty("delivered").GetBoolean());
        Assert.Equal(1, delivery.GetProperty("attempts").GetInt32());
        Assert.Equal(200, delivery.GetProperty("lastStatus").GetInt32());
        var posted = Assert.Single(receiver.Sink.To(hook));
        Assert.StartsWith("application/json", posted.ContentType, StringComparison.Ordinal);
        Assert.Equal(fired.GetProperty("id").GetString(), posted.EventId);
        using (var payload = JsonDocument.Parse(posted.Body))
        {
            var p = payload.RootElement;
            Assert.Equal("otel_llm.alert", p.GetProperty("type").GetString());
            Assert.Equal(1, p.GetProperty("version").GetInt32());
            Assert.Equal("firing", p.GetProperty("state").GetString());
            Assert.Equal(fired.GetProperty("id").GetString(), p.GetProperty("eventId").GetString());
            Assert.Equal(rule, p.GetProperty("rule").GetProperty("id").GetString());
            Assert.Equal("error_rate", p.GetProperty("rule").GetProperty("kind").GetString());
            Assert.Equal(service, p.GetProperty("rule").GetProperty("filters").GetProperty("service").GetString());
            Assert.Equal(75, p.GetProperty("value").GetDouble(), 9);
            Assert.Equal("%", p.GetProperty("unit").GetString());
            Assert.Equal(fired.GetProperty("message").GetString(), p.GetProperty("message").GetString());
            Assert.Equal(fired.GetProperty("windowStart").GetString(), p.GetProperty("windowStart").GetString());
        }

        // Ten minutes on, the five-minute window holds no calls: the incident resolves.
        receiver.Clock.Advance(TimeSpan.FromMinutes(10));
        var resolved = await EventAsync(rule, "resolved");
        Assert.Equal(fired.GetProperty("id").GetString(), resolved.GetProperty("incidentId").GetString());
        Assert.NotEqual(fired.GetProperty("id").GetString(), resolved.GetProperty("id").GetString());
        Assert.False(resolved.TryGetProperty("value", out _));
        Assert.Contains("No calls", resolved.GetProperty("message").GetString(), StringComparison.Ordinal);
        await DeliveredAsync(resolved.GetProperty("id").GetString()!);
        Assert.Equal(["firing", "resolved"], receiver.Sink.To(hook).Select(r => JsonDocument.Parse(r.Body).RootElement.GetProperty("state").GetString()));
        Assert.Equal("ok", (await GetRuleAsync(rule)).GetProperty("state").GetString());
    }

    [Fact]
    public async Task LatencyP95_SlowCalls_Fire()
    {
        var service = Unique("slow");
        var rule = await CreateRuleAsync(new { name = "Slow " + service, kind = "latency_p95", threshold = 1000, windowMinutes = 5, filters = new { service, provider = "OpenAI", model = "gpt-4o" } });
        await SendCallsAsync(service, count: 5, errors: 0, durationMs: 3000);
        await SendCallsAsync(service, count: 5, errors: 0, durationMs: 9000, model: "gpt-4o-mini");

        var fired = await EventAsync(rule, "firing");
        Assert.Equal(3000, fired.GetProperty("value").GetDouble(), 0);
        Assert.Equal("ms", fired.GetProperty("unit").GetString());
        Assert.Contains("P95 latency 3000 ms", fired.GetProperty("message").GetString(), StringComparison.Ordinal);
        Assert.Contains("provider openai, model gpt-4o", fired.GetProperty("message").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task TokenSpike_TenTimesThePreviousWindow_Fires()
    {
        var service = Unique("spike");
        var rule = await CreateRuleAsync(new { name = "Spike " + service, kind = "token_spike", threshold = 3, windowMinutes = 5, filters = new { service } });
        var now = receiver.Clock.GetUtcNow();
        await SendCallsAsync(service, count: 1, errors: 0, inputTokens: 60, outputTokens: 40, at: now.AddMinutes(-5));
        await SendCallsAsync(service, count: 2, errors: 0, inputTokens: 300, outputTokens: 200, at: now);

        var fired = await EventAsync(rule, "firing");
        Assert.Equal(10, fired.GetProperty("value").GetDouble(), 9);
        Assert.Equal("ratio", fired.GetProperty("unit").GetString());
        Assert.Contains("Tokens 10× the previous window", fired.GetProperty("message").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Cost_AboveThreshold_Fires_AndDisablingTheRuleResolvesIt()
    {
        var service = Unique("cost");
        var rule = await CreateRuleAsync(new { name = "Spend " + service, kind = "cost", threshold = 1.0, windowMinutes = 15, filters = new { service } });
        await SendCallsAsync(service, count: 3, errors: 0, costUsd: 0.5);

        var fired = await EventAsync(rule, "firing");
        Assert.Equal(1.5, fired.GetProperty("value").GetDouble(), 9);
        Assert.Equal("USD", fired.GetProperty("unit").GetString());

        using var put = await receiver.SendAsync(HttpMethod.Put, $"/api/v1/alerts/rules/{rule}", ApiReceiverFixture.AdminKey, Json(new { name = "Spend " + service, kind = "cost", threshold = 1.0, windowMinutes = 15, filters = new { service }, enabled = false }));
        Assert.Equal(HttpStatusCode.OK, put.StatusCode);
        var resolved = await EventAsync(rule, "resolved");
        Assert.Equal(fired.GetProperty("id").GetString(), resolved.GetProperty("incidentId").GetString());
        Assert.Equal("The rule was disabled.", resolved.GetProperty("message").GetString());
    }

    [Fact]
    public async Task Cooldown_HoldsBackFiringAgainUntilItHasPassed()
    {
        var service = Unique("cool");
        var rule = await CreateRuleAsync(new { name = "Cooldown " + service, kind = "cost", threshold = 0.5, windowMinutes = 5, cooldownMinutes = 30, filters = new { service } });
        await SendCallsAsync(service, count: 1, errors: 0, costUsd: 1);
        var first = await EventAsync(rule, "firing");

        receiver.Clock.Advance(TimeSpan.FromMinutes(10));
        await EventAsync(rule, "resolved");
        await SendCallsAsync(service, count: 1, errors: 0, costUsd: 1);
        await receiver.PassesAsync(3);
        Assert.Single(await EventsAsync(rule, "firing"));

        // 35 minutes after the first firing the cooldown is over.
        receiver.Clock.Advance(TimeSpan.FromMinutes(25));
        await SendCallsAsync(service, count: 1, errors: 0, costUsd: 1);
        var firings = await Until.ValueAsync(async () => await EventsAsync(rule, "firing") is { Count: 2 } list ? list : null, "the second firing");
        Assert.NotEqual(first.GetProperty("incidentId").GetString(), firings[0].GetProperty("incidentId").GetString());
    }

    [Fact]
    public async Task Acknowledge_MarksTheEventOnce_AndNeedsTheAdminScope()
    {
        var service = Unique("ack");
        var rule = await CreateRuleAsync(new { name = "Ack " + service, kind = "cost", threshold = 0, windowMinutes = 5, filters = new { service } });
        await SendCallsAsync(service, count: 1, errors: 0, costUsd: 0.25);
        var id = (await EventAsync(rule, "firing")).GetProperty("id").GetString()!;

        using var refused = await receiver.PostJsonAsync($"/api/v1/alerts/events/{id}/acknowledge", ApiReceiverFixture.ReadKey, "{}");
        (await refused.ErrorsAsync(HttpStatusCode.Forbidden)).AssertHas(null, null, "'admin'");
        using var unknownField = await receiver.PostJsonAsync($"/api/v1/alerts/events/{id}/acknowledge", ApiReceiverFixture.AdminKey, """{"who":"x"}""");
        (await unknownField.ErrorsAsync(HttpStatusCode.BadRequest)).AssertHas(0, "who", "Unknown field");
        using var missing = await receiver.PostJsonAsync("/api/v1/alerts/events/0000nosuchevent/acknowledge", ApiReceiverFixture.AdminKey, "{}");
        (await missing.ErrorsAsync(HttpStatusCode.NotFound)).AssertHas(null, "id", "no alert event");
        using var otherProject = await receiver.PostJsonAsync($"/api/v1/alerts/events/{id}/acknowledge", ApiReceiverFixture.BetaKey, "{}");
        Assert.Equal(HttpStatusCode.NotFound, otherProject.StatusCode);
        Assert.Empty(await EventsAsync(rule, "firing", "&acknowledged=true"));

        using var ack = await receiver.PostJsonAsync($"/api/v1/alerts/events/{id}/acknowledge", ApiReceiverFixture.AdminKey, """{"by":"alice"}""");
        Assert.Equal(HttpStatusCode.OK, ack.StatusCode);
        var acked = await ack.JsonAsync();
        Assert.Equal("alice", acked.GetProperty("acknowledgedBy").GetString());
        var at = acked.GetProperty("acknowledgedAt").GetString();
        Assert.NotNull(at);

        using var again = await receiver.SendAsync(HttpMethod.Post, $"/api/v1/alerts/events/{id}/acknowledge", ApiReceiverFixture.AdminKey, content: null);
        Assert.Equal(HttpStatusCode.OK, again.StatusCode);
        Assert.Equal("alice", (await again.JsonAsync()).GetProperty("acknowledgedBy").GetString());

        using var read = await receiver.GetAsync($"/api/v1/alerts/events/{id}", ApiReceiverFixture.ReadKey);
        var stored = await read.JsonAsync();
        Assert.Equal("alice", stored.GetProperty("acknowledgedBy").GetString());
        Assert.Equal(at, stored.GetProperty("acknowledgedAt").GetString());
        Assert.Equal(id, Assert.Single(await EventsAsync(rule, "firing", "&acknowledged=true")).GetProperty("id").GetString());
    }

    [Fact]
    public async Task SlackWebhook_GetsTextAndBlocks_WithMarkupEscaped()
    {
        var service = Unique("slack");
        var hook = $"ok/{service}";
        var rule = await CreateRuleAsync(new { name = "Spend <b> & " + service, kind = "cost", threshold = 0.1, windowMinutes = 5, filters = new { service }, webhooks = new object[] { new { url = receiver.Sink.Url(hook), format = "slack" } } });
        await SendCallsAsync(service, count: 1, errors: 0, costUsd: 0.2);
        var fired = await EventAsync(rule, "firing");
        await DeliveredAsync(fired.GetProperty("id").GetString()!);

        using var payload = JsonDocument.Parse(Assert.Single(receiver.Sink.To(hook)).Body);
        var p = payload.RootElement;
        Assert.Equal(["text", "blocks"], p.EnumerateObject().Select(o => o.Name));
        var text = p.GetProperty("text").GetString()!;
        Assert.StartsWith(":rotating_light: [FIRING] Spend &lt;b&gt; &amp; " + service, text, StringComparison.Ordinal);
        Assert.DoesNotContain("<", text, StringComparison.Ordinal);
        var blocks = p.GetProperty("blocks");
        Assert.Equal(2, blocks.GetArrayLength());
        Assert.Equal("section", blocks[0].GetProperty("type").GetString());
        Assert.Equal("mrkdwn", blocks[0].GetProperty("text").GetProperty("type").GetString());
        Assert.Contains("Cost $0.2 is above the threshold of 0.1 USD", blocks[0].GetProperty("text").GetProperty("text").GetString(), StringComparison.Ordinal);
        Assert.Equal("context", blocks[1].GetProperty("type").GetString());
        var context = blocks[1].GetProperty("elements")[0];
        Assert.Equal("mrkdwn", context.GetProperty("type").GetString());
        Assert.Contains(fired.GetProperty("id").GetString()!, context.GetProperty("text").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task FailedDeliveries_AreRetriedWithBackoff_AndRecordedOnTheEvent()
    {
        var service = Unique("hooks");
        var hooks = new[] { $"fail/{service}", $"gone/{service}", $"flaky/{service}", $"ok/{service}" };
        var unreachable = "http://127.0.0.1:9/" + service;
        var rule = await CreateRuleAsync(new { name = "Hooks " + service, kind = "cost", threshold = 0.1, windowMinutes = 5, filters = new { service }, webhooks = hooks.Select(receiver.Sink.Url).Append(unreachable).ToArray() });
        await SendCallsAsync(service, count: 1, errors: 0, costUsd: 0.2);
        var fired = await EventAsync(rule, "firing");
        var deliveries = (await DeliveredAsync(fired.GetProperty("id").GetString()!)).GetProperty("deliveries").EnumerateArray().ToList();
        Assert.Equal(5, deliveries.Count);

        // 500: tried the most times allowed (3), then given up.
        Assert.False(deliveries[0].GetProperty("delivered").GetBoolean());
        Assert.Equal(3, deliveries[0].GetProperty("attempts").GetInt32());
        Assert.Equal(500, deliveries[0].GetProperty("lastStatus").GetInt32());
        Assert.Contains("HTTP 500", deliveries[0].GetProperty("lastError").GetString(), StringComparison.Ordinal);
        Assert.Contains("boom", deliveries[0].GetProperty("lastError").GetString(), StringComparison.Ordinal);
        Assert.Equal(3, receiver.Sink.To(hooks[0]).Count);

        // 404 is final: one try.
        Assert.False(deliveries[1].GetProperty("delivered").GetBoolean());
        Assert.Equal(1, deliveries[1].GetProperty("attempts").GetInt32());
        Assert.Equal(404, deliveries[1].GetProperty("lastStatus").GetInt32());
        Assert.Single(receiver.Sink.To(hooks[1]));

        // 503 twice, then 200.
        Assert.True(deliveries[2].GetProperty("delivered").GetBoolean());
        Assert.Equal(3, deliveries[2].GetProperty("attempts").GetInt32());
        Assert.False(deliveries[2].TryGetProperty("lastError", out _));
        Assert.Equal(3, receiver.Sink.To(hooks[2]).Count);

        Assert.True(deliveries[3].GetProperty("delivered").GetBoolean());
        Assert.Equal(1, deliveries[3].GetProperty("attempts").GetInt32());

        // Nothing listens: no status, the connection error, every try used.
        Assert.False(deliveries[4].GetProperty("delivered").GetBoolean());
        Assert.Equal(3, deliveries[4].GetProperty("attempts").GetInt32());
        Assert.False(deliveries[4].TryGetProperty("lastStatus", out _));
        Assert.False(string.IsNullOrWhiteSpace(deliveries[4].GetProperty("lastError").GetString()));
        Assert.Equal(unreachable, deliveries[4].GetProperty("url").GetString());

        // A key without the admin scope sees where webhooks go, not their secret paths.
        using var read = await receiver.GetAsync($"/api/v1/alerts/events/{fired.GetProperty("id").GetString()}", ApiReceiverFixture.ReadKey);
        var masked = (await read.JsonAsync()).GetProperty("deliveries")[4].GetProperty("url").GetString();
        Assert.Equal("http://127.0.0.1:9/…", masked);
    }

    [Fact]
    public async Task Rules_CreateReadReplaceDelete()
    {
        var service = Unique("crud");
        var body = new { name = "Crud " + service, kind = "latency_p95", threshold = 2500, filters = new { service, provider = "Anthropic" }, webhooks = new[] { "https://hooks.slack.com/services/T000/B000/XXXX", "http://127.0.0.1:1/hook" }, enabled = false };
        using var created = await receiver.PostJsonAsync("/api/v1/alerts/rules", ApiReceiverFixture.AdminKey, body);
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        var rule = await created.JsonAsync();
        var id = rule.GetProperty("id").GetString()!;
        Assert.Matches("^[0-9a-f]{20}$", id);
        Assert.Equal(5, rule.GetProperty("windowMinutes").GetInt32());
        Assert.Equal(15, rule.GetProperty("cooldownMinutes").GetInt32());
        Assert.False(rule.GetProperty("enabled").GetBoolean());
        Assert.Equal("ok", rule.GetProperty("state").GetString());
        Assert.Equal("alpha", rule.GetProperty("filters").GetProperty("project").GetString());
        Assert.Equal("anthropic", rule.GetProperty("filters").GetProperty("provider").GetString());
        Assert.Equal("slack", rule.GetProperty("webhooks")[0].GetProperty("format").GetString());
        Assert.Equal("json", rule.GetProperty("webhooks")[1].GetProperty("format").GetString());

        var read = await GetRuleAsync(id);
        Assert.Equal(rule.GetProperty("revision").GetUInt64(), read.GetProperty("revision").GetUInt64());
        Assert.Equal("https://hooks.slack.com/services/T000/B000/XXXX", read.GetProperty("webhooks")[0].GetProperty("url").GetString());
        using (var asReader = await receiver.GetAsync($"/api/v1/alerts/rules/{id}", ApiReceiverFixture.ReadKey))
        {
            Assert.Equal("https://hooks.slack.com/…", (await asReader.JsonAsync()).GetProperty("webhooks")[0].GetProperty("url").GetString());
        }

        using (var list = await receiver.GetAsync("/api/v1/alerts/rules", ApiReceiverFixture.ReadKey))
        {
            Assert.Contains((await list.JsonAsync()).GetProperty("items").EnumerateArray(), r => r.GetProperty("id").GetString() == id);
        }

        using (var beta = await receiver.GetAsync($"/api/v1/alerts/rules/{id}", ApiReceiverFixture.BetaKey))
        {
            (await beta.ErrorsAsync(HttpStatusCode.NotFound)).AssertHas(null, "id", "no alert rule");
        }

        using (var put = await receiver.SendAsync(HttpMethod.Put, $"/api/v1/alerts/rules/{id}", ApiReceiverFixture.AdminKey, Json(new { name = "Renamed", kind = "error_rate", threshold = 5, windowMinutes = 10, cooldownMinutes = 0, enabled = false })))
        {
            Assert.Equal(HttpStatusCode.OK, put.StatusCode);
            var replaced = await put.JsonAsync();
            Assert.Equal(id, replaced.GetProperty("id").GetString());
            Assert.Equal("Renamed", replaced.GetProperty("name").GetString());
            Assert.Equal("error_rate", replaced.GetProperty("kind").GetString());
            Assert.Equal(0, replaced.GetProperty("webhooks").GetArrayLength());
            Assert.False(replaced.GetProperty("filters").TryGetProperty("service", out _));
            Assert.True(replaced.GetProperty("revision").GetUInt64() > rule.GetProperty("revision").GetUInt64());
            Assert.Equal(rule.GetProperty("createdAt").GetString(), replaced.GetProperty("createdAt").GetString());
        }

        Assert.Equal("Renamed", (await GetRuleAsync(id)).GetProperty("name").GetString());
        using (var delete = await receiver.SendAsync(HttpMethod.Delete, $"/api/v1/alerts/rules/{id}", ApiReceiverFixture.AdminKey, content: null))
        {
            Assert.Equal(HttpStatusCode.NoContent, delete.StatusCode);
        }

        using (var gone = await receiver.GetAsync($"/api/v1/alerts/rules/{id}", ApiReceiverFixture.ReadKey))
        {
            (await gone.ErrorsAsync(HttpStatusCode.NotFound)).AssertHas(null, "id", id);
        }

        using (var again = await receiver.SendAsync(HttpMethod.Delete, $"/api/v1/alerts/rules/{id}", ApiReceiverFixture.AdminKey, content: null))
        {
            Assert.Equal(HttpStatusCode.NotFound, again.StatusCode);
        }

        using (var putDeleted = await receiver.SendAsync(HttpMethod.Put, $"/api/v1/alerts/rules/{id}", ApiReceiverFixture.AdminKey, Json(new { name = "x", kind = "cost", threshold = 1 })))
        {
            Assert.Equal(HttpStatusCode.NotFound, putDeleted.StatusCode);
        }

        using (var list = await receiver.GetAsync("/api/v1/alerts/rules", ApiReceiverFixture.ReadKey))
        {
            Assert.DoesNotContain((await list.JsonAsync()).GetProperty("items").EnumerateArray(), r => r.GetProperty("id").GetString() == id);
        }

        var stored = await receiver.Database.Client.QueryAsync($"SELECT count(), sum(Deleted) FROM alert_rules WHERE RuleId = '{id}'", "count rule revisions");
        Assert.Equal(["3", "1"], stored[0]);
    }

    [Fact]
    public async Task Rules_InvalidBody_ListsEveryError_AndStoresNothing()
    {
        var name = Unique("invalid");
        var body = $$"""
            {"kind": "p99", "threshold": -1, "windowMinutes": 0, "cooldownMinutes": "x", "enabled": "yes", "severity": "high",
             "filters": {"team": "a", "service": 5},
             "webhooks": ["ftp://example.com/x", 5, {"url": "http://a.example/x", "format": "xml"}, {"format": "json"}],
             "comment": "{{name}}"}
            """;
        using var response = await receiver.PostJsonAsync("/api/v1/alerts/rules", ApiReceiverFixture.AdminKey, body);
        var errors = await response.ErrorsAsync(HttpStatusCode.BadRequest);
        errors.AssertHas(0, "name", "Required");
        errors.AssertHas(0, "kind", "error_rate, latency_p95, token_spike, cost");
        errors.AssertHas(0, "threshold", "out of range");
        errors.AssertHas(0, "windowMinutes", "1 to 1440");
        errors.AssertHas(0, "cooldownMinutes", "whole number");
        errors.AssertHas(0, "enabled", "true or false");
        errors.AssertHas(0, "severity", "Unknown field");
        errors.AssertHas(0, "comment", "Unknown field");
        errors.AssertHas(0, "filters.team", "Unknown field");
        errors.AssertHas(0, "filters.service", "Expected a string");
        errors.AssertHas(0, "webhooks[0]", "http:// or https://");
        errors.AssertHas(0, "webhooks[1]", "Expected a URL");
        errors.AssertHas(0, "webhooks[2].format", "json, slack");
        errors.AssertHas(0, "webhooks[3].url", "Required");

        using var rate = await receiver.PostJsonAsync("/api/v1/alerts/rules", ApiReceiverFixture.AdminKey, """{"name":"r","kind":"error_rate","threshold":150}""");
        (await rate.ErrorsAsync(HttpStatusCode.BadRequest)).AssertHas(0, "threshold", "above 100");
        using var tooMany = await receiver.PostJsonAsync("/api/v1/alerts/rules", ApiReceiverFixture.AdminKey, JsonSerializer.Serialize(new { name = "r", kind = "cost", threshold = 1, webhooks = Enumerable.Range(0, 11).Select(i => $"http://127.0.0.1/{i}") }));
        (await tooMany.ErrorsAsync(HttpStatusCode.BadRequest)).AssertHas(0, "webhooks", "at most 10");
        using var notJson = await receiver.SendAsync(HttpMethod.Post, "/api/v1/alerts/rules", ApiReceiverFixture.AdminKey, new StringContent("name=x"));
        await notJson.ErrorsAsync(HttpStatusCode.UnsupportedMediaType);
        using var otherProject = await receiver.PostJsonAsync("/api/v1/alerts/rules", ApiReceiverFixture.AdminKey, """{"name":"r","kind":"cost","threshold":1,"filters":{"project":"beta"}}""");
        (await otherProject.ErrorsAsync(HttpStatusCode.Forbidden)).AssertHas(0, "filters.project", "'beta'");
        using var badQuery = await receiver.GetAsync("/api/v1/alerts/events?state=open&limit=0&acknowledged=maybe", ApiReceiverFixture.ReadKey);
        var queryErrors = await badQuery.ErrorsAsync(HttpStatusCode.BadRequest);
        queryErrors.AssertHas(null, "state", "firing, resolved");
        queryErrors.AssertHas(null, "limit", "1 to 1000");
        queryErrors.AssertHas(null, "acknowledged", "true or false");

        var stored = await receiver.Database.Client.ScalarAsync("SELECT count() FROM alert_rules WHERE Name IN ('r', '')", "count refused rules");
        Assert.Equal("0", stored);
    }

    [Fact]
    public async Task Scopes_AreEnforcedOnEveryAlertEndpoint()
    {
        var rule = JsonSerializer.Serialize(new { name = "Scoped", kind = "cost", threshold = 1 });
        using (var r = await receiver.PostJsonAsync("/api/v1/alerts/rules", ApiReceiverFixture.ReadKey, rule))
        {
            (await r.ErrorsAsync(HttpStatusCode.Forbidden)).AssertHas(null, null, "'admin'");
        }

        using (var r = await receiver.GetAsync("/api/v1/alerts/rules", ApiReceiverFixture.FeedbackKey))
        {
            (await r.ErrorsAsync(HttpStatusCode.Forbidden)).AssertHas(null, null, "'read'");
        }

        using (var r = await receiver.GetAsync("/api/v1/alerts/events", ApiReceiverFixture.IngestKey))
        {
            (await r.ErrorsAsync(HttpStatusCode.Forbidden)).AssertHas(null, null, "'read'");
        }

        using (var r = await receiver.SendAsync(HttpMethod.Put, "/api/v1/alerts/rules/x", ApiReceiverFixture.ReadKey, Json(new { name = "x" })))
        {
            (await r.ErrorsAsync(HttpStatusCode.Forbidden)).AssertHas(null, null, "'admin'");
        }

        using (var r = await receiver.SendAsync(HttpMethod.Delete, "/api/v1/alerts/rules/x", ApiReceiverFixture.IngestKey, content: null))
        {
            (await r.ErrorsAsync(HttpStatusCode.Forbidden)).AssertHas(null, null, "'admin'");
        }

        using (var r = await receiver.GetAsync("/api/v1/alerts/rules", key: null))
        {
            await r.ErrorsAsync(HttpStatusCode.Unauthorized);
        }

        // An admin-only key manages rules but cannot list them.
        using (var r = await receiver.PostJsonAsync("/api/v1/alerts/rules", ApiReceiverFixture.AdminKey, rule))
        {
            Assert.Equal(HttpStatusCode.Created, r.StatusCode);
        }

        using (var r = await receiver.GetAsync("/api/v1/alerts/rules", ApiReceiverFixture.AdminKey))
        {
            (await r.ErrorsAsync(HttpStatusCode.Forbidden)).AssertHas(null, null, "'read'");
        }
    }

    private static StringContent Json(object body) => new(JsonSerializer.Serialize(body), System.Text.Encoding.UTF8, "application/json");

    private async Task<string> CreateRuleAsync(object body)
    {
        using var response = await receiver.PostJsonAsync("/api/v1/alerts/rules", ApiReceiverFixture.AdminKey, JsonSerializer.Serialize(body));
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.Created, text);
        using var doc = JsonDocument.Parse(text);
        return doc.RootElement.GetProperty("id").GetString()!;
    }

    private async Task<JsonElement> GetRuleAsync(string id)
    {
        using var response = await receiver.GetAsync($"/api/v1/alerts/rules/{id}", ApiReceiverFixture.AllKey);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return await response.JsonAsync();
    }

    /// <summary>Calls of one service sent through the ingest API at the alert clock's time (or <paramref name="at"/>).</summary>
    private async Task SendCallsAsync(
        string service,
        int count,
        int errors,
        double durationMs = 100,
        long inputTokens = 10,
        long outputTokens = 5,
        double costUsd = 0.001,
        string model = "gpt-4o",
        DateTimeOffset? at = null)
    {
        var start = (at ?? receiver.Clock.GetUtcNow()).AddSeconds(-1).ToUnixTimeMilliseconds();
        var items = Enumerable.Range(0, count).Select(i => new Dictionary<string, object>
        {
            ["timestamp"] = start,
            ["durationMs"] = durationMs,
            ["provider"] = "openai",
            ["model"] = model,
            ["service"] = service,
            ["usage"] = new { inputTokens, outputTokens },
            ["costUsd"] = costUsd,
            ["status"] = i < errors ? "error" : "ok",
        }).ToList();
        using var response = await receiver.PostJsonAsync("/api/v1/ingest/llm", ApiReceiverFixture.IngestKey, JsonSerializer.Serialize(new { items }));
        Assert.True(response.IsSuccessStatusCode, await response.Content.ReadAsStringAsync());
    }

    private async Task<List<JsonElement>> EventsAsync(string ruleId, string state, string extra = "")
    {
        var from = Uri.EscapeDataString(DateTimeOffset.UtcNow.AddDays(-1).ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture));
        var to = Uri.EscapeDataString(DateTimeOffset.UtcNow.AddDays(2).ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture));
        using var response = await receiver.GetAsync($"/api/v1/alerts/events?ruleId={ruleId}&state={state}&from={from}&to={to}{extra}", ApiReceiverFixture.AllKey);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return [.. (await response.JsonAsync()).GetProperty("items").EnumerateArray()];
    }

    private Task<JsonElement> EventAsync(string ruleId, string state)
        => Until.StructAsync<JsonElement>(async () => await EventsAsync(ruleId, state) is [var e, ..] ? e : null, $"a {state} event of rule {ruleId}");

    /// <summary>The event once every webhook delivery has an outcome (delivered, or failed after its last try).</summary>
    private Task<JsonElement> DeliveredAsync(string eventId)
        => Until.StructAsync<JsonElement>(
            async () =>
            {
                using var response = await receiver.GetAsync($"/api/v1/alerts/events/{eventId}", ApiReceiverFixture.AllKey);
                var e = await response.JsonAsync();
                return e.GetProperty("deliveries").EnumerateArray().All(d => d.GetProperty("attempts").GetInt32() > 0) ? e : null;
            },
            $"the deliveries of event {eventId}");
}
