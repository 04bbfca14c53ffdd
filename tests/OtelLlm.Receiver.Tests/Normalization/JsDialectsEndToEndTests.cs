using System.Text.Json;
using System.Text.Json.Nodes;
using OtelLlm.Receiver.TestHost;
using OtelLlm.TestSupport;

namespace OtelLlm.Receiver.Tests.Normalization;

/// <summary>
/// The real `openai` npm client with each JS GenAI instrumentation, exporting OTLP to the real receiver, and the
/// llm_calls rows read back from ClickHouse with FINAL.
/// </summary>
public sealed class JsDialectsEndToEndTests(ReceiverFixture receiver) : IClassFixture<ReceiverFixture>
{
    private static Task<JsonObject> RunAsync(string instrumentation, Uri endpoint)
        => NodeScript.RunAsync("openai-dialects.mjs", "--instrumentation", instrumentation, "--endpoint", endpoint.ToString().TrimEnd('/'), "--run-id", Guid.NewGuid().ToString("N"));

    private async Task<Dictionary<string, JsonElement>> RowsAsync(IEnumerable<string> spanIds, int expected)
    {
        var ids = string.Join(",", spanIds.Select(id => $"'{id}'"));
        var deadline = DateTime.UtcNow.AddSeconds(60);
        while (true)
        {
            await receiver.WaitUntilWrittenAsync();
            var rows = await receiver.Database.Client.QueryJsonAsync(
                $"SELECT * FROM llm_calls FINAL WHERE SpanId IN ({ids})", "read normalized calls");
            if (rows.Count >= expected || DateTime.UtcNow > deadline)
            {
                return rows.ToDictionary(r => r.GetProperty("SpanId").GetString()!);
            }

            await Task.Delay(250);
        }
    }

    private static JsonObject Call(JsonObject summary, string name) =>
        summary["calls"]!.AsArray().Select(c => c!.AsObject()).Single(c => (string?)c["name"] == name);

    private static ulong U(JsonElement row, string column) =>
        row.GetProperty(column) is { ValueKind: JsonValueKind.String } s ? ulong.Parse(s.GetString()!) : row.GetProperty(column).GetUInt64();

    [Fact]
    public async Task OtelJs_AllCalls_StoredAsNormalizedRowsWithJoinedContent()
    {
        var summary = await RunAsync("otel", receiver.HttpEndpoint);
        var names = new[] { "chat", "stream", "tool_call", "tool_result", "error", "embeddings" };
        var rows = await RowsAsync(names.Select(n => (string)Call(summary, n)["spanId"]!), names.Length);

        var chat = Call(summary, "chat");
        var row = rows[(string)chat["spanId"]!];
        Assert.Equal("otel_js_openai", row.GetProperty("SourceFormat").GetString());
        Assert.Equal("openai", row.GetProperty("Provider").GetString());
        Assert.Equal("chat", row.GetProperty("Operation").GetString());
        Assert.Equal((string)chat["requestModel"]!, row.GetProperty("RequestModel").GetString());
        Assert.Equal((string)chat["responseModel"]!, row.GetProperty("ResponseModel").GetString());
        Assert.Equal((ulong)chat["usage"]!["inputTokens"]!, U(row, "InputTokens"));
        Assert.Equal((ulong)chat["usage"]!["outputTokens"]!, U(row, "OutputTokens"));
        Assert.Equal("stop", row.GetProperty("FinishReasons")[0].GetString());
        Assert.Equal((string)chat["responseId"]!, row.GetProperty("ResponseId").GetString());
        Assert.Equal("interop-test", row.GetProperty("Environment").GetString());
        var input = JsonNode.Parse(row.GetProperty("InputMessages").GetString()!)!.AsArray();
        Assert.Contains(input, m => (string?)m!["role"] == "system" && (string?)m["parts"]![0]!["content"] == (string)chat["systemInstructions"]!);
        Assert.Contains(input, m => (string?)m!["role"] == "user" && (string?)m["parts"]![0]!["content"] == (string)chat["input"]![0]!["content"]!);
        var output = JsonNode.Parse(row.GetProperty("OutputMessages").GetString()!)!.AsArray();
        Assert.Equal((string)chat["outputText"]!, (string?)output[0]!["parts"]![0]!["content"]);

        var toolCall = rows[(string)Call(summary, "tool_call")["spanId"]!];
        Assert.Equal("tool_call", toolCall.GetProperty("FinishReasons")[0].GetString());
        var toolOutput = JsonNode.Parse(toolCall.GetProperty("OutputMessages").GetString()!)!.AsArray();
        Assert.Equal("get_weather", (string?)toolOutput[0]!["parts"]!.AsArray().Single(p => (string?)p!["type"] == "tool_call")!["name"]);

        var toolResult = rows[(string)Call(summary, "tool_result")["spanId"]!];
        Assert.Contains("tool_call_response", toolResult.GetProperty("InputMessages").GetString());

        var error = rows[(string)Call(summary, "error")["spanId"]!];
        Assert.Equal("Error", error.GetProperty("StatusCode").GetString());
        Assert.Equal((string)Call(summary, "error")["error"]!["clientErrorType"]!, error.GetProperty("ErrorType").GetString());

        var embeddings = rows[(string)Call(summary, "embeddings")["spanId"]!];
        Assert.Equal("embeddings", embeddings.GetProperty("Operation").GetString());
        Assert.Equal((ulong)Call(summary, "embeddings")["usage"]!["inputTokens"]!, U(embeddings, "InputTokens"));
    }

    [Fact]
    public async Task OpenInference_ChatAndToolCall_StoredWithContentFromSpan()
    {
        var summary = await RunAsync("openinference", receiver.HttpEndpoint);
        var names = new[] { "chat", "stream", "tool_call", "tool_result", "embeddings" };
        var rows = await RowsAsync(names.Select(n => (string)Call(summary, n)["spanId"]!), names.Length);

        var chat = Call(summary, "chat");
        var row = rows[(string)chat["spanId"]!];
        Assert.Equal("openinference", row.GetProperty("SourceFormat").GetString());
        Assert.Equal("openai", row.GetProperty("Provider").GetString());
        Assert.Equal((ulong)chat["usage"]!["inputTokens"]!, U(row, "InputTokens"));
        Assert.Equal((ulong)chat["usage"]!["outputTokens"]!, U(row, "OutputTokens"));
        Assert.Contains((string)chat["outputText"]!, row.GetProperty("OutputMessages").GetString());
        Assert.Equal(1, rows[(string)Call(summary, "stream")["spanId"]!].GetProperty("Streaming").GetInt32());
        Assert.Equal("tool_call", rows[(string)Call(summary, "tool_call")["spanId"]!].GetProperty("FinishReasons")[0].GetString());
        Assert.Equal("embeddings", rows[(string)Call(summary, "embeddings")["spanId"]!].GetProperty("Operation").GetString());
    }

    [Fact]
    public async Task Traceloop_ChatAndToolCall_StoredAsOpenLlmetry()
    {
        var summary = await RunAsync("traceloop", receiver.HttpEndpoint);
        var names = new[] { "chat", "stream", "tool_call", "tool_result" };
        var rows = await RowsAsync(names.Select(n => (string)Call(summary, n)["spanId"]!), names.Length);

        var chat = Call(summary, "chat");
        var row = rows[(string)chat["spanId"]!];
        Assert.Equal("openllmetry", row.GetProperty("SourceFormat").GetString());
        Assert.Equal("openai", row.GetProperty("Provider").GetString());
        Assert.Equal((ulong)chat["usage"]!["inputTokens"]!, U(row, "InputTokens"));
        Assert.Equal((ulong)chat["usage"]!["totalTokens"]!, U(row, "TotalTokens"));
        Assert.Contains((string)chat["outputText"]!, row.GetProperty("OutputMessages").GetString());
        var tools = JsonNode.Parse(rows[(string)Call(summary, "tool_call")["spanId"]!].GetProperty("ToolDefinitions").GetString()!)!.AsArray();
        Assert.Equal("get_weather", (string?)tools[0]!["name"]);
    }
}
