using Grpc.AspNetCore.Server.Model;
using Grpc.Core;
using OpenTelemetry.Proto.Collector.Logs.V1;
using OpenTelemetry.Proto.Collector.Metrics.V1;
using OpenTelemetry.Proto.Collector.Trace.V1;

namespace OtelLlm.Receiver.Otlp.Grpc;

/// <summary>OTLP/gRPC <c>TraceService/Export</c> over <see cref="OtlpTraceService"/>.</summary>
internal sealed class OtlpGrpcTraceService(OtlpTraceService traces, OtlpGrpcCall call)
{
    public Task<ExportTraceServiceResponse> Export(OtlpGrpcRequest request, ServerCallContext context) => call.RunAsync(request, context, traces.ExportAsync);
}

/// <summary>OTLP/gRPC <c>LogsService/Export</c> over <see cref="OtlpLogsService"/>.</summary>
internal sealed class OtlpGrpcLogsService(OtlpLogsService logs, OtlpGrpcCall call)
{
    public Task<ExportLogsServiceResponse> Export(OtlpGrpcRequest request, ServerCallContext context) => call.RunAsync(request, context, logs.ExportAsync);
}

/// <summary>OTLP/gRPC <c>MetricsService/Export</c> over <see cref="OtlpMetricsService"/>.</summary>
internal sealed class OtlpGrpcMetricsService(OtlpMetricsService metrics, OtlpGrpcCall call)
{
    public Task<ExportMetricsServiceResponse> Export(OtlpGrpcRequest request, ServerCallContext context) => call.RunAsync(request, context, metrics.ExportAsync);
}

/// <summary>Binds each adapter's <c>Export</c> to its <see cref="OtlpGrpcMethods"/> entry.</summary>
internal sealed class OtlpGrpcMethodProvider :
    IServiceMethodProvider<OtlpGrpcTraceService>, IServiceMethodProvider<OtlpGrpcLogsService>, IServiceMethodProvider<OtlpGrpcMetricsService>
{
    public void OnServiceMethodDiscovery(ServiceMethodProviderContext<OtlpGrpcTraceService> context)
        => context.AddUnaryMethod(OtlpGrpcMethods.Traces, [], static (service, request, call) => service.Export(request, call));

    public void OnServiceMethodDiscovery(ServiceMethodProviderContext<OtlpGrpcLogsService> context)
        => context.AddUnaryMethod(OtlpGrpcMethods.Logs, [], static (service, request, call) => service.Export(request, call));

    public void OnServiceMethodDiscovery(ServiceMethodProviderContext<OtlpGrpcMetricsService> context)
        => context.AddUnaryMethod(OtlpGrpcMethods.Metrics, [], static (service, request, call) => service.Export(request, call));
}

/// <summary>
/// Runs one export call: the project and any refusal come from <see cref="OtlpGrpcAdmission"/>, which decided before the
/// body was read; a failure becomes the gRPC status <see cref="OtlpFailures"/> maps it to, with the
/// <c>google.rpc.Status</c> in <c>grpc-status-details-bin</c>.
/// </summary>
internal sealed class OtlpGrpcCall(OtlpRefusal refusal)
{
    public async Task<TResponse> RunAsync<TResponse>(OtlpGrpcRequest request, ServerCallContext context, Func<string, OtlpBody, CancellationToken, Task<TResponse>> export)
    {
        var http = context.GetHttpContext();
        try
        {
            var project = OtlpGrpcAdmission.Admitted(http);
            return await export(project, new OtlpBody(request.Message, Json: false), context.CancellationToken);
        }
        catch (Exception e) when (OtlpFailures.TryClassify(e, out var failure, out var message))
        {
            var status = refusal.Refuse(failure, message, http.Request.Path.Value);
            if (OtlpFailures.Answer(failure).Retryable)
            {
                // Headers first, so the status goes out in trailers: the OpenTelemetry .NET exporter (1.20) reads
                // grpc-status-details-bin only from trailers and would otherwise retry at its own pace.
                await context.WriteResponseHeadersAsync(new Metadata());
            }

            throw status.ToRpcException();
        }
    }
}
