using System.Diagnostics;
using System.Diagnostics.CodeAnalysis;
using System.Diagnostics.Metrics;
using BenchmarkDotNet.Attributes;
using Microsoft.Extensions.AI;
using OtelLlm.Instrumentation;

namespace OtelLlm.Benchmarks;

/// <summary>
/// The decorator's cost per chat call against a bare client (the baseline) and a bare Activity start/stop, with an
/// ActivityListener sampling AllDataAndRecorded plus a MeterListener (Listener=true) or nothing attached.
/// </summary>
/// <remarks>
/// The fake answers every call with the same usage unless noted: <c>InstrumentedDistinctUsage</c> reports token
/// counts (and so a cost) no earlier call had, as most real traffic does. The <c>UnderParent</c> cases run inside a
/// started parent span, as calls made while serving a request do; the switch into the parent's context is
/// <see cref="ExecutionContext.Run"/> with a context captured once, which allocates nothing.
/// </remarks>
[Config(typeof(BenchConfig))]
public class ChatClientBenchmarks
{
    private static int s_instance;
    // Applications hold an IChatClient, so the benchmark pays the same interface dispatch they do.
    [SuppressMessage("Performance", "CA1859:Use concrete types when possible for improved performance", Justification = "Measures calls as applications make them.")]
    private IChatClient _bare = null!;
    [SuppressMessage("Performance", "CA1859:Use concrete types when possible for improved performance", Justification = "Measures calls as applications make them.")]
    private IChatClient _instrumented = null!;
    [SuppressMessage("Performance", "CA1859:Use concrete types when possible for improved performance", Justification = "Measures calls as applications make them.")]
    private IChatClient _instrumentedDistinctUsage = null!;
    private ActivitySource _bareSource = null!;
    private ActivityListener? _activityListener;
    private MeterListener? _meterListener;
    private List<ChatMessage> _messages = null!;
    private ChatOptions _options = null!;
    private ActivitySource _parentSource = null!;
    private Activity? _parent;
    private ExecutionContext _parentContext = null!;
    private Task<ChatResponse>? _lastResponse;

    [Params(false, true)]
    public bool Listener { get; set; }

    [Params(false, true)]
    public bool Content { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        // A fresh source name per case: the decorator caches its telemetry objects by name.
        var sourceName = "OtelLlm.Bench." + Interlocked.Increment(ref s_instance);
        _bare = new FakeChatClient(Words(1000));
        _instrumented = new OtelLlmChatClient(_bare, new OtelLlmInstrumentationOptions
        {
            SourceName = sourceName,
            CaptureMessageContent = Content,
        });
        _instrumentedDistinctUsage = new OtelLlmChatClient(new FakeChatClient(Words(1000), distinctUsage: true), new OtelLlmInstrumentationOptions
        {
            SourceName = sourceName,
            CaptureMessageContent = Content,
        });
        _bareSource = new ActivitySource(sourceName + ".Bare");
        _parentSource = new ActivitySource(sourceName + ".Parent");
        _messages = [new ChatMessage(ChatRole.System, Words(200)), new ChatMessage(ChatRole.User, Words(2000))];
        _options = new ChatOptions { ModelId = "gpt-4o-mini", Temperature = 0.2f, MaxOutputTokens = 1024 };
        if (!Listener)
        {
            _parentContext = ExecutionContext.Capture()!;
            return;
        }

        _activityListener = new ActivityListener
        {
            ShouldListenTo = s => s.Name.StartsWith(sourceName, StringComparison.Ordinal),
            Sample = static (ref ActivityCreationOptions<ActivityContext> _) => ActivitySamplingResult.AllDataAndRecorded,
        };
        ActivitySource.AddActivityListener(_activityListener);
        _meterListener = new MeterListener
        {
            InstrumentPublished = (instrument, listener) =>
            {
                if (instrument.Meter.Name.StartsWith(sourceName, StringComparison.Ordinal))
                {
                    listener.EnableMeasurementEvents(instrument);
                }
            },
        };
        _meterListener.SetMeasurementEventCallback<long>(static (_, _, _, _) => { });
        _meterListener.SetMeasurementEventCallback<double>(static (_, _, _, _) => { });
        _meterListener.Start();

        // A parent span that stays open for the whole run; the benchmark thread itself goes back to no current span.
        var previous = Activity.Current;
        _parent = _parentSource.StartActivity("POST /support", ActivityKind.Server);
        _parentContext = ExecutionContext.Capture()!;
        Activity.Current = previous;
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _parent?.Dispose();
        _activityListener?.Dispose();
        _meterListener?.Dispose();
        _bareSource.Dispose();
        _parentSource.Dispose();
        _instrumented.Dispose();
        _instrumentedDistinctUsage.Dispose();
    }

    [Benchmark(Baseline = true)]
    public Task<ChatResponse> BareClient() => _bare.GetResponseAsync(_messages, _options);

    [Benchmark]
    public void BareActivity()
    {
        using var activity = _bareSource.StartActivity("chat gpt-4o-mini", ActivityKind.Client);
    }

    [Benchmark]
    public Task<ChatResponse> Instrumented() => _instrumented.GetResponseAsync(_messages, _options);

    [Benchmark]
    public Task<ChatResponse> InstrumentedDistinctUsage() => _instrumentedDistinctUsage.GetResponseAsync(_messages, _options);

    [Benchmark]
    public void BareActivityUnderParent() => ExecutionContext.Run(_parentContext, static state => ((ChatClientBenchmarks)state!).BareActivity(), this);

    [Benchmark]
    public Task<ChatResponse>? InstrumentedUnderParent()
    {
        ExecutionContext.Run(_parentContext, static state => ((ChatClientBenchmarks)state!).CallInstrumented(), this);
        return _lastResponse;
    }

    [Benchmark]
    public Task<int> BareStreaming() => DrainAsync(_bare);

    [Benchmark]
    public Task<int> InstrumentedStreaming() => DrainAsync(_instrumented);

    private void CallInstrumented() => _lastResponse = _instrumented.GetResponseAsync(_messages, _options);

    private async Task<int> DrainAsync(IChatClient client)
    {
        var count = 0;
        await foreach (var update in client.GetStreamingResponseAsync(_messages, _options))
        {
            count += update.Contents.Count;
        }

        return count;
    }

    private static string Words(int chars)
    {
        var text = string.Concat(Enumerable.Repeat("please check the status of my order and refund ", (chars / 40) + 1));
        return text[..chars];
    }
}
