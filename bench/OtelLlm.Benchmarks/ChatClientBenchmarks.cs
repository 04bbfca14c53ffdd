using System.Diagnostics;
using System.Diagnostics.CodeAnalysis;
using System.Diagnostics.Metrics;
using BenchmarkDotNet.Attributes;
using Microsoft.Extensions.AI;
using OtelLlm.Instrumentation;

namespace OtelLlm.Benchmarks;

/// <summary>
/// Per-call cost of no instrumentation (the baseline), Microsoft.Extensions.AI's OpenTelemetry client alone
/// (<c>UseOpenTelemetry()</c>), and the same with OtelLlm's enrichment inside it (<c>UseOtelLlm()</c>), plain and
/// streaming, content capture off and on. An ActivityListener samples AllDataAndRecorded and a MeterListener takes every
/// measurement, as a tracer and meter provider would; the calls run under an ambient <see cref="OtelLlmContext"/>
/// (user, session, workload), so the enrichment does all it can. OtelLlm's own layer is the difference between the
/// last two.
/// </summary>
[Config(typeof(BenchConfig))]
public class ChatClientBenchmarks
{
    private static int s_instance;

    // Applications hold an IChatClient, so the benchmark pays the same interface dispatch they do.
    [SuppressMessage("Performance", "CA1859:Use concrete types when possible for improved performance", Justification = "Measures calls as applications make them.")]
    private IChatClient _bare = null!;
    [SuppressMessage("Performance", "CA1859:Use concrete types when possible for improved performance", Justification = "Measures calls as applications make them.")]
    private IChatClient _meai = null!;
    [SuppressMessage("Performance", "CA1859:Use concrete types when possible for improved performance", Justification = "Measures calls as applications make them.")]
    private IChatClient _otelLlm = null!;
    private ActivityListener _activityListener = null!;
    private MeterListener _meterListener = null!;
    private IDisposable _scope = null!;
    private List<ChatMessage> _messages = null!;
    private ChatOptions _options = null!;

    [Params(false, true)]
    public bool Content { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        var sourceName = "OtelLlm.Bench." + Interlocked.Increment(ref s_instance);
        _bare = new FakeChatClient(Words(1000));
        _meai = new ChatClientBuilder(_bare).UseOpenTelemetry(sourceName: sourceName, configure: c => c.EnableSensitiveData = Content).Build();
        _otelLlm = new ChatClientBuilder(_bare).UseOtelLlm(o =>
        {
            o.SourceName = sourceName;
            o.EnableSensitiveData = Content;
        }).Build();
        _messages = [new ChatMessage(ChatRole.System, Words(200)), new ChatMessage(ChatRole.User, Words(2000))];
        _options = new ChatOptions { ModelId = "gpt-4o-mini", Temperature = 0.2f, MaxOutputTokens = 1024 };
        _activityListener = new ActivityListener
        {
            ShouldListenTo = s => s.Name == sourceName,
            Sample = static (ref ActivityCreationOptions<ActivityContext> _) => ActivitySamplingResult.AllDataAndRecorded,
        };
        ActivitySource.AddActivityListener(_activityListener);
        _meterListener = new MeterListener
        {
            InstrumentPublished = (instrument, listener) =>
            {
                if (instrument.Meter.Name == sourceName || instrument.Meter.Name == OtelLlmInstrumentationOptions.MeterName)
                {
                    listener.EnableMeasurementEvents(instrument);
                }
            },
        };
        _meterListener.SetMeasurementEventCallback<int>(static (_, _, _, _) => { });
        _meterListener.SetMeasurementEventCallback<double>(static (_, _, _, _) => { });
        _meterListener.Start();
        _scope = OtelLlmContext.Begin(userId: "user-042", sessionId: "session-7", workload: "support-bot");
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _scope.Dispose();
        _activityListener.Dispose();
        _meterListener.Dispose();
        _meai.Dispose();
        _otelLlm.Dispose();
    }

    [Benchmark(Baseline = true)]
    public Task<ChatResponse> Bare() => _bare.GetResponseAsync(_messages, _options);

    [Benchmark]
    public Task<ChatResponse> Meai() => _meai.GetResponseAsync(_messages, _options);

    [Benchmark]
    public Task<ChatResponse> MeaiOtelLlm() => _otelLlm.GetResponseAsync(_messages, _options);

    [Benchmark]
    public Task<int> BareStreaming() => DrainAsync(_bare);

    [Benchmark]
    public Task<int> MeaiStreaming() => DrainAsync(_meai);

    [Benchmark]
    public Task<int> MeaiOtelLlmStreaming() => DrainAsync(_otelLlm);

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
