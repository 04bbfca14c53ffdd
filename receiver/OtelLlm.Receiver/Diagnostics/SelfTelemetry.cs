using OpenTelemetry.Exporter;
using OpenTelemetry.Metrics;
using OpenTelemetry.Resources;
using OpenTelemetry.Trace;
using OtelLlm.Receiver.Configuration;

namespace OtelLlm.Receiver.Diagnostics;

/// <summary>
/// The receiver's own telemetry through the OpenTelemetry .NET SDK, off unless
/// <see cref="ReceiverOptions.SelfTelemetryEndpoint"/> is set: ASP.NET Core, HttpClient (the ClickHouse inserts) and
/// runtime instrumentation plus the receiver's meters, exported over OTLP/HTTP protobuf to any endpoint, the receiver
/// itself included (its metrics then land in <c>otel_metrics</c> for the receiver-health dashboard).
/// </summary>
internal static class SelfTelemetry
{
    /// <summary>The <c>service.name</c> of the receiver's own telemetry.</summary>
    public const string ServiceName = "otel-llm-receiver";

    public static IServiceCollection AddSelfTelemetry(this IServiceCollection services, ReceiverOptions options, IEnumerable<string> meters)
    {
        if (options.SelfTelemetryEndpoint.Length == 0)
        {
            return services;
        }

        // A base address with a trailing slash, so the signal paths resolve below it (http://host:4318/ -> /v1/traces).
        var endpoint = new Uri(options.SelfTelemetryEndpoint.TrimEnd('/') + "/");
        var headers = options.SelfTelemetryApiKey.Length == 0 ? null : "Authorization=Bearer " + options.SelfTelemetryApiKey;
        void Exporter(OtlpExporterOptions o, string signal)
        {
            o.Protocol = OtlpExportProtocol.HttpProtobuf;
            o.Endpoint = new Uri(endpoint, "v1/" + signal);
            o.Headers = headers;
        }

        services.AddOpenTelemetry()
            .ConfigureResource(r => r.AddService(ServiceName, serviceInstanceId: Environment.MachineName + "/" + Environment.ProcessId))
            .WithTracing(t => t
                .AddAspNetCoreInstrumentation(o => o.Filter = context => !IsSelfExport(context, endpoint))
                .AddHttpClientInstrumentation()
                .AddOtlpExporter(o => Exporter(o, "traces")))
            .WithMetrics(m => m
                .AddAspNetCoreInstrumentation()
                .AddHttpClientInstrumentation()
                .AddRuntimeInstrumentation()
                .AddMeter([.. meters])
                .AddOtlpExporter((o, reader) =>
                {
                    Exporter(o, "metrics");
                    reader.PeriodicExportingMetricReaderOptions.ExportIntervalMilliseconds = options.SelfTelemetryExportIntervalMilliseconds;
                }));
        return services;
    }

    /// <summary>Exporting to itself, the receiver leaves out the spans of those exports, or every export would make the next.</summary>
    private static bool IsSelfExport(HttpContext context, Uri endpoint)
        => context.Request.Path.StartsWithSegments("/v1", StringComparison.Ordinal)
            && context.Connection.LocalPort == endpoint.Port
            && System.Net.IPAddress.IsLoopback(context.Connection.RemoteIpAddress ?? System.Net.IPAddress.None);
}
