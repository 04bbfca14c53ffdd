using System.ClientModel;
using System.ClientModel.Primitives;
using System.Text.Json;
using Microsoft.Extensions.AI;
using OpenAI;
using OpenTelemetry.Trace;
using OtelLlm.Instrumentation;
using OtelLlm.Receiver.TestHost;
using OtelLlm.Samples.FakeOpenAI;
using OtelLlm.Semantics.Pricing;

namespace OtelLlm.EndToEnd.Tests;

/// <summary>
/// The real OpenAI .NET SDK (<c>Microsoft.Extensions.AI.OpenAI</c>'s <c>AsIChatClient()</c> and
/// <c>AsIEmbeddingGenerator()</c>) against the fake Chat Completions and Embeddings API, through <c>UseOtelLlm()</c>,
/// exported over OTLP to the receiver and read back from <c>llm_calls</c> and <c>otel_traces</c>.
/// </summary>
public sealed class OpenAiToClickHouseTests(ReceiverFixture receiver) : IClassFixture<ReceiverFixture>
{
    private const string Instructions =
        "You are the search assistant of an outdoor shop. Answer from the passages only, in one sentence, and cite passage numbers.";

    [Theory]
    [InlineData("grpc")]
    [InlineData("http")]
    public async Task OpenAiSdk_ReasoningChatStreamToolLoopAndEmbeddings_StoresEveryField(string protocol)
    {
        var id = Guid.NewGuid().ToString("N")[..10];
        var service = $"e2e-openai-{protocol}-{id}";
        var sourceName = "OtelLlm.EndToEnd.OpenAI." + id;
        await using var fake = await FakeOpenAIServer.StartAsync();
        var openai = new OpenAIClient(new ApiKeyCredential("fake-key"), new OpenAIClientOptions { Endpoint = fake.BaseUrl, RetryPolicy = new ClientRetryPolicy(maxRetries: 0) });

        ChatResponse reasoning, streamed, tools;
        using (var tracerProvider = E2eTracing.Provider(receiver, protocol, service, sourceName))
        {
            void Configure(OtelLlmInstrumentationOptions o)
            {
                o.SourceName = sourceName;
                o.EnableSensitiveData = true;
            }

            using var o4 = new ChatClientBuilder(openai.GetChatClient("o4-mini").AsIChatClient()).UseOtelLlm(Configure).Build();
            using var mini = new ChatClientBuilder(openai.GetChatClient("gpt-4o-mini").AsIChatClient()).UseFunctionInvocation().UseOtelLlm(Configure).Build();
            using var embeddings = new EmbeddingGeneratorBuilder<string, Embedding<float>>(openai.GetEmbeddingClient("text-embedding-3-small").AsIEmbeddingGenerator())
                .UseOtelLlm(Configure)
                .Build();

            using (OtelLlmContext.Begin(userId: "user-" + id, conversationId: "conv-" + id, workload: "search", tags: [new("plan", "pro")]))
            {
                reasoning = await o4.GetResponseAsync("Which boots are waterproof?", new ChatOptions { Instructions = Instructions, MaxOutputTokens = 400 });
                List<ChatResponseUpdate> updates = [];
                await foreach (var update in mini.GetStreamingResponseAsync("Can sale items be returned?"))
                {
                    updates.Add(update);
                }

                streamed = updates.ToChatResponse();
                var stock = AIFunctionFactory.Create((string location) => $"3 pairs left in {location}", "check_stock", "Checks the stock of a store");
                tools = await mini.GetResponseAsync("Berlin", new ChatOptions { Tools = [stock] });
                await embeddings.GenerateAsync(["waterproof boots", "return policy"]);
            }

            Assert.True(tracerProvider.ForceFlush(60_000), "the OTLP exporter did not flush");
        }

        var rows = await E2eTracing.WaitForCallsAsync(receiver, service, 5);
        Assert.Equal(5, rows.Count);
        Assert.Equal(["o4-mini", "gpt-4o-mini", "gpt-4o-mini", "gpt-4o-mini", "text-embedding-3-small"], rows.Select(r => r.GetProperty("RequestModel").GetString()));
        Assert.Equal(["chat", "chat", "chat", "chat", "embeddings"], rows.Select(r => r.GetProperty("Operation").GetString()));
        foreach (var row in rows)
        {
            Assert.Equal("openai", row.GetProperty("Provider").GetString());
            Assert.Equal(row.GetProperty("RequestModel").GetString(), row.GetProperty("ResponseModel").GetString());
            Assert.Equal("user-" + id, row.GetProperty("UserId").GetString());
            Assert.Equal("conv-" + id, row.GetProperty("ConversationId").GetString());
            Assert.Equal("search", row.GetProperty("Workload").GetString());
            Assert.Contains("otel_llm.tag.plan", row.GetProperty("Attributes.Key").EnumerateArray().Select(k => k.GetString()));
            Assert.True(row.GetProperty("CostUsd").GetDouble() > 0, $"{row.GetProperty("RequestModel")} has no cost");
            Assert.Equal("127.0.0.1", row.GetProperty("ServerAddress").GetString());
            await E2eTracing.AssertHttpChildAsync(receiver, row, fake.BaseUrl, row.GetProperty("Operation").GetString() == "chat" ? "/v1/chat/completions" : "/v1/embeddings");
        }

        // The reasoning call: cached instructions, reasoning tokens, max tokens, priced with both.
        var first = rows[0];
        var usage = reasoning.Usage!;
        var cached = Instructions.Length / 4;
        Assert.Equal((ulong)usage.InputTokenCount!, E2eTracing.UInt(first, "InputTokens"));
        Assert.Equal((ulong)cached, E2eTracing.UInt(first, "CacheReadTokens"));
        Assert.Equal((ulong)usage.ReasoningTokenCount!, E2eTracing.UInt(first, "ReasoningTokens"));
        Assert.True(E2eTracing.UInt(first, "ReasoningTokens") > 0);
        Assert.Equal(400UL, E2eTracing.UInt(first, "MaxTokens"));
        Assert.Equal(reasoning.ResponseId, first.GetProperty("ResponseId").GetString());
        var expected = ModelPriceTable.Default.GetCostUsd("openai", "o4-mini", new TokenUsage(usage.InputTokenCount!.Value, usage.OutputTokenCount!.Value, cached, 0, usage.ReasoningTokenCount!.Value))!.Value;
        Assert.Equal(expected, first.GetProperty("CostUsd").GetDouble(), expected * 1e-9);
        Assert.Contains(Instructions, first.GetProperty("SystemInstructions").GetString(), StringComparison.Ordinal);
        Assert.Equal(reasoning.Text, E2eTracing.Text(first, "OutputMessages", "assistant"));

        // Streaming: usage from the final chunk, time to first token.
        Assert.Equal(1, rows[1].GetProperty("Streaming").GetInt32());
        Assert.Equal(JsonValueKind.Number, rows[1].GetProperty("TimeToFirstTokenMs").ValueKind);
        Assert.Equal((ulong)streamed.Usage!.OutputTokenCount!, E2eTracing.UInt(rows[1], "OutputTokens"));
        Assert.Equal(streamed.Text, E2eTracing.Text(rows[1], "OutputMessages", "assistant"));

        // The tool loop: the call, then the answer with the tool's result in its input.
        Assert.Equal(["tool_call"], E2eTracing.FinishReasons(rows[2]));
        Assert.Equal(["stop"], E2eTracing.FinishReasons(rows[3]));
        Assert.Contains("check_stock", rows[2].GetProperty("ToolDefinitions").GetString(), StringComparison.Ordinal);
        var call = E2eTracing.Parts(rows[2], "OutputMessages").Single(p => (string?)p["type"] == "tool_call");
        Assert.Equal("Berlin", (string?)call["arguments"]!["location"]);
        Assert.Contains("3 pairs left in Berlin", E2eTracing.Parts(rows[3], "InputMessages").Single(p => (string?)p["type"] == "tool_call_response").ToJsonString(), StringComparison.Ordinal);
        Assert.Equal(tools.Messages[^1].Text, E2eTracing.Text(rows[3], "OutputMessages", "assistant"));

        // Embeddings: input tokens only.
        Assert.Equal(7UL, E2eTracing.UInt(rows[4], "InputTokens"));
        Assert.Equal(0UL, E2eTracing.UInt(rows[4], "OutputTokens"));
    }
}
