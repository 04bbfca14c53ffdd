using OpenTelemetry.Proto.Collector.Logs.V1;
using OtelLlm.Receiver.Decoding;
using OtelLlm.Receiver.RowEncoding;

namespace OtelLlm.Receiver.Otlp;

/// <summary>
/// The OTLP logs export, whichever transport it came over: log records into <c>otel_logs</c>; GenAI content events
/// among them may complete a model call's <c>llm_calls</c> row.
/// </summary>
internal sealed class OtlpLogsService(LogRows rows, OtlpExport export)
{
    public async Task<ExportLogsServiceResponse> ExportAsync(string project, OtlpBody body, CancellationToken ct)
        => Response(await export.StoreAsync(
            "logs",
            (ref output) => rows.Encode(project, OtlpExport.Decode(body, ExportLogsServiceRequest.Parser, OtlpJson.ParseLogs), output),
            ct));

    private static ExportLogsServiceResponse Response(EncodedCounts counts)
        => counts.Rejected == 0 ? new() : new() { PartialSuccess = new ExportLogsPartialSuccess { RejectedLogRecords = counts.Rejected, ErrorMessage = counts.Error } };
}
