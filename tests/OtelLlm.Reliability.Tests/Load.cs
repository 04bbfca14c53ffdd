using System.Buffers.Binary;
using System.Globalization;
using System.Text;
using Google.Protobuf;
using OpenTelemetry.Proto.Collector.Trace.V1;
using OpenTelemetry.Proto.Common.V1;
using OpenTelemetry.Proto.Resource.V1;
using OpenTelemetry.Proto.Trace.V1;

namespace OtelLlm.Reliability.Tests;

/// <summary>Deterministic OTLP trace requests: plain spans, GenAI model-call spans, their JSON form and gRPC frames.</summary>
internal static class Load
{
    /// <summary>Spans named by <paramref name="service"/> and an index; ids are unique per (service, index).</summary>
    public static ExportTraceServiceRequest Spans(string service, int first, int count, Action<Span, int>? decorate = null)
    {
        var scope = new ScopeSpans { Scope = new InstrumentationScope { Name = "reliability-load" } };
        var now = (ulong)DateTimeOffset.UtcNow.ToUnixTimeMilliseconds() * 1_000_000;
        for (var i = first; i < first + count; i++)
        {
            var span = new Span
            {
                TraceId = ByteString.CopyFrom(TraceId(service, i)),
                SpanId = ByteString.CopyFrom(SpanId(service, i)),
                Name = "work " + i.ToString(CultureInfo.InvariantCulture),
                Kind = Span.Types.SpanKind.Internal,
                StartTimeUnixNano = now,
                EndTimeUnixNano = now + 2_000_000,
                Attributes = { Attr("load.index", i) },
            };
            decorate?.Invoke(span, i);
            scope.Spans.Add(span);
        }

        var resource = new ResourceSpans { Resource = new Resource { Attributes = { Attr("service.name", service) } } };
        resource.ScopeSpans.Add(scope);
        return new ExportTraceServiceRequest { ResourceSpans = { resource } };
    }

    /// <summary>OTel GenAI (semconv 1.37) chat spans: one llm_calls row each.</summary>
    public static ExportTraceServiceRequest GenAiSpans(string service, int first, int count)
        => Spans(service, first, count, (span, i) =>
        {
            span.Name = "chat gpt-4o";
            span.Kind = Span.Types.SpanKind.Client;
            span.Attributes.Add(Attr("gen_ai.operation.name", "chat"));
            span.Attributes.Add(Attr("gen_ai.provider.name", "openai"));
            span.Attributes.Add(Attr("gen_ai.request.model", "gpt-4o"));
            span.Attributes.Add(Attr("gen_ai.response.model", "gpt-4o-2024-08-06"));
            span.Attributes.Add(Attr("gen_ai.usage.input_tokens", 10 + (i % 7)));
            span.Attributes.Add(Attr("gen_ai.usage.output_tokens", 5));
        });

    public static byte[] TraceId(string service, int i)
    {
        var id = new byte[16];
        BinaryPrimitives.WriteUInt64BigEndian(id, Fnv(service));
        BinaryPrimitives.WriteInt64BigEndian(id.AsSpan(8), i + 1);
        return id;
    }

    public static byte[] SpanId(string service, int i)
    {
        var id = new byte[8];
        BinaryPrimitives.WriteUInt64BigEndian(id, (Fnv(service) << 24) ^ (ulong)(i + 1));
        return id;
    }

    public static string Hex(byte[] id) => Convert.ToHexStringLower(id);

    public static KeyValue Attr(string key, string value) => new() { Key = key, Value = new AnyValue { StringValue = value } };

    public static KeyValue Attr(string key, long value) => new() { Key = key, Value = new AnyValue { IntValue = value } };

    public static KeyValue Attr(string key, AnyValue value) => new() { Key = key, Value = value };

    /// <summary>A gRPC message frame: uncompressed flag, big-endian length, message.</summary>
    public static byte[] GrpcFrame(ReadOnlySpan<byte> message)
    {
        var frame = new byte[5 + message.Length];
        BinaryPrimitives.WriteUInt32BigEndian(frame.AsSpan(1), (uint)message.Length);
        message.CopyTo(frame.AsSpan(5));
        return frame;
    }

    /// <summary>The same kind of request in OTLP/JSON (hex ids, integer enums, 64-bit integers as strings).</summary>
    public static byte[] JsonSpans(string service, int first, int count)
    {
        var now = (ulong)DateTimeOffset.UtcNow.ToUnixTimeMilliseconds() * 1_000_000;
        var sb = new StringBuilder();
        sb.Append("""{"resourceSpans":[{"resource":{"attributes":[{"key":"service.name","value":{"stringValue":"SERVICE"}}]},"scopeSpans":[{"scope":{"name":"reliability-load"},"spans":[""".Replace("SERVICE", service, StringComparison.Ordinal));
        for (var i = first; i < first + count; i++)
        {
            sb.Append(i > first ? "," : string.Empty);
            sb.Append("""{"traceId":"TRACE","spanId":"SPAN","name":"chat gpt-4o","kind":3,"startTimeUnixNano":"START","endTimeUnixNano":"END","attributes":[{"key":"gen_ai.operation.name","value":{"stringValue":"chat"}},{"key":"gen_ai.provider.name","value":{"stringValue":"openai"}},{"key":"gen_ai.request.model","value":{"stringValue":"gpt-4o"}},{"key":"gen_ai.usage.input_tokens","value":{"intValue":"12"}},{"key":"tags","value":{"arrayValue":{"values":[{"stringValue":"a"},{"intValue":"7"},{"doubleValue":1.5}]}}},{"key":"meta","value":{"kvlistValue":{"values":[{"key":"k","value":{"boolValue":true}}]}}}],"status":{"code":1}}"""
                .Replace("TRACE", Hex(TraceId(service, i)), StringComparison.Ordinal)
                .Replace("SPAN", Hex(SpanId(service, i)), StringComparison.Ordinal)
                .Replace("START", now.ToString(CultureInfo.InvariantCulture), StringComparison.Ordinal)
                .Replace("END", (now + 2_000_000).ToString(CultureInfo.InvariantCulture), StringComparison.Ordinal));
        }

        sb.Append("]}]}]}");
        return Encoding.UTF8.GetBytes(sb.ToString());
    }

    private static ulong Fnv(string text)
    {
        var hash = 14695981039346656037UL;
        foreach (var c in text)
        {
            hash = (hash ^ c) * 1099511628211UL;
        }

        return hash;
    }
}
