using System.Buffers;
using OpenTelemetry.Proto.Collector.Trace.V1;
using OtelLlm.Receiver.Configuration;
using OtelLlm.Receiver.Decoding;
using OtelLlm.Receiver.Diagnostics;
using OtelLlm.Receiver.Normalization;
using OtelLlm.Receiver.Pipeline;

namespace OtelLlm.Receiver.RowEncoding;

/// <summary>
/// Spans into <c>otel_traces</c> rows, and model calls among them into <c>llm_calls</c> rows. Protobuf bytes take the
/// span-at-a-time reader (<see cref="ProtobufTraceEncoder"/>); what it leaves to Google.Protobuf, and OTLP/JSON, take
/// the reference path from decoded objects, whose rows the same writer writes.
/// </summary>
/// <param name="normalizer">Turns model-call spans into <c>llm_calls</c> rows; <see langword="null"/> writes spans only.</param>
/// <param name="maxValueBytes">Longest stored attribute value (<see cref="ReceiverOptions.MaxAttributeValueBytes"/>).</param>
/// <param name="metrics">Counts requests the reader left to the reference path.</param>
internal sealed class TraceRows(IGenAiNormalizer? normalizer, int maxValueBytes, ReceiverMetrics metrics)
{
    private static readonly Resource s_emptyResource = new();
    private static readonly InstrumentationScope s_emptyScope = new();

    /// <summary>
    /// Decodes a request for the reference path. Unknown fields are never stored, and dropping them here means the bytes
    /// written back for the decoded request hold only fields of the declared wire types, which the writer reads as they are.
    /// </summary>
    public static MessageParser<ExportTraceServiceRequest> Parser { get; } = ExportTraceServiceRequest.Parser.WithDiscardUnknownFields(true);

    public TraceRows(IGenAiNormalizer normalizer, IOptions<ReceiverOptions> options, ReceiverMetrics metrics)
        : this(normalizer, options.Value.MaxAttributeValueBytes, metrics)
    {
    }

    /// <summary>
    /// Encodes protobuf trace bytes with the span-at-a-time reader, or, for input it leaves to Google.Protobuf, by
    /// parsing the request and taking the reference path into a fresh <paramref name="output"/>.
    /// </summary>
    /// <exception cref="InvalidProtocolBufferException">The bytes are not a valid request.</exception>
    public EncodedCounts Encode(string project, ReadOnlySpan<byte> protobuf, ref EncodedRequest output)
    {
        try
        {
            return ProtobufTraceEncoder.Encode(project, protobuf, output, normalizer, maxValueBytes);
        }
        catch (Exception e) when (e is ProtoWireException or InvalidProtocolBufferException)
        {
            output.Dispose();
            output = new EncodedRequest();
        }

        metrics.DecodeFallback();

        // Validity as Google.Protobuf's own parser judges it (it refuses some unknown-field damage that discarding them
        // would pass over), then the decoded request without its unknown fields.
        ExportTraceServiceRequest.Parser.ParseFrom(protobuf);
        return Encode(project, Parser.ParseFrom(protobuf), output);
    }

    /// <summary>
    /// The reference path: rows from a request Google.Protobuf decoded (OTLP/JSON, or protobuf the span-at-a-time reader
    /// left to it) without unknown fields (<see cref="Parser"/>; OTLP/JSON keeps none). The <c>otel_traces</c> rows come
    /// from the same writer, over the bytes Google.Protobuf writes for the decoded request; the normalizer reads the
    /// decoded spans.
    /// </summary>
    public EncodedCounts Encode(string project, ExportTraceServiceRequest request, EncodedRequest output)
    {
        var size = request.CalculateSize();
        var bytes = ArrayPool<byte>.Shared.Rent(Math.Max(size, 1));
        EncodedCounts counts;
        try
        {
            request.WriteTo(bytes.AsSpan(0, size));
            counts = ProtobufTraceEncoder.Encode(project, bytes.AsSpan(0, size), output, normalizer: null, maxValueBytes, AnyValueText.Unlimited);
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(bytes);
        }

        if (normalizer is null)
        {
            return counts;
        }

        foreach (var rs in request.ResourceSpans)
        {
            var resource = rs.Resource ?? s_emptyResource;
            foreach (var ss in rs.ScopeSpans)
            {
                var scope = ss.Scope ?? s_emptyScope;
                foreach (var span in ss.Spans)
                {
                    // The spans the writer refused (ids of the wrong length) have no row and make no call.
                    if (OtlpIds.AreValid(span) && normalizer.NormalizeSpan(project, resource, scope, span) is { } call)
                    {
                        call.Write(output.Writer(TableId.LlmCalls));
                        output.RowWritten(TableId.LlmCalls);
                    }
                }
            }
        }

        return counts;
    }
}
