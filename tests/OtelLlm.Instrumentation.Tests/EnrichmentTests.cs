using System.Diagnostics;
using Microsoft.Extensions.AI;
using OtelLlm.Semantics.Pricing;

namespace OtelLlm.Instrumentation.Tests;

/// <summary>
/// <c>UseOtelLlm()</c> / <c>WithOtelLlm()</c>: Microsoft.Extensions.AI's OpenTelemetry client produces the span, and
/// OtelLlm's enrichment inside it adds cost, cache writes and context to that same span.
/// </summary>
public sealed class EnrichmentTests
{
    private static ChatResponse Answer(string model = "gpt-4o-mini-2024-07-18", UsageDetails? usage = null) => new(new ChatMessage(ChatRole.Assistant, "Hi there"))
    {
        ModelId = model,
        ResponseId = "chatcmpl-1",
        FinishReason = ChatFinishReason.Stop,
        Usage = usage ?? new UsageDetails { InputTokenCount = 1000, OutputTokenCount = 200, CachedInputTokenCount = 400 },
    };

    private static double Cost(string provider, string model, TokenUsage usage) => ModelPriceTable.Default.GetCostUsd(provider, model, usage)!.Value;

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task UseOtelLlm_ChatCall_OneMeaiSpanCarriesUsageCostAndContext(bool pending)
    {
        using var capture = new TelemetryCapture();
        var fake = new FakeChatClient
        {
            GetResponseAsyncCallback = async (_, _, _) =>
            {
                if (pending)
                {
                    await Task.Yield();
                }

                return Answer();
            },
        };
        using var client = new ChatClientBuilder(fake).UseOtelLlm(o => o.SourceName = capture.SourceName).Build();

        using (OtelLlmContext.Begin(userId: "u-1", sessionId: "s-1", conversationId: "c-1", workload: "support", tags: [new("team", "blue")]))
        {
            await client.GetResponseAsync("Hello", new ChatOptions { Temperature = 0.5f, MaxOutputTokens = 100 });
        }

        var span = capture.Single();
        Assert.Equal(capture.SourceName, span.Source.Name);
        Assert.Equal("chat gpt-4o-mini", span.DisplayName);
        Assert.Equal(ActivityKind.Client, span.Kind);

        // Microsoft.Extensions.AI's own attributes.
        Assert.Equal("chat", span.GetTagItem("gen_ai.operation.name"));
        Assert.Equal("OpenAI", span.GetTagItem("gen_ai.provider.name"));
        Assert.Equal("gpt-4o-mini", span.GetTagItem("gen_ai.request.model"));
        Assert.Equal("gpt-4o-mini-2024-07-18", span.GetTagItem("gen_ai.response.model"));
        Assert.Equal(1000, span.GetTagItem("gen_ai.usage.input_tokens"));
        Assert.Equal(200, span.GetTagItem("gen_ai.usage.output_tokens"));
        Assert.Equal(400, span.GetTagItem("gen_ai.usage.cache_read.input_tokens"));
        Assert.Equal("api.example.test", span.GetTagItem("server.address"));

        // OtelLlm's, on the same span.
        Assert.Equal(Cost("openai", "gpt-4o-mini-2024-07-18", new TokenUsage(1000, 200, 400)), (double)span.GetTagItem("gen_ai.usage.cost")!, 12);
        Assert.Equal("u-1", span.GetTagItem("user.id"));
        Assert.Equal("s-1", span.GetTagItem("session.id"));
        Assert.Equal("c-1", span.GetTagItem("gen_ai.conversation.id"));
        Assert.Equal("support", span.GetTagItem("otel_llm.workload"));
        Assert.Equal("blue", span.GetTagItem("otel_llm.tag.team"));
        Assert.Null(span.GetTagItem("gen_ai.usage.cache_creation.input_tokens"));
    }

    [Fact]
    public async Task UseOtelLlm_Streaming_CostAndCacheWritesComeFromTheUsageUpdates()
    {
        using var capture = new TelemetryCapture();
        var usage = new UsageDetails { InputTokenCount = 900, OutputTokenCount = 30, CachedInputTokenCount = 100 };
        usage.AdditionalCounts = new() { ["CacheCreationInputTokens"] = 500 };
        var fake = new FakeChatClient
        {
            Metadata = new ChatClientMetadata("anthropic", new Uri("https://api.anthropic.com"), "claude-sonnet-4-5"),
            GetStreamingResponseAsyncCallback = (_, _, ct) => FakeChatClient.Stream(
            [
                new ChatResponseUpdate(ChatRole.Assistant, "Hel") { ModelId = "claude-sonnet-4-5-20250929", ResponseId = "msg_1" },
                new ChatResponseUpdate(ChatRole.Assistant, "lo") { ModelId = "claude-sonnet-4-5-20250929" },
                new ChatResponseUpdate { FinishReason = ChatFinishReason.Stop, Contents = [new UsageContent(usage)] },
            ], ct),
        };
        using var client = fake.WithOtelLlm(o => o.SourceName = capture.SourceName);

        var text = "";
        using (OtelLlmContext.Begin(userId: "streamer"))
        {
            await foreach (var update in client.GetStreamingResponseAsync("Hi"))
            {
                text += update.Text;
            }
        }

        Assert.Equal("Hello", text);
        var span = capture.Single();
        Assert.Equal(true, span.GetTagItem("gen_ai.request.stream"));
        Assert.NotNull(span.GetTagItem("gen_ai.response.time_to_first_chunk"));
        Assert.Equal(500L, span.GetTagItem("gen_ai.usage.cache_creation.input_tokens"));
        Assert.Equal(Cost("anthropic", "claude-sonnet-4-5-20250929", new TokenUsage(900, 30, 100, 500)), (double)span.GetTagItem("gen_ai.usage.cost")!, 12);
        Assert.Equal("streamer", span.GetTagItem("user.id"));
    }

    [Fact]
    public async Task UseOtelLlm_CallPropertiesWinOverTheScope_AndTheRequestConversationWinsOverBoth()
    {
        using var capture = new TelemetryCapture();
        var fake = new FakeChatClient { GetResponseAsyncCallback = (_, _, _) => Task.FromResult(Answer()) };
        using var client = fake.WithOtelLlm(o => o.SourceName = capture.SourceName);
        var options = new ChatOptions
        {
            ConversationId = "thread-9",
            AdditionalProperties = new()
            {
                [OtelLlmPropertyKeys.UserId] = "call-user",
                [OtelLlmPropertyKeys.ConversationId] = "call-conversation",
                [OtelLlmPropertyKeys.Tags] = new KeyValuePair<string, string>[] { new("plan", "pro") },
            },
        };

        using (OtelLlmContext.Begin(userId: "scope-user", conversationId: "scope-conversation", workload: "scope-workload"))
        {
            await client.GetResponseAsync("Hello", options);
        }

        var span = capture.Single();
        Assert.Equal("call-user", span.GetTagItem("user.id"));
        Assert.Equal("scope-workload", span.GetTagItem("otel_llm.workload"));
        Assert.Equal("pro", span.GetTagItem("otel_llm.tag.plan"));
        Assert.Equal(["thread-9"], span.TagObjects.Where(t => t.Key == "gen_ai.conversation.id").Select(t => t.Value));
    }

    [Fact]
    public async Task UseOtelLlm_ProviderFallbackAndPriceOverride_PriceTheCallAndNameTheProvider()
    {
        using var capture = new TelemetryCapture();
        var fake = new FakeChatClient
        {
            Metadata = new ChatClientMetadata(providerName: null, providerUri: null, defaultModelId: "house-model"),
            GetResponseAsyncCallback = (_, _, _) => Task.FromResult(Answer("house-model", new UsageDetails { InputTokenCount = 1_000_000, OutputTokenCount = 1_000_000 })),
        };
        var prices = ModelPriceTable.Load(new MemoryStream("""
            { "taken_on": "2026-01-01", "models": [ { "provider": "acme", "model": "house-model", "match": "^house-model$", "input": 2e-06, "output": 3e-06, "cache_read": null, "cache_write": null } ] }
            """u8.ToArray()));
        using var client = fake.WithOtelLlm(o =>
        {
            o.SourceName = capture.SourceName;
            o.ProviderName = "acme";
            o.PriceTable = prices;
        });

        await client.GetResponseAsync("Hello");

        var span = capture.Single();
        Assert.Equal("acme", span.GetTagItem("gen_ai.provider.name"));
        Assert.Equal(5.0, (double)span.GetTagItem("gen_ai.usage.cost")!, 9);
    }

    [Fact]
    public async Task UseOtelLlm_RecordCostOff_RecordsNoCost()
    {
        using var capture = new TelemetryCapture();
        var fake = new FakeChatClient { GetResponseAsyncCallback = (_, _, _) => Task.FromResult(Answer()) };
        using var client = fake.WithOtelLlm(o =>
        {
            o.SourceName = capture.SourceName;
            o.RecordCost = false;
        });

        await client.GetResponseAsync("Hello");

        Assert.Null(capture.Single().GetTagItem("gen_ai.usage.cost"));
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task UseOtelLlm_EnableSensitiveData_SwitchesMeaiContentCapture(bool enabled)
    {
        using var capture = new TelemetryCapture();
        var fake = new FakeChatClient { GetResponseAsyncCallback = (_, _, _) => Task.FromResult(Answer()) };
        using var client = fake.WithOtelLlm(o =>
        {
            o.SourceName = capture.SourceName;
            o.EnableSensitiveData = enabled;
        });

        await client.GetResponseAsync("What is my balance?", new ChatOptions { Instructions = "Be brief." });

        var span = capture.Single();
        Assert.Equal(enabled, span.GetTagItem("gen_ai.input.messages") is string input && input.Contains("What is my balance?", StringComparison.Ordinal));
        Assert.Equal(enabled, span.GetTagItem("gen_ai.output.messages") is string output && output.Contains("Hi there", StringComparison.Ordinal));
        Assert.Equal(enabled, span.GetTagItem("gen_ai.system_instructions") is not null);
    }

    [Fact]
    public async Task UseOtelLlm_InnerThrows_MeaiRecordsTheErrorAndNoCostIsAdded()
    {
        using var capture = new TelemetryCapture();
        var fake = new FakeChatClient { GetResponseAsyncCallback = async (_, _, _) => { await Task.Yield(); throw new HttpRequestException("boom"); } };
        using var client = fake.WithOtelLlm(o => o.SourceName = capture.SourceName);

        await Assert.ThrowsAsync<HttpRequestException>(() => client.GetResponseAsync("Hello"));

        var span = capture.Single();
        Assert.Equal(ActivityStatusCode.Error, span.Status);
        Assert.Equal(typeof(HttpRequestException).FullName, span.GetTagItem("error.type"));
        Assert.Null(span.GetTagItem("gen_ai.usage.cost"));
    }

    [Fact]
    public async Task UseOtelLlm_AfterFunctionInvocation_EveryModelCallIsEnrichedAndToolsRunInsideTheLoop()
    {
        using var capture = new TelemetryCapture();
        var calls = 0;
        var fake = new FakeChatClient
        {
            GetResponseAsyncCallback = (messages, _, _) => Task.FromResult(Interlocked.Increment(ref calls) == 1
                ? new ChatResponse(new ChatMessage(ChatRole.Assistant, [new FunctionCallContent("call-1", "get_weather", new Dictionary<string, object?> { ["city"] = "Oslo" })]))
                {
                    ModelId = "gpt-4o-mini",
                    FinishReason = ChatFinishReason.ToolCalls,
                    Usage = new UsageDetails { InputTokenCount = 50, OutputTokenCount = 10 },
                }
                : Answer()),
        };
        var weather = AIFunctionFactory.Create((string city) => $"rainy in {city}", "get_weather");
        using var client = new ChatClientBuilder(fake).UseFunctionInvocation().UseOtelLlm(o => o.SourceName = capture.SourceName).Build();

        using (OtelLlmContext.Begin(workload: "weather"))
        {
            var response = await client.GetResponseAsync("Weather in Oslo?", new ChatOptions { Tools = [weather] });
            Assert.Equal("Hi there", response.Text);
        }

        var chats = capture.Spans.Where(s => s.DisplayName.StartsWith("chat", StringComparison.Ordinal)).ToList();
        Assert.Equal(2, chats.Count);
        Assert.All(chats, c => Assert.Equal("weather", c.GetTagItem("otel_llm.workload")));
        Assert.All(chats, c => Assert.NotNull(c.GetTagItem("gen_ai.usage.cost")));
        var tool = Assert.Single(capture.Spans, s => s.DisplayName == "execute_tool get_weather");
        var loop = Assert.Single(capture.Spans, s => s.DisplayName == "orchestrate_tools");
        Assert.Equal(loop.SpanId, tool.ParentSpanId);
        Assert.All(chats, c => Assert.Equal(loop.SpanId, c.ParentSpanId));

        // The loop span sums its calls' usage; OtelLlm adds nothing to it, so nothing is counted twice.
        Assert.Null(loop.GetTagItem("gen_ai.usage.cost"));
        Assert.Null(loop.GetTagItem("otel_llm.workload"));
    }

    [Fact]
    public async Task UseOtelLlm_Embeddings_SpanCarriesTokensCostAndContext()
    {
        using var capture = new TelemetryCapture();
        using var generator = new EmbeddingGeneratorBuilder<string, Embedding<float>>(new FakeEmbeddingGenerator())
            .UseOtelLlm(o => o.SourceName = capture.SourceName)
            .Build();

        using (OtelLlmContext.Begin(userId: "searcher", workload: "search"))
        {
            await generator.GenerateAsync(["first text", "second"]);
        }

        var span = capture.Single();
        Assert.Equal("embeddings text-embedding-3-small", span.DisplayName);
        Assert.Equal("embeddings", span.GetTagItem("gen_ai.operation.name"));
        Assert.Equal(16, span.GetTagItem("gen_ai.usage.input_tokens"));
        Assert.Equal(Cost("openai", "text-embedding-3-small", new TokenUsage(16, 0)), (double)span.GetTagItem("gen_ai.usage.cost")!, 15);
        Assert.Equal("searcher", span.GetTagItem("user.id"));
        Assert.Equal("search", span.GetTagItem("otel_llm.workload"));
    }

    [Fact]
    public async Task CostMetric_RecordsTheSameCostAsTheSpan()
    {
        using var capture = new TelemetryCapture(costMeter: true);
        var model = "gpt-4o-mini-" + Guid.NewGuid().ToString("N")[..8];
        var fake = new FakeChatClient
        {
            Metadata = new ChatClientMetadata("openai", null, model),
            GetResponseAsyncCallback = (_, _, _) => Task.FromResult(Answer("gpt-4o-mini")),
        };
        using var client = fake.WithOtelLlm(o => o.SourceName = capture.SourceName);

        await client.GetResponseAsync("Hello");
        await client.GetResponseAsync("Hello again");

        var costs = capture.Of("otel_llm.client.cost").Where(m => Equals(m.Tags["gen_ai.request.model"], model)).ToList();
        Assert.Equal(2, costs.Count);
        var spanCost = (double)capture.Spans.First().GetTagItem("gen_ai.usage.cost")!;
        Assert.All(costs, c => Assert.Equal(spanCost, c.Value, 12));
        Assert.All(costs, c => Assert.Equal("openai", c.Tags["gen_ai.provider.name"]));
        Assert.All(costs, c => Assert.Equal("gpt-4o-mini", c.Tags["gen_ai.response.model"]));

        // Microsoft.Extensions.AI's own instruments under the configured name.
        Assert.Equal(2, capture.Of("gen_ai.client.operation.duration").Count);
        Assert.Equal(4, capture.Of("gen_ai.client.token.usage").Count);
    }

    [Fact]
    public async Task NoListener_NoSpanAndTheEnrichmentAllocatesNothing()
    {
        var response = Answer();
        var fake = new FakeChatClient { GetResponseAsyncCallback = (_, _, _) => Task.FromResult(response) };
        var unheard = "unheard-" + Guid.NewGuid().ToString("N");
        using var meaiOnly = new ChatClientBuilder(fake).UseOpenTelemetry(sourceName: unheard).Build();
        using var withOtelLlm = fake.WithOtelLlm(o => o.SourceName = unheard);
        List<ChatMessage> messages = [new(ChatRole.User, "Hello")];
        for (var i = 0; i < 3; i++)
        {
            await meaiOnly.GetResponseAsync(messages);
            await withOtelLlm.GetResponseAsync(messages);
        }

        var meai = Allocated(() => meaiOnly.GetResponseAsync(messages));
        var both = Allocated(() => withOtelLlm.GetResponseAsync(messages));

        Assert.Null(Activity.Current);
        Assert.Equal(meai, both);
    }

    private static long Allocated(Func<Task<ChatResponse>> call)
    {
        var before = GC.GetAllocatedBytesForCurrentThread();
        for (var i = 0; i < 100; i++)
        {
            _ = call();
        }

        return GC.GetAllocatedBytesForCurrentThread() - before;
    }
}
