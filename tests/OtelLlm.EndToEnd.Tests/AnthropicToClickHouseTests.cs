using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using Anthropic;
using Microsoft.Extensions.AI;
using OpenTelemetry;
using OpenTelemetry.Exporter;
using OpenTelemetry.Resources;
using OpenTelemetry.Trace;
using OtelLlm.Instrumentation;
using OtelLlm.Semantics.Pricing;
using OtelLlm.Receiver.TestHost;
using OtelLlm.Samples.FakeAnthropic;

namespace OtelLlm.EndToEnd.Tests;

/// <summary>
/// The instrumentation sample's pipeline end to end: the real Anthropic SDK's <c>AsIChatClient()</c> against the fake
/// Messages API, wrapped by <c>WithOtelLlm()</c>, exported by the real OpenTelemetry .NET OTLP exporter to the receiver
/// (in-process, free ports), normalized into <c>llm_calls</c> and read back from ClickHouse with FINAL.
/// </summary>
/// <remarks>
/// The test drives the calls itself rather than through the sample's runner so that it owns the fake server (whose
/// recorded request bodies give the scripted token counts) and the context scope (the runner opens its own).
/// </remarks>
public sealed class AnthropicToClickHouseTests(ReceiverFixture receiver) : IClassFixture<ReceiverFixture>
{
    private const string Model = "claude-sonnet-4-5-20250929";

    // At least 100 characters, so the fake reports a quarter of it as a prompt-cache read.
    private const string Instructions =
        "You are a concise travel assistant. Answer in one short sentence, never use lists, and always name the city you talk about.";

    public static TheoryData<string, bool> Cases => new()
    {
        { "grpc", true },
        { "grpc", false },
        { "http", true },
        { "http", false },
    };

    [Theory]
    [MemberData(nameof(Cases))]
    public async Task AnthropicSdk_ChatStreamAndTools_StoresLlmCallsWithUsageCostContextAndContent(string protocol, bool captureContent)
    {
        var id = Guid.NewGuid().ToString("N")[..10];
        var service = $"e2e-anthropic-{protocol}-{(captureContent ? "content" : "nocontent")}-{id}";
        var sourceName = "OtelLlm.EndToEnd." + id;
        var (userId, sessionId, workload) = ("user-" + id, "session-" + id, "e2e-travel-" + id);
        await using var fake = await FakeAnthropicServer.StartAsync();

        ChatResponse chatResponse, streamResponse, toolCallResponse, toolResultResponse;
        using (var tracerProvider = Sdk.CreateTracerProviderBuilder()
            .SetResourceBuilder(ResourceBuilder.CreateEmpty().AddService(service).AddAttributes([new("deployment.environment.name", "e2e")]))
            .AddOtelLlmInstrumentation(sourceName)
            .AddOtlpExporter(o =>
            {
                o.TimeoutMilliseconds = 60_000;
                o.Protocol = protocol == "grpc" ? OtlpExportProtocol.Grpc : OtlpExportProtocol.HttpProtobuf;
                o.Endpoint = protocol == "grpc" ? receiver.GrpcEndpoint : new Uri(receiver.HttpEndpoint, "/v1/traces");
            })
            .Build())
        {
            var anthropic = new AnthropicClient { ApiKey = "fake-key", BaseUrl = fake.BaseUrl.ToString().TrimEnd('/'), MaxRetries = 0 };
            using var chat = anthropic.AsIChatClient(Model, 512).WithOtelLlm(o =>
            {
                o.SourceName = sourceName;
                o.CaptureMessageContent = captureContent;
            });

            using (OtelLlmContext.Begin(userId: userId, sessionId: sessionId, workload: workload))
            {
                chatResponse = await chat.GetResponseAsync("Say hello to Paris", new ChatOptions { Instructions = Instructions });
                List<ChatResponseUpdate> updates = [];
                await foreach (var update in chat.GetStreamingResponseAsync("Tell me about Lisbon"))
                {
                    updates.Add(update);
                }

                streamResponse = updates.ToChatResponse();
                var weather = AIFunctionFactory.Create((string location) => $"rainy, 14 degrees in {location}", "get_weather", "Gets the current weather for a city");
                var toolOptions = new ChatOptions { Tools = [weather] };
                List<ChatMessage> history = [new(ChatRole.User, "Oslo")];
                toolCallResponse = await chat.GetResponseAsync(history, toolOptions);
                history.AddRange(toolCallResponse.Messages);
                var call = toolCallResponse.Messages.SelectMany(m => m.Contents).OfType<FunctionCallContent>().Single();
                history.Add(new ChatMessage(ChatRole.Tool, [new FunctionResultContent(call.CallId, await weather.InvokeAsync(new AIFunctionArguments(call.Arguments)))]));
                toolResultResponse = await chat.GetResponseAsync(history, toolOptions);
            }

            Assert.True(tracerProvider.ForceFlush(60_000), "the OTLP exporter did not flush");
        }

        var requests = fake.Requests.ToArray();
        Assert.Equal(4, requests.Length);
        var rows = await WaitForCallsAsync(service, 4);
        Assert.Equal(4, rows.Count);
        var responses = new[] { chatResponse, streamResponse, toolCallResponse, toolResultResponse };
        for (var i = 0; i < rows.Count; i++)
        {
            var row = rows[i];
            var usage = responses[i].Usage!;
            Assert.Equal("anthropic", row.GetProperty("Provider").GetString());
            Assert.Equal("chat", row.GetProperty("Operation").GetString());
            Assert.Equal("otel_genai_v1_37", row.GetProperty("SourceFormat").GetString());
            Assert.Equal(Model, row.GetProperty("RequestModel").GetString());
            Assert.Equal(responses[i].ModelId, row.GetProperty("ResponseModel").GetString());
            Assert.Equal(Model, row.GetProperty("ResponseModel").GetString());
            Assert.Equal(responses[i].ResponseId, row.GetProperty("ResponseId").GetString());
            Assert.Equal("e2e", row.GetProperty("Environment").GetString());
            Assert.Equal("Unset", row.GetProperty("StatusCode").GetString());

            // The fake's script: input tokens are the request body's characters / 4 (cache reads included),
            // and the client saw the same numbers the span carried.
            var input = (ulong)Math.Max(1, requests[i].Length / 4);
            var cacheRead = i == 0 ? (ulong)(Instructions.Length / 4) : 0UL;
            Assert.Equal(input, UInt(row, "InputTokens"));
            Assert.Equal((ulong)usage.InputTokenCount!, UInt(row, "InputTokens"));
            Assert.Equal(cacheRead, UInt(row, "CacheReadTokens"));
            Assert.Equal(0UL, UInt(row, "CacheWriteTokens"));
            Assert.Equal((ulong)usage.OutputTokenCount!, UInt(row, "OutputTokens"));
            Assert.True(UInt(row, "OutputTokens") > 0, $"call {i} has no output tokens");

            var expectedCost = ModelPriceTable.Default.GetCostUsd(
                "anthropic", Model, new TokenUsage((long)input, usage.OutputTokenCount!.Value, (long)cacheRead));
            Assert.NotNull(expectedCost);
            Assert.Equal(expectedCost.Value, row.GetProperty("CostUsd").GetDouble(), expectedCost.Value * 1e-9);
            Assert.Equal("span", row.GetProperty("CostSource").GetString());

            Assert.Equal(userId, row.GetProperty("UserId").GetString());
            Assert.Equal(sessionId, row.GetProperty("ConversationId").GetString());
            Assert.Equal(workload, row.GetProperty("Workload").GetString());
            Assert.Equal(i == 1 ? 1 : 0, row.GetProperty("Streaming").GetInt32());
        }

        // The chat answer is "You said: <text>", one output token per word.
        Assert.Equal((ulong)chatResponse.Text.Split(' ', StringSplitOptions.RemoveEmptyEntries).Length, UInt(rows[0], "OutputTokens"));
        Assert.True(UInt(rows[0], "CacheReadTokens") > 0, "the chat call must exercise cache-read tokens");
        Assert.Equal(["stop"], FinishReasons(rows[0]));
        Assert.Equal(["stop"], FinishReasons(rows[1]));
        Assert.Equal(["tool_call"], FinishReasons(rows[2]));
        Assert.Equal(["stop"], FinishReasons(rows[3]));
        Assert.Contains("get_weather", rows[2].GetProperty("ToolDefinitions").GetString());

        if (captureContent)
        {
            Assert.Equal("Say hello to Paris", Text(rows[0], "InputMessages", "user"));
            Assert.Equal(chatResponse.Text, Text(rows[0], "OutputMessages", "assistant"));
            Assert.Contains("You said: Say hello to Paris", chatResponse.Text, StringComparison.Ordinal);
            Assert.Contains(Instructions, rows[0].GetProperty("SystemInstructions").GetString(), StringComparison.Ordinal);
            Assert.Equal("Tell me about Lisbon", Text(rows[1], "InputMessages", "user"));
            Assert.Equal(streamResponse.Text, Text(rows[1], "OutputMessages", "assistant"));
            Assert.Contains("Lisbon", streamResponse.Text, StringComparison.Ordinal);
            var toolCall = Parts(rows[2], "OutputMessages").Single(p => (string?)p["type"] == "tool_call");
            Assert.Equal("get_weather", (string?)toolCall["name"]);
            Assert.Equal("Oslo", (string?)toolCall["arguments"]!["location"]);
            var toolResult = Parts(rows[3], "InputMessages").Single(p => (string?)p["type"] == "tool_call_response");
            Assert.Contains("rainy, 14 degrees in Oslo", toolResult.ToJsonString(), StringComparison.Ordinal);
            Assert.Equal(toolResultResponse.Text, Text(rows[3], "OutputMessages", "assistant"));
        }
        else
        {
            foreach (var row in rows)
            {
                Assert.Equal(string.Empty, row.GetProperty("InputMessages").GetString());
                Assert.Equal(string.Empty, row.GetProperty("OutputMessages").GetString());
                Assert.Equal(string.Empty, row.GetProperty("SystemInstructions").GetString());
                Assert.DoesNotContain("Paris", row.GetRawText(), StringComparison.Ordinal);
                Assert.DoesNotContain("Oslo", row.GetRawText(), StringComparison.Ordinal);
            }
        }
    }

    private async Task<List<JsonElement>> WaitForCallsAsync(string service, int expected)
    {
        var deadline = DateTime.UtcNow.AddSeconds(60);
        while (true)
        {
            var rows = await receiver.Database.Client.QueryJsonAsync(
                $"SELECT * FROM llm_calls FINAL WHERE ServiceName = '{service}' ORDER BY StartTimeUnixNano", "read end-to-end calls");
            if (rows.Count >= expected || DateTime.UtcNow > deadline)
            {
                return [.. rows];
            }

            await Task.Delay(250);
        }
    }

    private static ulong UInt(JsonElement row, string column) =>
        row.GetProperty(column) is { ValueKind: JsonValueKind.String } s
            ? ulong.Parse(s.GetString()!, CultureInfo.InvariantCulture)
            : row.GetProperty(column).GetUInt64();

    private static List<string> FinishReasons(JsonElement row) =>
        row.GetProperty("FinishReasons").EnumerateArray().Select(e => e.GetString()!).ToList();

    private static List<JsonObject> Parts(JsonElement row, string column) =>
        JsonNode.Parse(row.GetProperty(column).GetString()!)!.AsArray()
            .SelectMany(m => m!["parts"]!.AsArray())
            .Select(p => p!.AsObject())
            .ToList();

    /// <summary>The concatenated text parts of the last message with the given role, in the OTel GenAI message schema.</summary>
    private static string Text(JsonElement row, string column, string role)
    {
        var message = JsonNode.Parse(row.GetProperty(column).GetString()!)!.AsArray().Last(m => (string?)m!["role"] == role)!;
        return string.Concat(message["parts"]!.AsArray().Where(p => (string?)p!["type"] == "text").Select(p => (string?)p!["content"]));
    }
}
