using System.Text;
using BenchmarkDotNet.Attributes;
using OpenTelemetry.Proto.Collector.Trace.V1;
using OtelLlm.LoadGen.Payloads;
using OtelLlm.Receiver.Decoding;

namespace OtelLlm.Benchmarks;

/// <summary>
/// OTLP/JSON decoding (what OpenTelemetry's JavaScript <c>exporter-trace-otlp-http</c> sends): one 100-span GenAI
/// traces request per invocation, numbers per span.
/// </summary>
[Config(typeof(BenchConfig))]
public class OtlpJsonBenchmarks
{
    private const int Spans = 100;
    private byte[] _json = null!;

    [Params(PayloadProfile.ContentOff, PayloadProfile.ContentOn)]
    public PayloadProfile Profile { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        var now = (ulong)DateTimeOffset.UtcNow.ToUnixTimeMilliseconds() * 1_000_000UL;
        _json = Encoding.UTF8.GetBytes(OtlpJsonText.Write(new GenAiSpanFactory(Profile).Build(Spans, now)));
    }

    [Benchmark(OperationsPerInvoke = Spans)]
    public int ParseTraces() => OtlpJson.Parse<ExportTraceServiceRequest>(_json).ResourceSpans.Count;
}
