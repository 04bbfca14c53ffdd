using System.Diagnostics;
using System.Diagnostics.Metrics;
using System.Runtime.CompilerServices;
using Microsoft.Extensions.AI;
using OtelLlm.Semantics;
using OtelLlm.Instrumentation.Telemetry;

namespace OtelLlm.Instrumentation.Tests;

/// <summary>The per-call caches (span names, tag names) and what a call allocates with listeners attached.</summary>
/// <remarks>
/// Not run in parallel with <see cref="NumberBoxesTests"/>, which sweeps every slot of the shared number boxes: the
/// allocation tests here would count the boxes it evicts.
/// </remarks>
[Collection(NumberBoxesTests.Collection)]
public sealed class HotPathTests
{
    private static ChatResponse Answer(long inputTokens, long outputTokens) =>
        new(new ChatMessage(ChatRole.Assistant, "ok"))
        {
            ResponseId = "resp-hot",
            ModelId = "gpt-4o-mini-2024-07-18",
            FinishReason = ChatFinishReason.Stop,
            Usage = new UsageDetails { InputTokenCount = inputTokens, OutputTokenCount = outputTokens },
        };

    [Fact]
    public async Task GetResponse_AlternatingModels_EachSpanHasItsOwnName()
    {
        using var capture = new TelemetryCapture();
        var inner = new FakeChatClient { GetResponseAsyncCallback = (_, _, _) => Task.FromResult(Answer(10, 2)) };
        var client = inner.WithOtelLlm(o => o.SourceName = capture.SourceName);

        string[] models = ["gpt-4o-mini", "claude-sonnet-4-5", "gpt-4o-mini", "claude-sonnet-4-5", "gpt-4o-mini"];
        foreach (var model in models)
        {
            await client.GetResponseAsync("hi", new ChatOptions { ModelId = model });
        }

        var spans = capture.Spans.ToArray();
        Assert.Equal(models.Length, spans.Length);
        for (var i = 0; i < models.Length; i++)
        {
            Assert.Equal("chat " + models[i], spans[i].DisplayName);
            Assert.Equal(models[i], spans[i].GetTagItem("gen_ai.request.model"));
        }
    }

    [Fact]
    public void SpanName_UnboundedDistinctModels_NamesStayRightAndTheCacheStaysBounded()
    {
        using var capture = new TelemetryCapture(metrics: false);
        var core = new InstrumentationCore(new OtelLlmInstrumentationOptions { SourceName = capture.SourceName }, "openai", providerUri: null, defaultModel: null);
        var total = (InstrumentationCore.MaxCachedSpanNames * 2) + 50;

        for (var i = 0; i < total; i++)
        {
            core.Start(GenAi.Operation.Chat, "model-" + i)!.Dispose();
            core.Start(GenAi.Operation.Embeddings, "model-" + i)!.Dispose();
        }

        // Names of models seen before and after the cache filled up are still right.
        core.Start(GenAi.Operation.Chat, "model-0")!.Dispose();
        core.Start(GenAi.Operation.Chat, "model-" + (total - 1))!.Dispose();
        core.Start(GenAi.Operation.Chat, model: null)!.Dispose();

        var spans = capture.Spans.ToArray();
        Assert.Equal((2 * total) + 3, spans.Length);
        for (var i = 0; i < total; i++)
        {
            Assert.Equal("chat model-" + i, spans[2 * i].DisplayName);
            Assert.Equal("embeddings model-" + i, spans[(2 * i) + 1].DisplayName);
        }

        Assert.Equal("chat model-0", spans[^3].DisplayName);
        Assert.Equal("chat model-" + (total - 1), spans[^2].DisplayName);
        Assert.Equal("chat", spans[^1].DisplayName);
        Assert.Equal(InstrumentationCore.MaxCachedSpanNames, core.CachedSpanNameCount);
    }

    [Fact]
    public async Task PerCallTags_ArrayListAndDictionary_AreRecordedAndUnboundedKeysDoNotGrowTheCache()
    {
        using var capture = new TelemetryCapture(metrics: false);
        var inner = new FakeChatClient { GetResponseAsyncCallback = (_, _, _) => Task.FromResult(Answer(10, 2)) };
        var client = inner.WithOtelLlm(o => o.SourceName = capture.SourceName);
        var distinctKeys = InstrumentationCore.MaxCachedTagNames + 100;

        await client.GetResponseAsync("hi", WithTags(new KeyValuePair<string, string>[] { new("tenant", "acme"), new("tier", "gold") }));
        await client.GetResponseAsync("hi", WithTags(new List<KeyValuePair<string, string>> { new("tenant", "globex") }));
        await client.GetResponseAsync("hi", WithTags(new Dictionary<string, string> { ["feature"] = "faq", ["tenant"] = "initech" }));
        for (var i = 0; i < distinctKeys; i++)
        {
            await client.GetResponseAsync("hi", WithTags(new KeyValuePair<string, string>[] { new("key-" + i, "v-" + i) }));
        }

        var spans = capture.Spans.ToArray();
        Assert.Equal(3 + distinctKeys, spans.Length);
        Assert.Equal("acme", spans[0].GetTagItem("otel_llm.tag.tenant"));
        Assert.Equal("gold", spans[0].GetTagItem("otel_llm.tag.tier"));
        Assert.Equal("globex", spans[1].GetTagItem("otel_llm.tag.tenant"));
        Assert.Null(spans[1].GetTagItem("otel_llm.tag.tier"));
        Assert.Equal("faq", spans[2].GetTagItem("otel_llm.tag.feature"));
        Assert.Equal("initech", spans[2].GetTagItem("otel_llm.tag.tenant"));
        for (var i = 0; i < distinctKeys; i++)
        {
            Assert.Equal("v-" + i, spans[3 + i].GetTagItem("otel_llm.tag.key-" + i));
        }

        Assert.InRange(InstrumentationCore.CachedTagNameCount, 1, InstrumentationCore.MaxCachedTagNames);

        static ChatOptions WithTags(IEnumerable<KeyValuePair<string, string>> tags) =>
            new() { AdditionalProperties = new() { [OtelLlmPropertyKeys.Tags] = tags } };
    }

    [Fact]
    public void GetResponse_WithListeners_AllocatesNoMoreThanABareSpanWithTheSameAttributes()
    {
        using var listeners = new QuietListeners();
        var completed = Task.FromResult(Answer(7_301, 977));
        var inner = new FakeChatClient { GetResponseAsyncCallback = (_, _, _) => completed };
        var client = inner.WithOtelLlm(o => o.SourceName = listeners.SourceName);
        var messages = new List<ChatMessage> { new(ChatRole.User, "hi") };
        var options = new ChatOptions { ModelId = "gpt-4o-mini", Temperature = 0.3f, MaxOutputTokens = 512 };
        const int Calls = 500;

        for (var i = 0; i < 50; i++)
        {
            Assert.True(client.GetResponseAsync(messages, options).IsCompletedSuccessfully);
        }

        var before = GC.GetAllocatedBytesForCurrentThread();
        for (var i = 0; i < Calls; i++)
        {
            _ = client.GetResponseAsync(messages, options);
        }

        var decorated = (GC.GetAllocatedBytesForCurrentThread() - before) / Calls;

        // The same span by hand: start, the same attributes with values boxed beforehand, stop.
        var span = listeners.LastStopped!;
        var name = span.DisplayName;
        var tags = span.TagObjects.ToArray();
        Assert.Contains(tags, t => t.Key == "gen_ai.usage.cost");
        Assert.Equal(13, tags.Length);
        using var bareSource = new ActivitySource(listeners.SourceName + ".bare");
        for (var i = 0; i < 50; i++)
        {
            BareSpan(bareSource, name, tags);
        }

        before = GC.GetAllocatedBytesForCurrentThread();
        for (var i = 0; i < Calls; i++)
        {
            BareSpan(bareSource, name, tags);
        }

        var bare = (GC.GetAllocatedBytesForCurrentThread() - before) / Calls;

        // A few bytes of slack: tests running in parallel can evict a shared number box now and then.
        Assert.InRange(decorated, 0, bare + 8);

        static void BareSpan(ActivitySource source, string name, KeyValuePair<string, object?>[] tags)
        {
            using var activity = source.StartActivity(name, ActivityKind.Client)!;
            foreach (var tag in tags)
            {
                activity.SetTag(tag.Key, tag.Value);
            }
        }
    }

    [Fact]
    public void GetStreamingResponse_LongerStream_AllocatesNothingMorePerChunk()
    {
        using var listeners = new QuietListeners();
        var usage = new UsageDetails { InputTokenCount = 6_113, OutputTokenCount = 733 };
        var updates = new ChatResponseUpdate[66];
        for (var i = 0; i < updates.Length - 1; i++)
        {
            updates[i] = new ChatResponseUpdate(ChatRole.Assistant, "chunk ") { ResponseId = "resp-stream", ModelId = "gpt-4o-mini-2024-07-18" };
        }

        updates[^1] = new ChatResponseUpdate { FinishReason = ChatFinishReason.Stop, Contents = [new UsageContent(usage)] };
        var count = 0;
        var inner = new FakeChatClient { GetStreamingResponseAsyncCallback = (_, _, ct) => Replay(updates, count, ct) };
        var client = inner.WithOtelLlm(o => o.SourceName = listeners.SourceName);
        var messages = new List<ChatMessage> { new(ChatRole.User, "hi") };

        long Overhead(int chunks)
        {
            count = chunks;
            for (var i = 0; i < 20; i++)
            {
                Drain(client.GetStreamingResponseAsync(messages));
                Drain(inner.GetStreamingResponseAsync(messages));
            }

            var before = GC.GetAllocatedBytesForCurrentThread();
            for (var i = 0; i < 100; i++)
            {
                Assert.Equal(chunks, Drain(client.GetStreamingResponseAsync(messages)));
            }

            var decorated = GC.GetAllocatedBytesForCurrentThread() - before;
            before = GC.GetAllocatedBytesForCurrentThread();
            for (var i = 0; i < 100; i++)
            {
                Drain(inner.GetStreamingResponseAsync(messages));
            }

            return (decorated - (GC.GetAllocatedBytesForCurrentThread() - before)) / 100;
        }

        var shortStream = Overhead(3);
        var longStream = Overhead(66);

        // 63 more chunks through the decorator cost nothing more (switching into the span per chunk used to build a
        // new ExecutionContext each time); the slack covers a shared number box evicted by a parallel test.
        Assert.Equal(733L, listeners.LastStopped!.GetTagItem("gen_ai.usage.output_tokens"));
        Assert.InRange(longStream - shortStream, -8, 8);
    }

    [Fact]
    public async Task GetStreamingResponse_ReaderChangesItsContextBetweenReads_InnerReadsSeeTheSpanAndTheNewContext()
    {
        using var capture = new TelemetryCapture(metrics: false);
        var seen = new List<(Activity? Span, string? UserId)>();
        var inner = new FakeChatClient { GetStreamingResponseAsyncCallback = (_, _, _) => Observe(seen) };
        var client = inner.WithOtelLlm(o => o.SourceName = capture.SourceName);

        await using (var reader = client.GetStreamingResponseAsync("hi").GetAsyncEnumerator())
        {
            Assert.True(await reader.MoveNextAsync());
            using (OtelLlmContext.Begin(userId: "u-changed"))
            {
                Assert.True(await reader.MoveNextAsync());
                Assert.Null(Activity.Current);
            }

            Assert.True(await reader.MoveNextAsync());
            Assert.True(await reader.MoveNextAsync());
            Assert.False(await reader.MoveNextAsync());
        }

        var span = capture.Single();
        Assert.Equal(5, seen.Count);
        Assert.All(seen, s => Assert.Same(span, s.Span));
        Assert.Equal([null, "u-changed", null, null, null], seen.Select(s => s.UserId));

        static async IAsyncEnumerable<ChatResponseUpdate> Observe(List<(Activity?, string?)> seen)
        {
            for (var i = 0; i < 4; i++)
            {
                seen.Add((Activity.Current, OtelLlmContext.UserId));
                if (i == 2)
                {
                    await Task.Yield();
                }

                yield return new ChatResponseUpdate(ChatRole.Assistant, "part");
            }

            seen.Add((Activity.Current, OtelLlmContext.UserId));
        }
    }

    [Fact]
    public void Generate_WithListeners_AllocatesNoMoreThanABareSpanWithTheSameAttributes()
    {
        using var listeners = new QuietListeners();
        var inner = new ScriptedEmbeddingGenerator(pending: false, inputTokens: 4_099);
        var generator = inner.WithOtelLlm(o => o.SourceName = listeners.SourceName);
        string[] values = ["hello"];
        const int Calls = 500;

        for (var i = 0; i < 50; i++)
        {
            Assert.True(generator.GenerateAsync(values).IsCompletedSuccessfully);
        }

        var before = GC.GetAllocatedBytesForCurrentThread();
        for (var i = 0; i < Calls; i++)
        {
            _ = generator.GenerateAsync(values);
        }

        var decorated = (GC.GetAllocatedBytesForCurrentThread() - before) / Calls;
        var span = listeners.LastStopped!;
        var name = span.DisplayName;
        var tags = span.TagObjects.ToArray();
        Assert.Equal(1_536, span.GetTagItem("gen_ai.embeddings.dimension.count"));
        Assert.Equal(9, tags.Length);
        using var bareSource = new ActivitySource(listeners.SourceName + ".bare");
        for (var i = 0; i < 50; i++)
        {
            BareSpan(bareSource, name, tags);
        }

        before = GC.GetAllocatedBytesForCurrentThread();
        for (var i = 0; i < Calls; i++)
        {
            BareSpan(bareSource, name, tags);
        }

        var bare = (GC.GetAllocatedBytesForCurrentThread() - before) / Calls;
        Assert.InRange(decorated, 0, bare + 8);

        static void BareSpan(ActivitySource source, string name, KeyValuePair<string, object?>[] tags)
        {
            using var activity = source.StartActivity(name, ActivityKind.Client)!;
            foreach (var tag in tags)
            {
                activity.SetTag(tag.Key, tag.Value);
            }
        }
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task Generate_SynchronousOrPendingInner_RestoresCallerSpanAndParentsInnerWork(bool pending)
    {
        using var capture = new TelemetryCapture();
        using var source = new ActivitySource("OtelLlm.Tests.EmbeddingCaller");
        using var listener = new ActivityListener
        {
            ShouldListenTo = s => s == source,
            Sample = static (ref ActivityCreationOptions<ActivityContext> _) => ActivitySamplingResult.AllDataAndRecorded,
        };
        ActivitySource.AddActivityListener(listener);
        var inner = new ScriptedEmbeddingGenerator(pending, inputTokens: 21);
        var generator = inner.WithOtelLlm(o => o.SourceName = capture.SourceName);
        using var caller = source.StartActivity("caller");

        var task = generator.GenerateAsync(["hello"]);
        Assert.Same(caller, Activity.Current);
        await task;

        Assert.Same(caller, Activity.Current);
        var span = capture.Single();
        Assert.Same(span, inner.SeenByInner);
        Assert.Equal(caller!.SpanId, span.ParentSpanId);
        Assert.Equal("embeddings text-embedding-3-small", span.DisplayName);
        Assert.Equal(21L, span.GetTagItem("gen_ai.usage.input_tokens"));
        Assert.Single(capture.Of("gen_ai.client.operation.duration"));
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task Generate_InnerThrowsAtOnceOrLater_FailsTheTaskAndRecordsTheError(bool pending)
    {
        using var capture = new TelemetryCapture();
        var inner = new ScriptedEmbeddingGenerator(pending, inputTokens: 21) { Error = new HttpRequestException("boom") };
        var generator = inner.WithOtelLlm(o => o.SourceName = capture.SourceName);

        var task = generator.GenerateAsync(["hello"]);
        await Assert.ThrowsAsync<HttpRequestException>(() => task);

        var span = capture.Single();
        Assert.Equal(ActivityStatusCode.Error, span.Status);
        Assert.Equal("System.Net.Http.HttpRequestException", span.GetTagItem("error.type"));
        Assert.Null(Activity.Current);
        var duration = Assert.Single(capture.Of("gen_ai.client.operation.duration"));
        Assert.Equal("System.Net.Http.HttpRequestException", duration.Tags["error.type"]);
    }

    private static int Drain(IAsyncEnumerable<ChatResponseUpdate> stream)
    {
        // Synchronous on purpose: every read completes at once, so the bytes counted are the stream's alone.
        var reader = stream.GetAsyncEnumerator();
        var count = 0;
        while (true)
        {
            var next = reader.MoveNextAsync();
            if (!next.IsCompleted)
            {
                throw new InvalidOperationException("The stream suspended.");
            }

            if (!next.Result)
            {
                break;
            }

            count++;
        }

        var disposed = reader.DisposeAsync();
        if (!disposed.IsCompleted)
        {
            throw new InvalidOperationException("Disposing the stream suspended.");
        }

        disposed.GetAwaiter().GetResult();
        return count;
    }

    private static async IAsyncEnumerable<ChatResponseUpdate> Replay(ChatResponseUpdate[] updates, int count, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        // The first count - 1 text chunks, then the final chunk with usage; never suspends.
        for (var i = 0; i < count - 1; i++)
        {
            yield return updates[i];
        }

        yield return updates[^1];
        await Task.CompletedTask;
    }

    /// <summary>An embedding generator that answers at once or after a yield, or throws (synchronously when not pending).</summary>
    private sealed class ScriptedEmbeddingGenerator(bool pending, long inputTokens) : IEmbeddingGenerator<string, Embedding<float>>
    {
        private readonly EmbeddingGeneratorMetadata _metadata = new("openai", new Uri("https://api.example.test/v1"), "text-embedding-3-small", 1_536);
        private readonly Task<GeneratedEmbeddings<Embedding<float>>> _completed = Task.FromResult(
            new GeneratedEmbeddings<Embedding<float>>([new Embedding<float>(new float[] { 0.1f, 0.2f }) { ModelId = "text-embedding-3-small" }])
            {
                Usage = new UsageDetails { InputTokenCount = inputTokens },
            });

        public Exception? Error { get; init; }

        public Activity? SeenByInner { get; private set; }

        public Task<GeneratedEmbeddings<Embedding<float>>> GenerateAsync(IEnumerable<string> values, EmbeddingGenerationOptions? options = null, CancellationToken cancellationToken = default)
        {
            SeenByInner = Activity.Current;
            if (pending)
            {
                return Later();
            }

            return Error is null ? _completed : throw Error;

            async Task<GeneratedEmbeddings<Embedding<float>>> Later()
            {
                await Task.Yield();
                return Error is null ? await _completed : throw Error;
            }
        }

        public object? GetService(Type serviceType, object? serviceKey = null) =>
            serviceType == typeof(EmbeddingGeneratorMetadata) ? _metadata : null;

        public void Dispose()
        {
        }
    }

    /// <summary>
    /// Span and metric listeners that record nothing per call (the test's own bookkeeping would count as allocation),
    /// keeping only the last stopped span.
    /// </summary>
    private sealed class QuietListeners : IDisposable
    {
        private readonly ActivityListener _spans;
        private readonly MeterListener _metrics;

        public QuietListeners()
        {
            SourceName = "quiet-" + Guid.NewGuid().ToString("N");
            _spans = new ActivityListener
            {
                ShouldListenTo = s => s.Name.StartsWith(SourceName, StringComparison.Ordinal),
                Sample = static (ref ActivityCreationOptions<ActivityContext> _) => ActivitySamplingResult.AllDataAndRecorded,
                ActivityStopped = a => LastStopped = a,
            };
            ActivitySource.AddActivityListener(_spans);
            _metrics = new MeterListener
            {
                InstrumentPublished = (instrument, listener) =>
                {
                    if (instrument.Meter.Name == SourceName)
                    {
                        listener.EnableMeasurementEvents(instrument);
                    }
                },
            };
            _metrics.SetMeasurementEventCallback<long>(static (_, _, _, _) => { });
            _metrics.SetMeasurementEventCallback<double>(static (_, _, _, _) => { });
            _metrics.Start();
        }

        public string SourceName { get; }

        public Activity? LastStopped { get; private set; }

        public void Dispose()
        {
            _spans.Dispose();
            _metrics.Dispose();
        }
    }
}
