using OpenTelemetry.Proto.Collector.Logs.V1;
using OtelLlm.Receiver.RowEncoding;

namespace OtelLlm.Receiver.Otlp;

/// <summary>
/// The OTLP logs export, whichever transport it came over: log records into <c>otel_logs</c>; GenAI content events
/// among them may complete a model call's <c>llm_calls</c> row.
/// </summary>
internal sealed class OtlpLogsService(LogRows rows, OtlpExport export)
{
    public Task<ExportLogsServiceResponse> ExportAsync(string project, OtlpBody body, CancellationToken ct)
        => export.ExportAsync(
            "logs",
            (ref output) => rows.Encode(project, OtlpExport.Decode<ExportLogsServiceRequest>(body), output),
            counts => new ExportLogsServiceResponse { PartialSuccess = new() { RejectedLogRecords = counts.Rejected, ErrorMessage = counts.Error } },
            ct);
}
