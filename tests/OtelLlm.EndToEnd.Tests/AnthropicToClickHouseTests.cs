using System.Text.Json;
using Anthropic;
using Microsoft.Extensions.AI;
using OpenTelemetry.Trace;
using OtelLlm.Instrumentation;
using OtelLlm.Semantics.Pricing;
using OtelLlm.Receiver.TestHost;
using OtelLlm.Samples.FakeAnthropic;

namespace OtelLlm.EndToEnd.Tests;

/// <summary>
/// The instrumentation end to end: the real Anthropic SDK's <c>AsIChatClient()</c> against the fake Messages API, through
/// <c>UseFunctionInvocation().UseOtelLlm()</c> (Microsoft.Extensions.AI's OpenTelemetry client with OtelLlm's enrichment),
/// recorded with <c>AddOtelLlmInstrumentation()</c>, exported by the real OpenTelemetry .NET OTLP exporter to the receiver
/// (in-process, free ports), normalized into <c>llm_calls</c> and read back from ClickHouse with FINAL.
/// </summary>
public sealed class AnthropicToClickHouseTests(ReceiverFixture receiver) : IClassFixture<ReceiverFixture>
{
    private const string Model = "claude-sonnet-4-5-20250929";

    // At least 100 characters, so the fake writes it to the prompt cache on the first call and reads it on the second.
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
    public async Task AnthropicSdk_ChatStreamAndToolLoop_StoresLlmCallsWithUsageCacheCostContextContentAndHttpChild(string protocol, bool captureContent)
    {
        var id = Guid.NewGuid().ToString("N")[..10];
        var service = $"e2e-anthropic-{protocol}-{(captureContent ? "content" : "nocontent")}-{id}";
        var sourceName = "OtelLlm.EndToEnd." + id;
        var (userId, sessionId, workload) = ("user-" + id, "session-" + id, "e2e-travel-" + id);
        await using var fake = await FakeAnthropicServer.StartAsync();

        ChatResponse chatResponse, streamResponse, toolResponse;
        using (var tracerProvider = E2eTracing.Provider(receiver, protocol, service, sourceName))
        {
            var anthropic = new AnthropicClient { ApiKey = "fake-key", BaseUrl = fake.BaseUrl.ToString().TrimEnd('/'), MaxRetries = 0 };
            using var chat = new ChatClientBuilder(anthropic.AsIChatClient(Model, 512))
                .UseFunctionInvocation()
                .UseOtelLlm(o =>
                {
                    o.SourceName = sourceName;
                    o.EnableSensitiveData = captureContent;
                })
                .Build();

            using (OtelLlmContext.Begin(userId: userId, sessionId: sessionId, workload: workload))
            {
                chatResponse = await chat.GetResponseAsync("Say hello to Paris", new ChatOptions { Instructions = Instructions });
                List<ChatResponseUpdate> updates = [];
                await foreach (var update in chat.GetStreamingResponseAsync("Tell me about Lisbon", new ChatOptions { Instructions = Instructions }))
                {
                    updates.Add(update);
                }

                streamResponse = updates.ToChatResponse();
                var weather = AIFunctionFactory.Create((string location) => $"rainy, 14 degrees in {location}", "get_weather", "Gets the current weather for a city");
                toolResponse = await chat.GetResponseAsync("Oslo", new ChatOptions { Tools = [weather] });
            }

            Assert.True(tracerProvider.ForceFlush(60_000), "the OTLP exporter did not flush");
        }

        var requests = fake.Requests.ToArray();
        Assert.Equal(4, requests.Length);
        var rows = await E2eTracing.WaitForCallsAsync(receiver, service, 4);
        Assert.Equal(4, rows.Count);
        for (var i = 0; i < rows.Count; i++)
        {
            var row = rows[i];
            Assert.Equal("anthropic", row.GetProperty("Provider").GetString());
            Assert.Equal("chat", row.GetProperty("Operation").GetString());
            Assert.Equal("otel_genai_v1_37", row.GetProperty("SourceFormat").GetString());
            Assert.Equal(Model, row.GetProperty("RequestModel").GetString());
            Assert.Equal(Model, row.GetProperty("ResponseModel").GetString());
            Assert.StartsWith("msg_fake", row.GetProperty("ResponseId").GetString(), StringComparison.Ordinal);
            Assert.Equal("e2e", row.GetProperty("Environment").GetString());
            Assert.Equal("Unset", row.GetProperty("StatusCode").GetString());
            Assert.Equal("127.0.0.1", row.GetProperty("ServerAddress").GetString());

            // The fake's script: input tokens are the request body's characters / 4, cache reads and writes included;
            // the instructions are written to the cache by the first call and read by the second.
            var input = (ulong)Math.Max(1, requests[i].Length / 4);
            var cacheWrite = i == 0 ? (ulong)(Instructions.Length / 4) : 0UL;
            var cacheRead = i == 1 ? (ulong)(Instructions.Length / 4) : 0UL;
            Assert.Equal(input, E2eTracing.UInt(row, "InputTokens"));
            Assert.Equal(cacheRead, E2eTracing.UInt(row, "CacheReadTokens"));
            Assert.Equal(cacheWrite, E2eTracing.UInt(row, "CacheWriteTokens"));
            var output = E2eTracing.UInt(row, "OutputTokens");
            Assert.True(output > 0, $"call {i} has no output tokens");

            var expectedCost = ModelPriceTable.Default.GetCostUsd(
                "anthropic", Model, new TokenUsage((long)input, (long)output, (long)cacheRead, (long)cacheWrite));
            Assert.NotNull(expectedCost);
            Assert.Equal(expectedCost.Value, row.GetProperty("CostUsd").GetDouble(), expectedCost.Value * 1e-9);
            Assert.Equal("span", row.GetProperty("CostSource").GetString());

            Assert.Equal(userId, row.GetProperty("UserId").GetString());
            Assert.Equal(sessionId, row.GetProperty("ConversationId").GetString());
            Assert.Equal(workload, row.GetProperty("Workload").GetString());
            Assert.Equal(i == 1 ? 1 : 0, row.GetProperty("Streaming").GetInt32());
            Assert.Equal(i == 1, row.GetProperty("TimeToFirstTokenMs").ValueKind == JsonValueKind.Number);
            await E2eTracing.AssertHttpChildAsync(receiver, row, fake.BaseUrl, "/v1/messages");
        }

        // The chat answer is "You said: <text>", one output token per word.
        Assert.Equal((ulong)chatResponse.Text.Split(' ', StringSplitOptions.RemoveEmptyEntries).Length, E2eTracing.UInt(rows[0], "OutputTokens"));
        Assert.Equal(streamResponse.Usage!.OutputTokenCount, (long)E2eTracing.UInt(rows[1], "OutputTokens"));
        Assert.Equal(["stop"], E2eTracing.FinishReasons(rows[0]));
        Assert.Equal(["stop"], E2eTracing.FinishReasons(rows[1]));
        Assert.Equal(["tool_call"], E2eTracing.FinishReasons(rows[2]));
        Assert.Equal(["stop"], E2eTracing.FinishReasons(rows[3]));
        Assert.Contains("get_weather", rows[2].GetProperty("ToolDefinitions").GetString());
        Assert.Contains("get_weather", rows[3].GetProperty("ToolDefinitions").GetString());

        if (captureContent)
        {
            Assert.Equal("Say hello to Paris", E2eTracing.Text(rows[0], "InputMessages", "user"));
            Assert.Equal(chatResponse.Text, E2eTracing.Text(rows[0], "OutputMessages", "assistant"));
            Assert.Contains("You said: Say hello to Paris", chatResponse.Text, StringComparison.Ordinal);
            Assert.Contains(Instructions, rows[0].GetProperty("SystemInstructions").GetString(), StringComparison.Ordinal);
            Assert.Equal("Tell me about Lisbon", E2eTracing.Text(rows[1], "InputMessages", "user"));
            Assert.Equal(streamResponse.Text, E2eTracing.Text(rows[1], "OutputMessages", "assistant"));
            var toolCall = E2eTracing.Parts(rows[2], "OutputMessages").Single(p => (string?)p["type"] == "tool_call");
            Assert.Equal("get_weather", (string?)toolCall["name"]);
            Assert.Equal("Oslo", (string?)toolCall["arguments"]!["location"]);
            var toolResult = E2eTracing.Parts(rows[3], "InputMessages").Single(p => (string?)p["type"] == "tool_call_response");
            Assert.Contains("rainy, 14 degrees in Oslo", toolResult.ToJsonString(), StringComparison.Ordinal);
            Assert.Equal(toolResponse.Messages[^1].Text, E2eTracing.Text(rows[3], "OutputMessages", "assistant"));
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
}
