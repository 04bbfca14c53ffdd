using System.Globalization;
using System.Net;
using System.Text;
using System.Text.Json;

namespace OtelLlm.Api.Tests;

public sealed class ExportTests(ApiReceiverFixture receiver) : IClassFixture<ApiReceiverFixture>
{
    private static readonly string[] s_columns =
    [
        "timestamp", "traceId", "spanId", "parentSpanId", "project", "service", "environment", "operation", "provider", "requestModel",
        "responseModel", "durationMs", "timeToFirstTokenMs", "streaming", "inputTokens", "outputTokens", "cacheReadTokens", "cacheWriteTokens",
        "reasoningTokens", "totalTokens", "costUsd", "costSource", "energyWh", "co2eGrams", "energySource", "status", "errorType", "statusMessage", "finishReasons", "responseId",
        "sessionId", "userId", "workload", "agentName", "temperature", "topP", "maxTokens", "sourceFormat", "attributes",
    ];

    private static readonly string[] s_contentColumns = ["systemInstructions", "inputMessages", "outputMessages", "toolDefinitions"];

    private static string Unique(string prefix) => prefix + "-" + Guid.NewGuid().ToString("N")[..8];

    [Fact]
    public async Task Calls_Csv_IsRfc4180WithTheDocumentedHeader_FieldByField()
    {
        var workload = Unique("csv");
        var start = DateTimeOffset.UtcNow.AddMinutes(-30);
        var ids = await IngestAsync(
            Call(workload, start, "gpt-4o", userId: "u,\"quoted\"\nline two", extra: """
                "errorType": "RateLimitError", "errorMessage": "slow down, please", "status": "error", "finishReasons": ["stop", "length"],
                "metadata": {"tenant": "acme", "tier": 2}, "usage": {"inputTokens": 1000, "outputTokens": 200, "cacheReadTokens": 100}, "costUsd": 0.0125, "energyWh": 2.5,
                "streaming": true, "timeToFirstTokenMs": 88.5, "responseId": "resp-1", "sessionId": "s-1"
                """),
            Call(workload, start.AddSeconds(1), "claude-sonnet-4-5", provider: "anthropic"));

        using var response = await receiver.GetAsync($"/api/v1/export/calls?workload={workload}&from={Iso(start.AddMinutes(-1))}", ApiReceiverFixture.ReadKey);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("text/csv", response.Content.Headers.ContentType!.MediaType);
        Assert.Contains("attachment", response.Content.Headers.ContentDisposition!.ToString(), StringComparison.Ordinal);
        var text = await response.Content.ReadAsStringAsync();
        Assert.EndsWith("\r\n", text, StringComparison.Ordinal);
        var rows = ParseCsv(text);
        Assert.Equal(s_columns, rows[0]);
        Assert.Equal(3, rows.Count);
        var byTrace = rows.Skip(1).ToDictionary(r => r[1]);
        var error = Row(byTrace[ids[0].TraceId]);
        Assert.Equal(ids[0].SpanId, error["spanId"]);
        Assert.Equal("alpha", error["project"]);
        Assert.Equal(start.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", CultureInfo.InvariantCulture), error["timestamp"]);
        Assert.Equal("840", error["durationMs"]);
        Assert.Equal("88.5", error["timeToFirstTokenMs"]);
        Assert.Equal("true", error["streaming"]);
        Assert.Equal("1000", error["inputTokens"]);
        Assert.Equal("100", error["cacheReadTokens"]);
        Assert.Equal("1200", error["totalTokens"]);
        Assert.Equal("0.0125", error["costUsd"]);
        Assert.Equal("span", error["costSource"]);
        Assert.Equal("2.5", error["energyWh"]);
        Assert.Equal(2.5 * ApiReceiverFixture.GridIntensity / 1000, double.Parse(error["co2eGrams"], CultureInfo.InvariantCulture), 9);
        Assert.Equal("span", error["energySource"]);
        Assert.Equal("error", error["status"]);
        Assert.Equal("RateLimitError", error["errorType"]);
        Assert.Equal("slow down, please", error["statusMessage"]);
        Assert.Equal("""["stop","length"]""", error["finishReasons"]);
        Assert.Equal("u,\"quoted\"\nline two", error["userId"]);
        Assert.Equal("s-1", error["sessionId"]);
        Assert.Equal("resp-1", error["responseId"]);
        Assert.Equal("ingest_api", error["sourceFormat"]);
        using (var attributes = JsonDocument.Parse(error["attributes"]))
        {
            Assert.Equal("acme", attributes.RootElement.GetProperty("tenant").GetString());
            Assert.Equal("2", attributes.RootElement.GetProperty("tier").GetString());
        }

        var ok = Row(byTrace[ids[1].TraceId]);
        Assert.Equal("anthropic", ok["provider"]);
        Assert.Equal("claude-sonnet-4-5", ok["requestModel"]);
        Assert.Equal("ok", ok["status"]);
        Assert.Equal(string.Empty, ok["timeToFirstTokenMs"]);
        Assert.Equal("[]", ok["finishReasons"]);
        // Claude Sonnet is a "large" model: 1,000 input × 0.221 + 200 output × 0.602 per 1,000 tokens.
        Assert.Equal(0.3414, double.Parse(ok["energyWh"], CultureInfo.InvariantCulture), 9);
        Assert.Equal("energy_factors", ok["energySource"]);

        // The quoted field really was quoted in the file, with its quotes doubled.
        Assert.Contains("\"u,\"\"quoted\"\"\nline two\"", text, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Calls_JsonAndJsonl_WithContent_CarryTheSameRowsAndTheMessagesAsJson()
    {
        var workload = Unique("json");
        var start = DateTimeOffset.UtcNow.AddMinutes(-20);
        var ids = await IngestAsync(
            Call(workload, start, "gpt-4o", extra: """
                "input": [{"role": "system", "content": "Be brief."}, {"role": "user", "content": "Hi"}], "output": "Hello!",
                "tools": [{"type": "function", "function": {"name": "lookup", "parameters": {"type": "object"}}}]
                """),
            Call(workload, start.AddSeconds(2), "gpt-4o-mini"));
        var query = $"/api/v1/export/calls?workload={workload}&content=true&from={Iso(start.AddMinutes(-1))}";

        using var json = await receiver.GetAsync(query + "&format=json", ApiReceiverFixture.ReadKey);
        Assert.Equal("application/json", json.Content.Headers.ContentType!.MediaType);
        var array = (await json.JsonAsync()).EnumerateArray().ToList();
        using var jsonl = await receiver.GetAsync(query + "&format=jsonl", ApiReceiverFixture.ReadKey);
        Assert.Equal("application/x-ndjson", jsonl.Content.Headers.ContentType!.MediaType);
        var lines = (await jsonl.Content.ReadAsStringAsync()).Split('\n', StringSplitOptions.RemoveEmptyEntries)
            .Select(l => JsonDocument.Parse(l).RootElement).ToList();

        Assert.Equal(2, array.Count);
        Assert.Equal(
            array.Select(r => r.GetRawText()).Order(StringComparer.Ordinal),
            lines.Select(r => r.GetRawText()).Order(StringComparer.Ordinal));
        var first = array.Single(r => r.GetProperty("traceId").GetString() == ids[0].TraceId);
        Assert.Equal([.. s_columns, .. s_contentColumns], first.EnumerateObject().Select(p => p.Name));
        Assert.Equal(1000, first.GetProperty("inputTokens").GetInt64());
        Assert.Equal(840, first.GetProperty("durationMs").GetDouble());
        Assert.False(first.GetProperty("streaming").GetBoolean());
        Assert.Equal(JsonValueKind.Null, first.GetProperty("temperature").ValueKind);
        Assert.Equal("Be brief.", first.GetProperty("systemInstructions")[0].GetProperty("content").GetString());
        Assert.Equal("user", first.GetProperty("inputMessages")[0].GetProperty("role").GetString());
        Assert.Equal("Hello!", first.GetProperty("outputMessages")[0].GetProperty("parts")[0].GetProperty("content").GetString());
        Assert.Equal("lookup", first.GetProperty("toolDefinitions")[0].GetProperty("name").GetString());
        var second = array.Single(r => r.GetProperty("traceId").GetString() == ids[1].TraceId);
        Assert.Equal(JsonValueKind.Null, second.GetProperty("inputMessages").ValueKind);
    }

    [Fact]
    public async Task Calls_Filters_SelectTheRightRows()
    {
        var workload = Unique("filter");
        var start = DateTimeOffset.UtcNow.AddMinutes(-10);
        var ids = await IngestAsync(
            Call(workload, start, "gpt-4o", service: "a", userId: "u1", extra: "\"responseModel\": \"gpt-4o-2024-08-06\""),
            Call(workload, start, "gpt-4o-mini", service: "b", userId: "u2", extra: "\"status\": \"error\""),
            Call(workload, start, "claude-haiku-4-5", service: "a", provider: "anthropic", userId: "u1"));
        async Task<string[]> TracesAsync(string filters, string key = ApiReceiverFixture.ReadKey)
        {
            using var r = await receiver.GetAsync($"/api/v1/export/calls?format=jsonl&workload={workload}&from={Iso(start.AddMinutes(-1))}{filters}", key);
            Assert.Equal(HttpStatusCode.OK, r.StatusCode);
            return [.. (await r.Content.ReadAsStringAsync()).Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => JsonDocument.Parse(l).RootElement.GetProperty("traceId").GetString()!).Order()];
        }

        string[] Of(params int[] i) => [.. i.Select(n => ids[n].TraceId).Order()];
        Assert.Equal(Of(0, 1, 2), await TracesAsync(string.Empty));
        Assert.Equal(Of(0, 2), await TracesAsync("&service=a"));
        Assert.Equal(Of(1), await TracesAsync("&status=error"));
        Assert.Equal(Of(0, 2), await TracesAsync("&status=ok"));
        Assert.Equal(Of(2), await TracesAsync("&provider=Anthropic"));
        Assert.Equal(Of(1), await TracesAsync("&model=gpt-4o-mini"));
        Assert.Equal(Of(0), await TracesAsync("&model=gpt-4o-2024-08-06"));
        Assert.Equal(Of(0, 2), await TracesAsync("&userId=u1"));
        Assert.Single(await TracesAsync("&limit=1"));
        Assert.Empty(await TracesAsync(string.Empty, ApiReceiverFixture.BetaKey));
        Assert.Empty(await TracesAsync($"&to={Iso(start.AddMinutes(-1).AddSeconds(30))}"));
    }

    [Fact]
    public async Task Calls_ManyRows_StreamWhole()
    {
        // 30,000 rows written as the receiver writes them, exported as CSV: every one comes out once.
        var workload = Unique("many");
        var start = DateTimeOffset.UtcNow.AddHours(-2);
        var calls = Enumerable.Range(0, 30_000).Select(i => StoredCalls.Call("alpha", start.AddMilliseconds(i * 10), "gpt-4o", workload)).ToArray();
        await StoredCalls.InsertAsync(receiver.Database, calls);
        using var response = await receiver.SendAsync(HttpMethod.Get, $"/api/v1/export/calls?workload={workload}&from={Iso(start.AddMinutes(-1))}", ApiReceiverFixture.ReadKey, content: null);
        using var reader = new StreamReader(await response.Content.ReadAsStreamAsync());
        var header = await reader.ReadLineAsync();
        Assert.StartsWith("timestamp,traceId,", header, StringComparison.Ordinal);
        var traces = new HashSet<string>();
        while (await reader.ReadLineAsync() is { } line)
        {
            Assert.True(traces.Add(line.Split(',')[1]));
        }

        Assert.Equal(calls.Select(c => c.TraceId).ToHashSet(), traces);
    }

    [Fact]
    public async Task Calls_AcrossSeveralDays_EachCallOnceInItsNewestRevision_OldestDayFirst_LimitCountsAcrossDays()
    {
        // The export reads one day (partition) at a time: every day of the range once, a revised call once.
        var workload = Unique("days");
        var today = new DateTimeOffset(DateTimeOffset.UtcNow.UtcDateTime.Date, TimeSpan.Zero);
        var calls = new[]
        {
            StoredCalls.Call("alpha", today.AddDays(-3).AddHours(12), "gpt-4o", workload),
            StoredCalls.Call("alpha", today.AddDays(-2).AddHours(1), "gpt-4o", workload),
            StoredCalls.Call("alpha", today.AddDays(-2).AddHours(23), "gpt-4o-mini", workload),
            StoredCalls.Call("alpha", today.AddDays(-1).AddMinutes(5), "gpt-4o", workload),
        };
        var revised = StoredCalls.Call("alpha", today.AddDays(-2).AddHours(1), "gpt-4o", workload);
        revised.TraceId = calls[1].TraceId;
        revised.SpanId = calls[1].SpanId;
        revised.Revision = 1;
        revised.CostUsd = 0.5;
        await StoredCalls.InsertAsync(receiver.Database, [.. calls, revised]);
        var query = $"/api/v1/export/calls?format=jsonl&workload={workload}&from={Iso(today.AddDays(-4))}";

        var rows = await JsonLinesAsync(query);
        Assert.Equal(calls.Select(c => c.TraceId).Order(StringComparer.Ordinal), rows.Select(r => r.GetProperty("traceId").GetString()!).Order(StringComparer.Ordinal));
        var days = rows.Select(r => r.GetProperty("timestamp").GetString()![..10]).ToList();
        Assert.Equal(days.Order(StringComparer.Ordinal), days);
        Assert.Equal(0.5, rows.Single(r => r.GetProperty("traceId").GetString() == calls[1].TraceId).GetProperty("costUsd").GetDouble());

        Assert.Equal(3, (await JsonLinesAsync(query + "&limit=3")).Count);
        Assert.Single(await JsonLinesAsync(query + "&limit=1"));
        Assert.Equal(calls[0].TraceId, (await JsonLinesAsync(query + "&limit=1"))[0].GetProperty("traceId").GetString());
    }

    [Fact]
    public async Task Calls_InvalidQuery_ListsEveryError_AndScopesAreEnforced()
    {
        using var bad = await receiver.GetAsync("/api/v1/export/calls?format=xml&status=maybe&content=sometimes&limit=0&from=2025-02-01T00:00:00Z&to=2025-01-01T00:00:00Z", ApiReceiverFixture.ReadKey);
        var errors = await bad.ErrorsAsync(HttpStatusCode.BadRequest);
        errors.AssertHas(null, "format", "csv, json, jsonl");
        errors.AssertHas(null, "status", "ok, error");
        errors.AssertHas(null, "content", "true or false");
        errors.AssertHas(null, "limit", "whole number");
        errors.AssertHas(null, "from", "must be before");
        using var feedbackKey = await receiver.GetAsync("/api/v1/export/calls", ApiReceiverFixture.FeedbackKey);
        (await feedbackKey.ErrorsAsync(HttpStatusCode.Forbidden)).AssertHas(null, null, "'read'");
        using var ingestKey = await receiver.GetAsync("/api/v1/export/finetune", ApiReceiverFixture.IngestKey);
        (await ingestKey.ErrorsAsync(HttpStatusCode.Forbidden)).AssertHas(null, null, "'read'");
        using var otherProject = await receiver.GetAsync("/api/v1/export/calls?project=beta", ApiReceiverFixture.ReadKey);
        (await otherProject.ErrorsAsync(HttpStatusCode.Forbidden)).AssertHas(null, "project", "'beta'");
        using var badFeedback = await receiver.GetAsync("/api/v1/export/finetune?minFeedback=high", ApiReceiverFixture.ReadKey);
        (await badFeedback.ErrorsAsync(HttpStatusCode.BadRequest)).AssertHas(null, "minFeedback", "not a number");
    }

    [Fact]
    public async Task FineTune_EveryLineIsAValidOpenAiExample_ConvertedFromTheStoredMessages_DuplicatesOnce()
    {
        var workload = Unique("ft");
        var start = DateTimeOffset.UtcNow.AddMinutes(-15);
        const string Conversation = """
            "input": [
              {"role": "system", "content": "You answer weather questions."},
              {"role": "user", "content": "Weather in Paris?"},
              {"role": "assistant", "content": null, "tool_calls": [{"id": "call_w1", "type": "function", "function": {"name": "get_weather", "arguments": "{\"city\":\"Paris\"}"}}]},
              {"role": "tool", "tool_call_id": "call_w1", "content": "{\"temp\":21}"}
            ],
            "output": "It is 21 °C in Paris.",
            "tools": [{"type": "function", "function": {"name": "get_weather", "description": "Current weather", "parameters": {"type": "object", "properties": {"city": {"type": "string"}}}}}]
            """;
        await IngestAsync(
            Call(workload, start, "gpt-4o", extra: Conversation),
            Call(workload, start.AddSeconds(1), "gpt-4o", extra: Conversation),
            Call(workload, start.AddSeconds(2), "gpt-4o", extra: """
                "input": [{"role": "user", "content": "Book a table for two"}],
                "output": [{"role": "assistant", "content": "Booking.", "tool_calls": [{"id": "call_b", "type": "function", "function": {"name": "book", "arguments": "{\"people\":2}"}}]}]
                """),
            Call(workload, start.AddSeconds(3), "gpt-4o", extra: "\"status\": \"error\", \"input\": \"Fails\", \"output\": \"x\""),
            Call(workload, start.AddSeconds(4), "gpt-4o"),
            Call(Unique("other"), start, "gpt-4o", extra: "\"input\": \"Elsewhere\", \"output\": \"other workload\""));

        using var response = await receiver.GetAsync($"/api/v1/export/finetune?workload={workload}&from={Iso(start.AddMinutes(-1))}", ApiReceiverFixture.ReadKey);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("application/x-ndjson", response.Content.Headers.ContentType!.MediaType);
        var text = await response.Content.ReadAsStringAsync();
        var lines = text.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        foreach (var line in lines)
        {
            Assert.True(OpenAiFineTuningFormat.Problems(line) is { Count: 0 }, $"{string.Join("; ", OpenAiFineTuningFormat.Problems(line))}: {line}");
        }

        Assert.Equal(2, lines.Length);
        var weather = lines.Single(l => l.Contains("Paris", StringComparison.Ordinal));
        Assert.Equal(
            """{"messages":[{"role":"system","content":"You answer weather questions."},{"role":"user","content":"Weather in Paris?"},""" +
            """{"role":"assistant","tool_calls":[{"id":"call_w1","type":"function","function":{"name":"get_weather","arguments":"{\"city\":\"Paris\"}"}}]},""" +
            """{"role":"tool","tool_call_id":"call_w1","content":"{\"temp\":21}"},{"role":"assistant","content":"It is 21 °C in Paris."}],""" +
            """"
            "tools":[{"type":"function","function":{"name":"get_weather","description":"Current weather","parameters":{"type":"object","properties":{"city":{"type":"string"}}}}}]}
            """",
            weather);
        using var booking = JsonDocument.Parse(lines.Single(l => l.Contains("Book", StringComparison.Ordinal)));
        var answer = booking.RootElement.GetProperty("messages")[1];
        Assert.Equal("Booking.", answer.GetProperty("content").GetString());
        Assert.Equal("book", answer.GetProperty("tool_calls")[0].GetProperty("function").GetProperty("name").GetString());
        Assert.Equal("""{"people":2}""", answer.GetProperty("tool_calls")[0].GetProperty("function").GetProperty("arguments").GetString());
        Assert.False(booking.RootElement.TryGetProperty("tools", out _));
    }

    [Fact]
    public async Task FineTune_MinFeedback_KeepsOnlyCallsRatedHighEnough()
    {
        var workload = Unique("rated");
        var start = DateTimeOffset.UtcNow.AddMinutes(-15);
        var ids = await IngestAsync(
            Call(workload, start, "gpt-4o", extra: "\"input\": \"Good question\", \"output\": \"Good answer\", \"responseId\": \"resp-good\""),
            Call(workload, start, "gpt-4o", extra: "\"input\": \"Bad question\", \"output\": \"Bad answer\""),
            Call(workload, start, "gpt-4o", extra: "\"input\": \"Unrated question\", \"output\": \"Unrated answer\""));
        var feedback = JsonSerializer.Serialize(new object[]
        {
            new { traceId = ids[0].TraceId, responseId = "resp-good", value = 1 },
            new { traceId = ids[1].TraceId, spanId = ids[1].SpanId, value = 0 },
        });
        using (var posted = await receiver.PostJsonAsync("/api/v1/feedback", ApiReceiverFixture.FeedbackKey, feedback))
        {
            Assert.Equal(HttpStatusCode.Created, posted.StatusCode);
        }

        async Task<string[]> ExportAsync(string extra)
        {
            using var r = await receiver.GetAsync($"/api/v1/export/finetune?workload={workload}&from={Iso(start.AddMinutes(-1))}{extra}", ApiReceiverFixture.ReadKey);
            Assert.Equal(HttpStatusCode.OK, r.StatusCode);
            return [.. (await r.Content.ReadAsStringAsync()).Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => JsonDocument.Parse(l).RootElement.GetProperty("messages")[0].GetProperty("content").GetString()!).Order()];
        }

        Assert.Equal(["Bad question", "Good question", "Unrated question"], await ExportAsync(string.Empty));
        Assert.Equal(["Good question"], await ExportAsync("&minFeedback=1"));
        Assert.Equal(["Bad question", "Good question"], await ExportAsync("&minFeedback=0"));
    }

    [Fact]
    public async Task FineTune_NoCallWithContent_Is400ExplainingHowToCaptureIt()
    {
        var workload = Unique("nocontent");
        var start = DateTimeOffset.UtcNow.AddMinutes(-5);
        await IngestAsync(Call(workload, start, "gpt-4o"));
        using var response = await receiver.GetAsync($"/api/v1/export/finetune?workload={workload}&from={Iso(start.AddMinutes(-1))}", ApiReceiverFixture.ReadKey);
        var errors = await response.ErrorsAsync(HttpStatusCode.BadRequest);
        errors.AssertHas(null, "from", "OTEL_INSTRUMENTATION_GENAI_CAPTURE_MESSAGE_CONTENT=true");
        errors.AssertHas(null, "from", workload);
    }

    private static string Iso(DateTimeOffset time) => Uri.EscapeDataString(time.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture));

    private static string Call(string workload, DateTimeOffset start, string model, string service = "svc", string provider = "openai", string userId = "u-1", string extra = "")
    {
        var fields = new Dictionary<string, object>
        {
            ["timestamp"] = start.ToUnixTimeMilliseconds(),
            ["durationMs"] = 840,
            ["provider"] = provider,
            ["model"] = model,
            ["workload"] = workload,
            ["service"] = service,
            ["userId"] = userId,
        };
        var json = JsonSerializer.Serialize(fields);
        if (!extra.Contains("\"usage\"", StringComparison.Ordinal))
        {
            json = json[..^1] + ",\"usage\":{\"inputTokens\":1000,\"outputTokens\":200}}";
        }

        return extra.Length == 0 ? json : json[..^1] + "," + extra + "}";
    }

    private async Task<List<(string TraceId, string SpanId)>> IngestAsync(params string[] calls)
    {
        using var response = await receiver.PostJsonAsync("/api/v1/ingest/llm", ApiReceiverFixture.IngestKey, $"{{\"items\":[{string.Join(",", calls)}]}}");
        var answer = await response.JsonAsync();
        Assert.True(response.StatusCode == HttpStatusCode.OK, answer.GetRawText());
        List<(string TraceId, string SpanId)> ids = [.. answer.GetProperty("calls").EnumerateArray().Select(c => (c.GetProperty("traceId").GetString()!, c.GetProperty("spanId").GetString()!))];
        var spans = string.Join(", ", ids.Select(i => $"'{i.SpanId}'"));
        Assert.Equal(ids.Count, await receiver.Database.WaitForCountAsync($"SELECT uniqExact(SpanId) FROM llm_calls WHERE SpanId IN ({spans})", ids.Count));
        return ids;
    }

    private async Task<List<JsonElement>> JsonLinesAsync(string pathAndQuery)
    {
        using var response = await receiver.GetAsync(pathAndQuery, ApiReceiverFixture.ReadKey);
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.OK, text);
        return [.. text.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(line => JsonDocument.Parse(line).RootElement.Clone())];
    }

    private static Dictionary<string, string> Row(string[] fields) => s_columns.Select((c, i) => (c, fields[i])).ToDictionary(p => p.c, p => p.Item2);

    /// <summary>A strict RFC 4180 reader: CRLF between records, fields quoted when they hold a separator, quotes doubled.</summary>
    private static List<string[]> ParseCsv(string text)
    {
        var rows = new List<string[]>();
        var fields = new List<string>();
        var field = new StringBuilder();
        var i = 0;
        while (i < text.Length)
        {
            if (text[i] == '"' && field.Length == 0)
            {
                i++;
                while (true)
                {
                    Assert.True(i < text.Length, "an unterminated quoted field");
                    if (text[i] == '"')
                    {
                        if (i + 1 < text.Length && text[i + 1] == '"')
                        {
                            field.Append('"');
                            i += 2;
                            continue;
                        }

                        i++;
                        break;
                    }

                    field.Append(text[i++]);
                }

                Assert.True(i == text.Length || text[i] is ',' or '\r', "text after a closing quote");
                continue;
            }

            if (text[i] == ',')
            {
                fields.Add(field.ToString());
                field.Clear();
                i++;
            }
            else if (text[i] == '\r')
            {
                Assert.True(i + 1 < text.Length && text[i + 1] == '\n', "CR without LF");
                fields.Add(field.ToString());
                field.Clear();
                rows.Add([.. fields]);
                fields.Clear();
                i += 2;
            }
            else
            {
                Assert.False(text[i] is '\n' or '"', $"a bare {(text[i] == '\n' ? "LF" : "quote")} in an unquoted field");
                field.Append(text[i++]);
            }
        }

        Assert.True(fields.Count == 0 && field.Length == 0, "the last record does not end with CRLF");
        Assert.All(rows, r => Assert.Equal(rows[0].Length, r.Length));
        return rows;
    }
}
