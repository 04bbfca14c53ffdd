using System.Diagnostics;
using Microsoft.Extensions.AI;
using OpenTelemetry;
using OpenTelemetry.Metrics;
using OpenTelemetry.Trace;

namespace OtelLlm.Instrumentation.Tests;

public sealed class ContextAndToolsTests
{
    private static FakeChatClient Inner() => new()
    {
        GetResponseAsyncCallback = async (_, _, _) =>
        {
            await Task.Yield();
            return new ChatResponse(new ChatMessage(ChatRole.Assistant, "ok")) { Usage = new UsageDetails { InputTokenCount = 1, OutputTokenCount = 1 } };
        },
    };

    [Fact]
    public async Task ContextScope_FlowsAcrossAwaitsAndNestsWithInnerValuesWinning()
    {
        using var capture = new TelemetryCapture();
        var client = Inner().WithOtelLlm(o => o.SourceName = capture.SourceName);

        using (OtelLlmContext.Begin(userId: "u-1", sessionId: "s-1", conversationId: "c-1", workload: "support", tags: [new("tenant", "acme"), new("tier", "gold")]))
        {
            await Task.Delay(1);
            await Task.Run(async () => await client.GetResponseAsync("first"));
            using (OtelLlmContext.Begin(workload: "summarize", tags: [new("tier", "silver")]))
            {
                await client.GetResponseAsync("second");
            }

            await client.GetResponseAsync("third");
        }

        await client.GetResponseAsync("outside");

        var spans = capture.Spans.ToArray();
        Assert.Equal(4, spans.Length);
        Assert.Equal("u-1", spans[0].GetTagItem("user.id"));
        Assert.Equal("s-1", spans[0].GetTagItem("session.id"));
        Assert.Equal("c-1", spans[0].GetTagItem("gen_ai.conversation.id"));
        Assert.Equal("support", spans[0].GetTagItem("otel_llm.workload"));
        Assert.Equal("acme", spans[0].GetTagItem("otel_llm.tag.tenant"));
        Assert.Equal("gold", spans[0].GetTagItem("otel_llm.tag.tier"));
        Assert.Equal("u-1", spans[1].GetTagItem("user.id"));
        Assert.Equal("summarize", spans[1].GetTagItem("otel_llm.workload"));
        Assert.Equal("silver", spans[1].GetTagItem("otel_llm.tag.tier"));
        Assert.Equal("acme", spans[1].GetTagItem("otel_llm.tag.tenant"));
        Assert.Equal("support", spans[2].GetTagItem("otel_llm.workload"));
        Assert.Equal("gold", spans[2].GetTagItem("otel_llm.tag.tier"));
        Assert.Null(spans[3].GetTagItem("user.id"));
        Assert.Null(spans[3].GetTagItem("otel_llm.workload"));
        Assert.Null(OtelLlmContext.UserId);
    }

    [Fact]
    public async Task ChatOptionsProperties_WinOverAmbientScope()
    {
        using var capture = new TelemetryCapture();
        var client = Inner().WithOtelLlm(o => o.SourceName = capture.SourceName);
        var options = new ChatOptions
        {
            AdditionalProperties = new()
            {
                [OtelLlmPropertyKeys.UserId] = "u-call",
                [OtelLlmPropertyKeys.Workload] = "w-call",
                [OtelLlmPropertyKeys.ConversationId] = "c-call",
                [OtelLlmPropertyKeys.Tags] = new Dictionary<string, string> { ["feature"] = "faq" },
            },
        };

        using (OtelLlmContext.Begin(userId: "u-scope", workload: "w-scope", conversationId: "c-scope"))
        {
            await client.GetResponseAsync("hi", options);
            await client.GetResponseAsync("hi", new ChatOptions { ConversationId = "c-options" });
        }

        var spans = capture.Spans.ToArray();
        Assert.Equal("u-call", spans[0].GetTagItem("user.id"));
        Assert.Equal("w-call", spans[0].GetTagItem("otel_llm.workload"));
        Assert.Equal("c-call", spans[0].GetTagItem("gen_ai.conversation.id"));
        Assert.Equal("faq", spans[0].GetTagItem("otel_llm.tag.feature"));
        Assert.Equal("c-options", spans[1].GetTagItem("gen_ai.conversation.id"));
        Assert.Equal("u-scope", spans[1].GetTagItem("user.id"));
    }

    [Fact]
    public async Task ContextScope_ParallelFlows_DoNotLeakIntoEachOther()
    {
        using var capture = new TelemetryCapture();
        var client = Inner().WithOtelLlm(o => o.SourceName = capture.SourceName);

        await Task.WhenAll(Enumerable.Range(0, 20).Select(i => Task.Run(async () =>
        {
            using (OtelLlmContext.Begin(userId: $"user-{i}"))
            {
                await Task.Yield();
                await client.GetResponseAsync(new ChatMessage(ChatRole.User, $"q{i}"), new ChatOptions { ConversationId = $"conv-{i}" });
            }
        })));

        Assert.Equal(20, capture.Spans.Count);
        foreach (var span in capture.Spans)
        {
            var conversation = (string)span.GetTagItem("gen_ai.conversation.id")!;
            Assert.Equal(conversation.Replace("conv-", "user-", StringComparison.Ordinal), span.GetTagItem("user.id"));
        }
    }

    [Fact]
    public async Task Embeddings_RecordEmbeddingsSpanWithTokensDimensionsAndCost()
    {
        using var capture = new TelemetryCapture();
        var generator = new FakeEmbeddingGenerator().WithOtelLlm(o => o.SourceName = capture.SourceName);

        using (OtelLlmContext.Begin(userId: "u-emb"))
        {
            await generator.GenerateAsync(["hello", "world!"]);
        }

        var span = capture.Single();
        Assert.Equal("embeddings text-embedding-3-small", span.DisplayName);
        Assert.Equal(ActivityKind.Client, span.Kind);
        Assert.Equal("embeddings", span.GetTagItem("gen_ai.operation.name"));
        Assert.Equal("openai", span.GetTagItem("gen_ai.provider.name"));
        Assert.Equal("text-embedding-3-small", span.GetTagItem("gen_ai.request.model"));
        Assert.Equal("text-embedding-3-small", span.GetTagItem("gen_ai.response.model"));
        Assert.Equal(11L, span.GetTagItem("gen_ai.usage.input_tokens"));
        Assert.Equal(3, span.GetTagItem("gen_ai.embeddings.dimension.count"));
        Assert.Equal(11 * 2e-8, (double)span.GetTagItem("gen_ai.usage.cost")!, 15);
        Assert.Equal("u-emb", span.GetTagItem("user.id"));
        var input = Assert.Single(capture.Of("gen_ai.client.token.usage"));
        Assert.Equal("embeddings", input.Tags["gen_ai.operation.name"]);
        Assert.Equal(11, input.Value);
    }

    [Fact]
    public async Task InstrumentedTool_RecordsExecuteToolSpanUnderTheCurrentSpan()
    {
        using var capture = new TelemetryCapture();
        var options = new OtelLlmInstrumentationOptions { SourceName = capture.SourceName, CaptureMessageContent = true };
        var tool = OtelLlmTools.Instrument(AIFunctionFactory.Create((string city) => $"sunny in {city}", "get_weather", "Gets the weather"), options);
        using var parentSource = new ActivitySource(capture.SourceName);

        using (var parent = parentSource.StartActivity("agent turn"))
        {
            var result = await tool.InvokeAsync(new AIFunctionArguments(new Dictionary<string, object?> { ["city"] = "Paris" })
            {
                Context = new Dictionary<object, object?> { [OtelLlmPropertyKeys.ToolCallId] = "call-9" },
            });
            Assert.Equal("sunny in Paris", result?.ToString());
        }

        var span = capture.Spans.First(s => s.DisplayName == "execute_tool get_weather");
        Assert.Equal(ActivityKind.Internal, span.Kind);
        Assert.Equal("execute_tool", span.GetTagItem("gen_ai.operation.name"));
        Assert.Equal("get_weather", span.GetTagItem("gen_ai.tool.name"));
        Assert.Equal("function", span.GetTagItem("gen_ai.tool.type"));
        Assert.Equal("call-9", span.GetTagItem("gen_ai.tool.call.id"));
        Assert.Equal("Gets the weather", span.GetTagItem("gen_ai.tool.description"));
        Assert.Equal("""{"city":"Paris"}""", span.GetTagItem("gen_ai.tool.call.arguments"));
        Assert.Contains("sunny in Paris", (string)span.GetTagItem("gen_ai.tool.call.result")!, StringComparison.Ordinal);
        Assert.Equal(capture.Spans.First(s => s.DisplayName == "agent turn").SpanId, span.ParentSpanId);
        Assert.Equal("get_weather", tool.Name);
    }

    [Fact]
    public async Task InstrumentedTool_Throws_RecordsErrorAndHidesContentWhenCaptureOff()
    {
        using var capture = new TelemetryCapture();
        var tools = OtelLlmTools.Instrument(
            [AIFunctionFactory.Create(string (string q) => throw new TimeoutException("db slow"), "search")],
            new OtelLlmInstrumentationOptions { SourceName = capture.SourceName, CaptureMessageContent = false });

        await Assert.ThrowsAsync<TimeoutException>(async () => await ((AIFunction)tools[0]).InvokeAsync(new AIFunctionArguments(new Dictionary<string, object?> { ["q"] = "secret" })));

        var span = capture.Single();
        Assert.Equal(ActivityStatusCode.Error, span.Status);
        Assert.Equal("System.TimeoutException", span.GetTagItem("error.type"));
        Assert.Null(span.GetTagItem("gen_ai.tool.call.arguments"));
        Assert.Null(span.GetTagItem("gen_ai.tool.call.result"));
    }

    [Fact]
    public async Task NoListener_CreatesNoActivityAndAllocatesNothingBeyondTheInnerClient()
    {
        var sourceName = "nobody-listens-" + Guid.NewGuid().ToString("N");
        var response = new ChatResponse(new ChatMessage(ChatRole.Assistant, "ok")) { Usage = new UsageDetails { InputTokenCount = 1, OutputTokenCount = 1 } };
        var completed = Task.FromResult(response);
        Activity? seenByInner = null;
        var inner = new FakeChatClient
        {
            GetResponseAsyncCallback = (_, _, _) =>
            {
                seenByInner = Activity.Current;
                return completed;
            },
        };
        var client = inner.WithOtelLlm(o => o.SourceName = sourceName);
        var messages = new List<ChatMessage> { new(ChatRole.User, "hi") };
        var options = new ChatOptions { Temperature = 0.1f };

        for (var i = 0; i < 10; i++)
        {
            await client.GetResponseAsync(messages, options);
        }

        var innerBefore = GC.GetAllocatedBytesForCurrentThread();
        for (var i = 0; i < 1000; i++)
        {
            _ = await inner.GetResponseAsync(messages, options);
        }

        var innerBytes = GC.GetAllocatedBytesForCurrentThread() - innerBefore;
        var before = GC.GetAllocatedBytesForCurrentThread();
        for (var i = 0; i < 1000; i++)
        {
            _ = await client.GetResponseAsync(messages, options);
        }

        var wrappedBytes = GC.GetAllocatedBytesForCurrentThread() - before;
        Assert.Equal(innerBytes, wrappedBytes);
        Assert.Null(seenByInner);
        Assert.False(client.GetService<ActivitySource>()!.HasListeners());
    }

    [Fact]
    public async Task OpenTelemetrySdk_AddOtelLlmInstrumentation_ExportsSpansAndMetrics()
    {
        var sourceName = "sdk-" + Guid.NewGuid().ToString("N");
        var spans = new List<Activity>();
        var metrics = new List<Metric>();
        using (var tracer = Sdk.CreateTracerProviderBuilder().AddOtelLlmInstrumentation(sourceName).AddInMemoryExporter(spans).Build())
        using (var meter = Sdk.CreateMeterProviderBuilder().AddOtelLlmInstrumentation(sourceName).AddInMemoryExporter(metrics).Build())
        {
            var client = Inner().WithOtelLlm(o => o.SourceName = sourceName);
            await client.GetResponseAsync("hi");
            meter.ForceFlush();
        }

        var span = Assert.Single(spans);
        Assert.Equal("chat gpt-4o-mini", span.DisplayName);
        Assert.Contains(metrics, m => m.Name == "gen_ai.client.token.usage");
        var duration = metrics.First(m => m.Name == "gen_ai.client.operation.duration");
        foreach (ref readonly var point in duration.GetMetricPoints())
        {
            var bounds = new List<double>();
            foreach (var bucket in point.GetHistogramBuckets())
            {
                bounds.Add(bucket.ExplicitBound);
            }

            Assert.Equal(0.01, bounds[0]);
            Assert.Equal(81.92, bounds[^2]);
        }
    }
}
