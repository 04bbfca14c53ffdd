using OpenTelemetry.Proto.Collector.Metrics.V1;
using OtelLlm.Receiver.RowEncoding;

namespace OtelLlm.Receiver.Otlp;

/// <summary>The OTLP metrics export, whichever transport it came over: every data point into <c>otel_metrics</c>.</summary>
internal sealed class OtlpMetricsService(MetricRows rows, OtlpExport export)
{
    public Task<ExportMetricsServiceResponse> ExportAsync(string project, OtlpBody body, CancellationToken ct)
        => export.ExportAsync(
            "metrics",
            (ref output) => rows.Encode(project, OtlpExport.Decode<ExportMetricsServiceRequest>(body), output),
            counts => new ExportMetricsServiceResponse { PartialSuccess = new() { RejectedDataPoints = counts.Rejected, ErrorMessage = counts.Error } },
            ct);
}
