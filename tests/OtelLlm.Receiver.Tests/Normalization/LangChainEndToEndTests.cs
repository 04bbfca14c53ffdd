using System.Text.Json;
using System.Text.Json.Nodes;
using OtelLlm.Receiver.TestHost;
using OtelLlm.Semantics.Pricing;
using OtelLlm.TestSupport;

namespace OtelLlm.Receiver.Tests.Normalization;

/// <summary>
/// LangChain.js (`@langchain/openai` ChatOpenAI, pinned in tests/js) under the OpenInference and the Traceloop LangChain
/// instrumentations, against the fake OpenAI server, exporting to the real receiver; rows read back from ClickHouse.
/// OpenInference's LangChain spans name no provider (`llm.provider` is absent): the row still says `openai`.
/// </summary>
public sealed class LangChainEndToEndTests(ReceiverFixture receiver) : IClassFixture<ReceiverFixture>
{
    private static readonly string[] Names = ["chat", "stream", "tool_call", "tool_result", "error"];

    private static Task<JsonObject> RunAsync(string instrumentation, Uri endpoint, string protocol)
        => NodeScript.RunAsync("langchain.mjs", "--instrumentation", instrumentation, "--endpoint", endpoint.ToString().TrimEnd('/'), "--protocol", protocol,
            "--run-id", Guid.NewGuid().ToString("N"));

    /// <summary>The calls' rows by span id, polled until all arrived (rows can follow the acknowledgement).</summary>
    private async Task<Dictionary<string, JsonElement>> RowsAsync(JsonObject summary)
    {
        var ids = string.Join(",", Names.Select(n => $"'{(string)Call(summary, n)["spanId"]!}'"));
        var deadline = DateTime.UtcNow.AddSeconds(60);
        while (true)
        {
            var rows = await receiver.Database.Client.QueryJsonAsync($"SELECT * FROM llm_calls FINAL WHERE SpanId IN ({ids})", "read LangChain calls");
            if (rows.Count >= Names.Length || DateTime.UtcNow > deadline)
            {
                return rows.ToDictionary(r => r.GetProperty("SpanId").GetString()!);
            }

            await Task.Delay(200);
        }
    }

    private static JsonObject Call(JsonObject summary, string name) =>
        summary["calls"]!.AsArray().Select(c => c!.AsObject()).Single(c => (string?)c["name"] == name);

    private static ulong U(JsonElement row, string column) =>
        row.GetProperty(column) is { ValueKind: JsonValueKind.String } s ? ulong.Parse(s.GetString()!) : row.GetProperty(column).GetUInt64();

    private static string? Attribute(JsonElement row, string key)
    {
        var keys = row.GetProperty("Attributes.Key").EnumerateArray().Select(k => k.GetString()).ToList();
        var i = keys.IndexOf(key);
        return i < 0 ? null : row.GetProperty("Attributes.Value")[i].GetString();
    }

    private static JsonArray Messages(JsonElement row, string column) => JsonNode.Parse(row.GetProperty(column).GetString()!)!.AsArray();

    [Fact]
    public async Task OpenInference_ChatOpenAI_StoredWithItsProviderPricedAndComplete()
    {
        var summary = await RunAsync("openinference", receiver.HttpEndpoint, "http/protobuf");
        var rows = await RowsAsync(summary);
        Assert.Equal(Names.Length, rows.Count);

        foreach (var name in Names)
        {
            var call = Call(summary, name);
            var row = rows[(string)call["spanId"]!];
            Assert.Equal("openinference", row.GetProperty("SourceFormat").GetString());
            Assert.Equal("chat", row.GetProperty("Operation").GetString());
            Assert.Equal("openai", row.GetProperty("Provider").GetString());
            Assert.Null(Attribute(row, "otel_llm.raw.provider"));
            Assert.Equal((string)call["requestModel"]!, row.GetProperty("RequestModel").GetString());
            Assert.Equal("js-langchain-openinference", row.GetProperty("ServiceName").GetString());
            if (call["usage"] is not JsonObject usage)
            {
                continue;
            }

            Assert.Equal((string)call["responseModel"]!, row.GetProperty("ResponseModel").GetString());
            Assert.Equal((string)call["responseId"]!, row.GetProperty("ResponseId").GetString());
            Assert.Equal((ulong)usage["inputTokens"]!, U(row, "InputTokens"));
            Assert.Equal((ulong)usage["outputTokens"]!, U(row, "OutputTokens"));
            Assert.Equal((ulong)usage["totalTokens"]!, U(row, "TotalTokens"));
            Assert.Equal((ulong)usage["cacheReadTokens"]!, U(row, "CacheReadTokens"));
            Assert.Equal((ulong)usage["reasoningTokens"]!, U(row, "ReasoningTokens"));
            Assert.Equal(name == "stream", row.GetProperty("Streaming").GetInt32() == 1);
            var at = DateTimeOffset.FromUnixTimeMilliseconds((long)(ulong.Parse(row.GetProperty("StartTimeUnixNano").GetString()!) / 1_000_000));
            var expected = ModelPriceTable.Default.PriceCall("openai", (string)call["responseModel"]!, null,
                new TokenUsage((long)(ulong)usage["inputTokens"]!, (long)(ulong)usage["outputTokens"]!, (long)(ulong)usage["cacheReadTokens"]!, 0, (long)(ulong)usage["reasoningTokens"]!), at, out _);
            Assert.NotNull(expected);
            Assert.Equal(expected.Value, row.GetProperty("CostUsd").GetDouble(), expected.Value * 1e-9);
            var finish = (string)call["finishReasons"]![0]! == "tool_calls" ? "tool_call" : (string)call["finishReasons"]![0]!;
            Assert.Equal(finish, row.GetProperty("FinishReasons")[0].GetString());
        }

        var chat = rows[(string)Call(summary, "chat")["spanId"]!];
        Assert.Equal(0.2, chat.GetProperty("Temperature").GetDouble());
        var input = Messages(chat, "InputMessages");
        Assert.Equal(["system", "user"], input.Select(m => (string)m!["role"]!).ToArray());
        Assert.Equal((string)Call(summary, "chat")["input"]![1]!["text"]!, (string?)input[1]!["parts"]![0]!["content"]);
        Assert.Equal((string)Call(summary, "chat")["outputText"]!, (string?)Messages(chat, "OutputMessages")[0]!["parts"]![0]!["content"]);

        var error = rows[(string)Call(summary, "error")["spanId"]!];
        Assert.Equal("Error", error.GetProperty("StatusCode").GetString());
        Assert.Contains((string)Call(summary, "error")["error"]!["message"]!, error.GetProperty("StatusMessage").GetString());
    }

    [Fact]
    public async Task Traceloop_ChatOpenAI_StoredAsOpenLlmetryWithTheSameProvider()
    {
        var summary = await RunAsync("traceloop", receiver.GrpcEndpoint, "grpc");
        var rows = await RowsAsync(summary);
        Assert.Equal(Names.Length, rows.Count);

        foreach (var name in Names)
        {
            var call = Call(summary, name);
            var row = rows[(string)call["spanId"]!];
            Assert.Equal("openllmetry", row.GetProperty("SourceFormat").GetString());
            Assert.Equal("openai", row.GetProperty("Provider").GetString());
            if (call["usage"] is JsonObject usage)
            {
                Assert.Equal((ulong)usage["inputTokens"]!, U(row, "InputTokens"));
                Assert.Equal((ulong)usage["outputTokens"]!, U(row, "OutputTokens"));
                Assert.True(row.GetProperty("CostUsd").GetDouble() > 0);
            }
        }

        var toolResult = rows[(string)Call(summary, "tool_result")["spanId"]!];
        Assert.Equal("tool", (string?)Messages(toolResult, "InputMessages")[2]!["role"]);
        Assert.Equal((string)Call(summary, "tool_result")["outputText"]!, (string?)Messages(toolResult, "OutputMessages")[0]!["parts"]![0]!["content"]);
    }
}
