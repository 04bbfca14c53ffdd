using Google.Protobuf;
using OpenTelemetry.Proto.Collector.Trace.V1;

namespace OtelLlm.LoadGen.Payloads;

/// <summary>
/// An export request encoded once. Each send gets fresh trace ids by overwriting the first eight bytes of every
/// trace id in a copy of the bytes, so re-sent payloads are new spans to the receiver (and its de-duplication)
/// without paying protobuf encoding in the load generator.
/// </summary>
internal sealed class PreEncodedRequest
{
    private readonly byte[] _template;
    private readonly int[][] _traceIdOffsets;

    private PreEncodedRequest(byte[] template, int[][] traceIdOffsets, int spans)
    {
        _template = template;
        _traceIdOffsets = traceIdOffsets;
        Spans = spans;
    }

    /// <summary>Spans in one request.</summary>
    public int Spans { get; }

    /// <summary>Encoded length including the gRPC frame prefix when there is one.</summary>
    public int Length => _template.Length;

    /// <summary>Trace ids in one request; each send consumes this many unique numbers.</summary>
    public int Traces => _traceIdOffsets.Length;

    /// <summary>Encodes <paramref name="request"/>, optionally behind a gRPC length-prefixed frame header.</summary>
    public static PreEncodedRequest Create(ExportTraceServiceRequest request, bool grpcFrame)
    {
        var message = request.ToByteArray();
        var prefix = grpcFrame ? 5 : 0;
        var bytes = new byte[message.Length + prefix];
        if (grpcFrame)
        {
            // Uncompressed flag, then the big-endian message length.
            bytes[0] = 0;
            System.Buffers.Binary.BinaryPrimitives.WriteUInt32BigEndian(bytes.AsSpan(1), (uint)message.Length);
        }

        message.CopyTo(bytes, prefix);
        var traceIds = new List<ByteString>();
        var spans = 0;
        foreach (var rs in request.ResourceSpans)
        {
            foreach (var ss in rs.ScopeSpans)
            {
                foreach (var span in ss.Spans)
                {
                    spans++;
                    if (!traceIds.Contains(span.TraceId))
                    {
                        traceIds.Add(span.TraceId);
                    }
                }
            }
        }

        var offsets = new int[traceIds.Count][];
        for (var i = 0; i < traceIds.Count; i++)
        {
            var id = traceIds[i].Span;
            var found = new List<int>();
            var start = prefix;
            while (true)
            {
                var at = bytes.AsSpan(start).IndexOf(id);
                if (at < 0)
                {
                    break;
                }

                found.Add(start + at);
                start += at + id.Length;
            }

            offsets[i] = [.. found];
        }

        return new PreEncodedRequest(bytes, offsets, spans);
    }

    /// <summary>A private copy of the bytes for one sender to stamp and send repeatedly.</summary>
    public byte[] NewBuffer() => (byte[])_template.Clone();

    /// <summary>Gives every trace in <paramref name="buffer"/> a new id derived from <paramref name="firstUnique"/>.</summary>
    public void Stamp(byte[] buffer, ulong firstUnique)
    {
        for (var t = 0; t < _traceIdOffsets.Length; t++)
        {
            var value = firstUnique + (ulong)t;
            foreach (var offset in _traceIdOffsets[t])
            {
                System.Buffers.Binary.BinaryPrimitives.WriteUInt64BigEndian(buffer.AsSpan(offset), value);
            }
        }
    }
}
