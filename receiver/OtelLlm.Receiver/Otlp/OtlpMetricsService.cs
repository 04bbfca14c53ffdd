using OpenTelemetry.Proto.Collector.Metrics.V1;
using OtelLlm.Receiver.Decoding;
using OtelLlm.Receiver.RowEncoding;

namespace OtelLlm.Receiver.Otlp;

/// <summary>The OTLP metrics export, whichever transport it came over: every data point into <c>otel_metrics</c>.</summary>
internal sealed class OtlpMetricsService(MetricRows rows, OtlpExport export)
{
    public async Task<ExportMetricsServiceResponse> ExportAsync(string project, OtlpBody body, CancellationToken ct)
    {
        var counts = await export.StoreAsync(
            "metrics",
            (ref output) => rows.Encode(project, OtlpExport.Decode(body, ExportMetricsServiceRequest.Parser, OtlpJson.ParseMetrics), output),
            ct);
        return counts.Rejected == 0
            ? new ExportMetricsServiceResponse()
            : new ExportMetricsServiceResponse { PartialSuccess = new ExportMetricsPartialSuccess { RejectedDataPoints = counts.Rejected, ErrorMessage = counts.Error } };
    }
}
