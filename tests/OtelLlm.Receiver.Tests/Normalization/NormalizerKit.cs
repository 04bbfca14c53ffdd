using System.Diagnostics.Metrics;
using Google.Protobuf;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using OpenTelemetry.Proto.Collector.Trace.V1;
using OpenTelemetry.Proto.Common.V1;
using OpenTelemetry.Proto.Logs.V1;
using OpenTelemetry.Proto.Resource.V1;
using OpenTelemetry.Proto.Trace.V1;
using OtelLlm.Semantics.Pricing;
using OtelLlm.Receiver.Normalization;
using OtelLlm.Receiver.Tests.Decoding;

namespace OtelLlm.Receiver.Tests.Normalization;

/// <summary>Builds OTLP objects and a normalizer with a private meter factory and a hand-driven clock.</summary>
internal sealed class NormalizerKit : IDisposable
{
    private readonly ServiceProvider _services;
    private readonly MeterListener _listener = new();
    private readonly List<(string Instrument, long Value, Dictionary<string, object?> Tags)> _measurements = [];
    private readonly ModelPriceTable _prices;

    public NormalizerKit(GenAiNormalizationOptions? options = null, ModelPriceTable? prices = null)
    {
        _services = new ServiceCollection().AddMetrics().BuildServiceProvider();
        var factory = _services.GetRequiredService<IMeterFactory>();
        _listener.InstrumentPublished = (instrument, listener) =>
        {
            if (instrument.Meter.Scope == factory)
            {
                listener.EnableMeasurementEvents(instrument);
            }
        };
        _listener.SetMeasurementEventCallback<long>((instrument, value, tags, _) =>
        {
            var dict = new Dictionary<string, object?>();
            foreach (var t in tags)
            {
                dict[t.Key] = t.Value;
            }

            lock (_measurements)
            {
                _measurements.Add((instrument.Name, value, dict));
            }
        });
        _listener.Start();
        Options = options ?? new GenAiNormalizationOptions();
        _prices = prices ?? ModelPriceTable.Default;
        Normalizer = new GenAiNormalizer(Options, factory, NullLogger.Instance, Clock, _prices);
    }

    public ManualClock Clock { get; } = new();

    public GenAiNormalizationOptions Options { get; }

    public GenAiNormalizer Normalizer { get; }

    public const string Project = "proj";

    public long Sum(string instrument, string? tagKey = null, object? tagValue = null)
    {
        lock (_measurements)
        {
            return _measurements.Where(m => m.Instrument == instrument && (tagKey is null || Equals(m.Tags.GetValueOrDefault(tagKey), tagValue))).Sum(m => m.Value);
        }
    }

    /// <summary>
    /// Normalizes one span. The same span, resource and scope also go through both trace paths of the receiver
    /// (reference objects and span-at-a-time bytes), which must write identical rows.
    /// </summary>
    public Storage.Rows.LlmCallRow? Span(Span span, string scope = "test-scope", params KeyValue[] resource)
    {
        var r = new Resource();
        r.Attributes.Add(resource);
        var s = new InstrumentationScope { Name = scope };
        var request = new ExportTraceServiceRequest { ResourceSpans = { new ResourceSpans { Resource = r, ScopeSpans = { new ScopeSpans { Scope = s, Spans = { span } } } } } };
        Assert.Equal(TraceDifferential.Outcome.FastPath, TraceDifferential.AssertSameRows(request, Options, _prices));
        return Normalizer.NormalizeSpan(Project, r, s, span);
    }

    public List<Storage.Rows.LlmCallRow> Logs(params LogRecord[] logs)
    {
        var output = new List<Storage.Rows.LlmCallRow>();
        foreach (var log in logs)
        {
            Normalizer.ObserveLog(Project, new Resource(), new InstrumentationScope { Name = "logs" }, log, output);
        }

        return output;
    }

    public void Dispose()
    {
        _listener.Dispose();
        Normalizer.Dispose();
        _services.Dispose();
    }

    public static byte[] NewTraceId() => Guid.NewGuid().ToByteArray();

    public static byte[] NewSpanId() => Guid.NewGuid().ToByteArray()[..8];

    public static Span NewSpan(string name, params KeyValue[] attributes)
    {
        var span = new Span
        {
            TraceId = ByteString.CopyFrom(NewTraceId()),
            SpanId = ByteString.CopyFrom(NewSpanId()),
            ParentSpanId = ByteString.CopyFrom(NewSpanId()),
            Name = name,
            Kind = OpenTelemetry.Proto.Trace.V1.Span.Types.SpanKind.Client,
            StartTimeUnixNano = 1_700_000_000_000_000_000UL,
            EndTimeUnixNano = 1_700_000_001_500_000_000UL,
        };
        span.Attributes.Add(attributes);
        return span;
    }

    public static LogRecord NewLog(Span span, string eventName, AnyValue? body, bool nameAsAttribute = false, ulong time = 1_700_000_000_100_000_000UL, params KeyValue[] attributes)
    {
        var log = new LogRecord { TraceId = span.TraceId, SpanId = span.SpanId, TimeUnixNano = time, Body = body };
        if (nameAsAttribute)
        {
            log.Attributes.Add(Attr("event.name", eventName));
        }
        else
        {
            log.EventName = eventName;
        }

        log.Attributes.Add(attributes);
        return log;
    }

    public static KeyValue Attr(string key, string value) => new() { Key = key, Value = new AnyValue { StringValue = value } };

    public static KeyValue Attr(string key, long value) => new() { Key = key, Value = new AnyValue { IntValue = value } };

    public static KeyValue Attr(string key, double value) => new() { Key = key, Value = new AnyValue { DoubleValue = value } };

    public static KeyValue Attr(string key, bool value) => new() { Key = key, Value = new AnyValue { BoolValue = value } };

    public static KeyValue Attr(string key, AnyValue value) => new() { Key = key, Value = value };

    public static KeyValue Attr(string key, params string[] values)
    {
        var array = new ArrayValue();
        foreach (var v in values)
        {
            array.Values.Add(new AnyValue { StringValue = v });
        }

        return new KeyValue { Key = key, Value = new AnyValue { ArrayValue = array } };
    }

    public static AnyValue Str(string s) => new() { StringValue = s };

    public static AnyValue Map(params (string Key, AnyValue Value)[] pairs)
    {
        var list = new KeyValueList();
        foreach (var (k, v) in pairs)
        {
            list.Values.Add(new KeyValue { Key = k, Value = v });
        }

        return new AnyValue { KvlistValue = list };
    }

    public static AnyValue List(params AnyValue[] items)
    {
        var array = new ArrayValue();
        array.Values.Add(items);
        return new AnyValue { ArrayValue = array };
    }

    public static AnyValue Int(long v) => new() { IntValue = v };

    public static string Hex(ByteString b) => Convert.ToHexStringLower(b.Span);
}

/// <summary>A clock the test moves by hand.</summary>
internal sealed class ManualClock : TimeProvider
{
    private long _ticks = 1_000_000;

    public override long TimestampFrequency => TimeSpan.TicksPerSecond;

    public override long GetTimestamp() => Interlocked.Read(ref _ticks);

    public void Advance(TimeSpan by) => Interlocked.Add(ref _ticks, by.Ticks);
}
