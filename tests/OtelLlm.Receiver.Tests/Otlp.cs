using System.Buffers.Binary;
using System.IO.Compression;
using Google.Protobuf;
using OpenTelemetry.Proto.Collector.Trace.V1;
using OpenTelemetry.Proto.Common.V1;
using OpenTelemetry.Proto.Resource.V1;
using OpenTelemetry.Proto.Trace.V1;

namespace OtelLlm.Receiver.Tests;

/// <summary>Builds OTLP requests and gRPC frames for raw protocol tests.</summary>
internal static class Otlp
{
    public static ExportTraceServiceRequest Spans(string service, int count, int traceIdLength = 16)
    {
        var scope = new ScopeSpans { Scope = new InstrumentationScope { Name = "raw-test" } };
        for (var i = 0; i < count; i++)
        {
            scope.Spans.Add(new Span
            {
                TraceId = ByteString.CopyFrom(Enumerable.Range(1, traceIdLength).Select(b => (byte)(b + i)).ToArray()),
                SpanId = ByteString.CopyFrom(Enumerable.Range(1, 8).Select(b => (byte)(b * 3 + i)).ToArray()),
                Name = "span-" + i,
                Kind = Span.Types.SpanKind.Internal,
                StartTimeUnixNano = 1_700_000_000_000_000_000UL + (ulong)i,
                EndTimeUnixNano = 1_700_000_000_500_000_000UL + (ulong)i,
                Attributes = { new KeyValue { Key = "i", Value = new AnyValue { IntValue = i } } },
            });
        }

        var resource = new Resource { Attributes = { new KeyValue { Key = "service.name", Value = new AnyValue { StringValue = service } } } };
        return new ExportTraceServiceRequest { ResourceSpans = { new ResourceSpans { Resource = resource, ScopeSpans = { scope } } } };
    }

    public static byte[] Frame(byte[] message, bool compressedFlag = false)
    {
        var frame = new byte[5 + message.Length];
        frame[0] = compressedFlag ? (byte)1 : (byte)0;
        BinaryPrimitives.WriteUInt32BigEndian(frame.AsSpan(1), (uint)message.Length);
        message.CopyTo(frame, 5);
        return frame;
    }

    public static byte[] Gzip(byte[] data)
    {
        using var output = new MemoryStream();
        using (var gz = new GZipStream(output, CompressionLevel.Optimal, leaveOpen: true))
        {
            gz.Write(data);
        }

        return output.ToArray();
    }

    /// <summary>A few KB of gzip that expands to <paramref name="size"/> zero bytes (compressed a chunk at a time, never held whole).</summary>
    public static byte[] GzipBomb(int size)
    {
        var zeros = new byte[64 * 1024];
        using var output = new MemoryStream();
        using (var gz = new GZipStream(output, CompressionLevel.Optimal, leaveOpen: true))
        {
            for (var left = size; left > 0; left -= zeros.Length)
            {
                gz.Write(zeros, 0, Math.Min(left, zeros.Length));
            }
        }

        return output.ToArray();
    }
}
