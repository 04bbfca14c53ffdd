using OpenTelemetry.Proto.Collector.Trace.V1;
using OtelLlm.Receiver.Decoding;
using OtelLlm.Receiver.RowEncoding;

namespace OtelLlm.Receiver.Otlp;

/// <summary>
/// The OTLP trace export, whichever transport it came over: spans into <c>otel_traces</c>, model calls among them
/// into <c>llm_calls</c>. Protobuf is read span at a time; OTLP/JSON is decoded first.
/// </summary>
internal sealed class OtlpTraceService(TraceRows rows, OtlpExport export)
{
    public async Task<ExportTraceServiceResponse> ExportAsync(string project, OtlpBody body, CancellationToken ct)
        => Response(await export.StoreAsync(
            "traces",
            (ref output) => body.Json
                ? rows.Encode(project, OtlpExport.Decode(body, ExportTraceServiceRequest.Parser, OtlpJson.ParseTraces), output)
                : rows.Encode(project, body.Bytes.Span, ref output),
            ct));

    private static ExportTraceServiceResponse Response(EncodedCounts counts)
        => counts.Rejected == 0 ? new() : new() { PartialSuccess = new ExportTracePartialSuccess { RejectedSpans = counts.Rejected, ErrorMessage = counts.Error } };
}
