using BenchmarkDotNet.Attributes;
using Google.Protobuf;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using OpenTelemetry.Proto.Collector.Trace.V1;
using OtelLlm.Semantics.Pricing;
using OtelLlm.LoadGen.Payloads;
using OtelLlm.Receiver.Configuration;
using OtelLlm.Receiver.Diagnostics;
using OtelLlm.Receiver.Normalization;
using OtelLlm.Receiver.Pipeline;
using OtelLlm.Receiver.RowEncoding;

namespace OtelLlm.Benchmarks;

/// <summary>
/// The receiver's CPU budget per span, in process with no network: protobuf decode, decode plus RowBinary encoding
/// of <c>otel_traces</c> rows, the same with GenAI normalization into <c>llm_calls</c>, normalization alone, and the
/// span-at-a-time reader (what the receiver runs for protobuf traces) with and without normalization.
/// Numbers are per span (each invocation handles one 100-span request).
/// </summary>
[Config(typeof(BenchConfig))]
public class ReceiverPathBenchmarks
{
    private const int Spans = 100;
    private byte[] _bytes = null!;
    private ExportTraceServiceRequest _parsed = null!;
    private TraceRows _plain = null!;
    private TraceRows _normalizing = null!;
    private GenAiNormalizer _normalizer = null!;
    private ServiceProvider _services = null!;

    [Params(PayloadProfile.ContentOff, PayloadProfile.ContentOn)]
    public PayloadProfile Profile { get; set; }

    /// <summary>
    /// The log-content join window (default 30 s). 0 drops each remembered row at the next call, which isolates what
    /// holding rows for the window costs (clones that survive into older GC generations).
    /// </summary>
    [Params(30, 0)]
    public int JoinWindowSeconds { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        var now = (ulong)DateTimeOffset.UtcNow.ToUnixTimeMilliseconds() * 1_000_000UL;
        _parsed = new GenAiSpanFactory(Profile).Build(Spans, now);
        _bytes = _parsed.ToByteArray();
        _services = new ServiceCollection().AddMetrics().BuildServiceProvider();
        var meters = _services.GetRequiredService<System.Diagnostics.Metrics.IMeterFactory>();
        var metrics = new ReceiverMetrics(meters);
        var options = new GenAiNormalizationOptions { ContentJoinWindowSeconds = JoinWindowSeconds };
        _normalizer = new GenAiNormalizer(options, meters, NullLogger.Instance, TimeProvider.System, ModelPriceTable.Default);
        _plain = new TraceRows(null, new ReceiverOptions().MaxAttributeValueBytes, metrics);
        _normalizing = new TraceRows(_normalizer, new ReceiverOptions().MaxAttributeValueBytes, metrics);
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _normalizer.Dispose();
        _services.Dispose();
    }

    [Benchmark(OperationsPerInvoke = Spans)]
    public int Decode() => ExportTraceServiceRequest.Parser.ParseFrom(_bytes).ResourceSpans.Count;

    [Benchmark(OperationsPerInvoke = Spans)]
    public long DecodeAndEncodeRows()
    {
        using var rows = new EncodedRequest();
        _plain.Encode("default", ExportTraceServiceRequest.Parser.ParseFrom(_bytes), rows);
        return rows.TotalBytes;
    }

    [Benchmark(OperationsPerInvoke = Spans)]
    public long DecodeNormalizeAndEncodeRows()
    {
        using var rows = new EncodedRequest();
        _normalizing.Encode("default", ExportTraceServiceRequest.Parser.ParseFrom(_bytes), rows);
        return rows.TotalBytes;
    }

    /// <summary>The span-at-a-time reader over the same bytes, without normalization (the receiver's traces path).</summary>
    [Benchmark(OperationsPerInvoke = Spans)]
    public long SpanAtATimeEncodeRows()
    {
        var rows = new EncodedRequest();
        _plain.Encode("default", _bytes, ref rows);
        var bytes = rows.TotalBytes;
        rows.Dispose();
        return bytes;
    }

    /// <summary>The span-at-a-time reader with GenAI normalization: what the receiver runs per protobuf traces request.</summary>
    [Benchmark(OperationsPerInvoke = Spans)]
    public long SpanAtATimeNormalizeAndEncodeRows()
    {
        var rows = new EncodedRequest();
        _normalizing.Encode("default", _bytes, ref rows);
        var bytes = rows.TotalBytes;
        rows.Dispose();
        return bytes;
    }

    [Benchmark(OperationsPerInvoke = Spans)]
    public int NormalizeOnly()
    {
        var calls = 0;
        var rs = _parsed.ResourceSpans[0];
        var ss = rs.ScopeSpans[0];
        foreach (var span in ss.Spans)
        {
            if (_normalizer.NormalizeSpan("default", rs.Resource, ss.Scope, span) is not null)
            {
                calls++;
            }
        }

        return calls;
    }
}
