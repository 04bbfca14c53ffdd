using OpenTelemetry.Proto.Collector.Trace.V1;
using OtelLlm.Receiver.RowEncoding;

namespace OtelLlm.Receiver.Otlp;

/// <summary>
/// The OTLP trace export, whichever transport it came over: spans into <c>otel_traces</c>, model calls among them
/// into <c>llm_calls</c>. Protobuf is read span at a time; OTLP/JSON is decoded first.
/// </summary>
internal sealed class OtlpTraceService(TraceRows rows, OtlpExport export)
{
    public Task<ExportTraceServiceResponse> ExportAsync(string project, OtlpBody body, CancellationToken ct)
        => export.ExportAsync(
            "traces",
            (ref output) => body.Json
                ? rows.Encode(project, OtlpExport.Decode<ExportTraceServiceRequest>(body), output)
                : rows.Encode(project, body.Bytes.Span, ref output),
            counts => new ExportTraceServiceResponse { PartialSuccess = new() { RejectedSpans = counts.Rejected, ErrorMessage = counts.Error } },
            ct);
}
