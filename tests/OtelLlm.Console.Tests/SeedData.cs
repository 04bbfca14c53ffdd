using System.Globalization;
using System.Text.Json.Nodes;

namespace OtelLlm.Console.Tests;

/// <summary>A call the seed stored, with what the pages must show for it.</summary>
public sealed record SeededCall(
    string Name,
    string TraceId,
    string SpanId,
    DateTimeOffset Start,
    string Model,
    string Provider,
    string Service,
    string Environment,
    string? UserId,
    string? SessionId,
    string? Workload,
    bool Failed,
    double CostUsd,
    double DurationMs,
    string? Prompt,
    string? Answer);

/// <summary>
/// Ten calls sent through the receiver: one inside a trace of three spans (an OTLP/HTTP server span with an internal
/// child carrying an event, and the model call) with a tool call and a log record; a two-call session; a failed call;
/// a costly one; and six small ones of a third provider. Every call started within the last two hours.
/// </summary>
public sealed class SeedData
{
    public const string ShopService = "shop-api";
    public const string BillingService = "billing";

    public required IReadOnlyList<SeededCall> Calls { get; init; }

    /// <summary>The trace with the server span, its internal child and the model call <c>order-help</c>.</summary>
    public required string TraceId { get; init; }

    public required int TraceSpanCount { get; init; }

    public required string RootSpanId { get; init; }

    public SeededCall this[string name] => Calls.Single(c => c.Name == name);

    public double TotalCostUsd => Calls.Sum(c => c.CostUsd);

    public static async Task<SeedData> SendAsync(ConsoleReceiverFixture receiver)
    {
        var now = DateTimeOffset.FromUnixTimeSeconds(DateTimeOffset.UtcNow.ToUnixTimeSeconds());
        var traceId = NewId(16);
        var rootSpanId = NewId(8);
        var calls = new List<SeededCall>
        {
            new("order-help", traceId, NewId(8), now.AddMinutes(-95), "gpt-4o", "openai", ShopService, "prod", "u-alice", "s-checkout", "support", false, 0.0042, 1800,
                "Where is my order 1234?", "Your order 1234 has shipped and arrives tomorrow."),
            new("order-thanks", NewId(16), NewId(8), now.AddMinutes(-90), "gpt-4o-mini", "openai", ShopService, "prod", "u-alice", "s-checkout", "support", false, 0.0003, 600,
                "Thanks! Can I change the delivery address?", "Yes: until it ships you can change it under Orders in your account."),
            new("billing-ratelimit", NewId(16), NewId(8), now.AddMinutes(-80), "claude-sonnet-4", "anthropic", BillingService, "prod", "u-bob", "s-invoice", "billing", true, 0, 150,
                "Explain invoice 77 line by line.", null),
            new("quarterly-report", NewId(16), NewId(8), now.AddMinutes(-70), "gpt-4o", "openai", BillingService, "staging", "u-bob", "s-report", "reports", false, 0.25, 9000,
                "Summarize the quarterly report in one sentence.", "Revenue grew 12% quarter over quarter while costs stayed flat."),
        };
        for (var i = 0; i < 6; i++)
        {
            calls.Add(new($"search-{i}", NewId(16), NewId(8), now.AddMinutes(-60 + (i * 5)), "gemini-2.0-flash", "gcp.gen_ai", ShopService, "prod", "u-carol", null, "search", false, 0.001, 300 + (i * 10),
                $"Find red shoes, size {38 + i}.", $"Found {i + 2} pairs of red shoes in size {38 + i}."));
        }

        var items = new JsonArray();
        foreach (var c in calls)
        {
            items.Add(IngestItem(c, c.Name == "order-help" ? rootSpanId : null));
        }

        await PostAsync(receiver, "/api/v1/ingest/llm", new JsonObject { ["items"] = items }.ToJsonString());
        var help = calls[0];
        await PostAsync(receiver, "/v1/traces", Spans(traceId, rootSpanId, help.Start));
        await PostAsync(receiver, "/api/v1/ingest/logs", new JsonObject
        {
            ["message"] = "order 1234 looked up",
            ["level"] = "info",
            ["service"] = ShopService,
            ["traceId"] = traceId,
            ["spanId"] = rootSpanId,
            ["timestamp"] = ApiTimeText(help.Start.AddMilliseconds(-150)),
        }.ToJsonString());

        // The OTLP spans are acknowledged before they reach ClickHouse; wait until all three are there.
        await WaitForAsync(receiver, $"SELECT count() FROM otel_traces WHERE TraceId = '{traceId}'", "3");
        return new SeedData { Calls = calls, TraceId = traceId, TraceSpanCount = 3, RootSpanId = rootSpanId };
    }

    private static JsonObject IngestItem(SeededCall c, string? parentSpanId)
    {
        var input = new JsonArray
        {
            new JsonObject { ["role"] = "system", ["content"] = "You are the shop's helpful assistant." },
            new JsonObject { ["role"] = "user", ["content"] = c.Prompt },
        };
        var item = new JsonObject
        {
            ["timestamp"] = ApiTimeText(c.Start),
            ["durationMs"] = c.DurationMs,
            ["provider"] = c.Provider,
            ["model"] = c.Model,
            ["costUsd"] = c.CostUsd,
            ["usage"] = new JsonObject { ["inputTokens"] = 1000 + (int)c.DurationMs, ["outputTokens"] = 50 },
            ["service"] = c.Service,
            ["environment"] = c.Environment,
            ["traceId"] = c.TraceId,
            ["spanId"] = c.SpanId,
            ["input"] = input,
        };
        Optional(item, "userId", c.UserId);
        Optional(item, "sessionId", c.SessionId);
        Optional(item, "workload", c.Workload);
        Optional(item, "parentSpanId", parentSpanId);
        if (c.Failed)
        {
            item["status"] = "error";
            item["errorType"] = "rate_limit_error";
            item["errorMessage"] = "Too many requests: retry in 20 s.";
        }
        else
        {
            item["output"] = c.Answer;
        }

        if (c.Name == "order-help")
        {
            // The model asked for a tool, got its result and answered: the chat view shows all three turns.
            input.Add(new JsonObject
            {
                ["role"] = "assistant",
                ["content"] = null,
                ["tool_calls"] = new JsonArray(new JsonObject
                {
                    ["id"] = "call_1",
                    ["type"] = "function",
                    ["function"] = new JsonObject { ["name"] = "get_order_status", ["arguments"] = """{"orderId":"1234"}""" },
                }),
            });
            input.Add(new JsonObject { ["role"] = "tool", ["tool_call_id"] = "call_1", ["content"] = """{"status":"shipped","eta":"tomorrow"}""" });
            item["tools"] = new JsonArray(new JsonObject
            {
                ["type"] = "function",
                ["function"] = new JsonObject
                {
                    ["name"] = "get_order_status",
                    ["description"] = "Looks up an order's shipping status.",
                    ["parameters"] = new JsonObject { ["type"] = "object", ["properties"] = new JsonObject { ["orderId"] = new JsonObject { ["type"] = "string" } } },
                },
            });
            item["streaming"] = true;
            item["timeToFirstTokenMs"] = 350;
        }

        return item;
    }

    private static string Spans(string traceId, string rootSpanId, DateTimeOffset callStart)
    {
        static string Nanos(DateTimeOffset t) => (t.ToUnixTimeMilliseconds() * 1_000_000L).ToString(CultureInfo.InvariantCulture);
        var rootStart = callStart.AddMilliseconds(-300);
        return new JsonObject
        {
            ["resourceSpans"] = new JsonArray(new JsonObject
            {
                ["resource"] = new JsonObject
                {
                    ["attributes"] = new JsonArray(new JsonObject { ["key"] = "service.name", ["value"] = new JsonObject { ["stringValue"] = ShopService } }),
                },
                ["scopeSpans"] = new JsonArray(new JsonObject
                {
                    ["scope"] = new JsonObject { ["name"] = "shop.http" },
                    ["spans"] = new JsonArray(
                        new JsonObject
                        {
                            ["traceId"] = traceId,
                            ["spanId"] = rootSpanId,
                            ["name"] = "POST /orders/help",
                            ["kind"] = 2,
                            ["startTimeUnixNano"] = Nanos(rootStart),
                            ["endTimeUnixNano"] = Nanos(callStart.AddMilliseconds(2000)),
                            ["status"] = new JsonObject { ["code"] = 1 },
                        },
                        new JsonObject
                        {
                            ["traceId"] = traceId,
                            ["spanId"] = NewId(8),
                            ["parentSpanId"] = rootSpanId,
                            ["name"] = "load order",
                            ["kind"] = 1,
                            ["startTimeUnixNano"] = Nanos(rootStart.AddMilliseconds(20)),
                            ["endTimeUnixNano"] = Nanos(rootStart.AddMilliseconds(220)),
                            ["events"] = new JsonArray(new JsonObject
                            {
                                ["timeUnixNano"] = Nanos(rootStart.AddMilliseconds(30)),
                                ["name"] = "cache miss",
                                ["attributes"] = new JsonArray(new JsonObject { ["key"] = "order.id", ["value"] = new JsonObject { ["stringValue"] = "1234" } }),
                            }),
                        }),
                }),
            }),
        }.ToJsonString();
    }

    private static async Task PostAsync(ConsoleReceiverFixture receiver, string path, string json)
    {
        using var response = await receiver.SendAsync(HttpMethod.Post, path, receiver.IngestKey, json);
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.IsSuccessStatusCode, $"POST {path}: {(int)response.StatusCode} {text}");
    }

    /// <summary>Polls ClickHouse until <paramref name="sql"/> answers <paramref name="expected"/> (at most a minute).</summary>
    public static async Task WaitForAsync(ConsoleReceiverFixture receiver, string sql, string expected)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromMinutes(1);
        string value;
        while ((value = await receiver.Database.Client.ScalarAsync(sql, "wait for seeded rows")) != expected)
        {
            Assert.True(DateTime.UtcNow < deadline, $"'{sql}' still answers {value}, not {expected}");
            await Task.Delay(100);
        }
    }

    private static void Optional(JsonObject item, string name, string? value)
    {
        if (value is not null)
        {
            item[name] = value;
        }
    }

    private static string ApiTimeText(DateTimeOffset t) => t.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", CultureInfo.InvariantCulture);

    public static string NewId(int bytes) => Convert.ToHexStringLower(System.Security.Cryptography.RandomNumberGenerator.GetBytes(bytes));
}
