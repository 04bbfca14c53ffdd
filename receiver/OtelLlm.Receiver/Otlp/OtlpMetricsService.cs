using OpenTelemetry.Proto.Collector.Metrics.V1;
using OtelLlm.Receiver.Decoding;
using OtelLlm.Receiver.RowEncoding;

namespace OtelLlm.Receiver.Otlp;

/// <summary>The OTLP metrics export, whichever transport it came over: every data point into <c>otel_metrics</c>.</summary>
internal sealed class OtlpMetricsService(MetricRows rows, OtlpExport export)
{
    public async Task<ExportMetricsServiceResponse> ExportAsync(string project, OtlpBody body, CancellationToken ct)
        => Response(await export.StoreAsync(
            "metrics",
            (ref output) => rows.Encode(project, OtlpExport.Decode(body, ExportMetricsServiceRequest.Parser, OtlpJson.ParseMetrics), output),
            ct));

    private static ExportMetricsServiceResponse Response(EncodedCounts counts)
        => counts.Rejected == 0 ? new() : new() { PartialSuccess = new ExportMetricsPartialSuccess { RejectedDataPoints = counts.Rejected, ErrorMessage = counts.Error } };
}
