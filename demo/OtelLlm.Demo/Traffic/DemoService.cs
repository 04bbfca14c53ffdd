using System.Diagnostics;
using OpenTelemetry;
using OpenTelemetry.Exporter;
using OpenTelemetry.Metrics;
using OpenTelemetry.Resources;
using OpenTelemetry.Trace;
using OtelLlm.Instrumentation;

namespace OtelLlm.Demo.Traffic;

/// <summary>
/// One simulated application: its own resource (<c>service.name</c>), tracer and meter provider exporting OTLP, and
/// its own ActivitySource/Meter name, so its spans are never picked up by another service's provider.
/// </summary>
internal sealed class DemoService : IDisposable
{
    private readonly TracerProvider _tracerProvider;
    private readonly MeterProvider _meterProvider;
    private readonly string _sourceName;
    private readonly bool _captureContent;

    /// <param name="name">The service name, before the run's suffix.</param>
    /// <param name="version">The service version.</param>
    /// <param name="options">The run's settings.</param>
    /// <param name="recordsHttpCalls">
    /// Whether this service's provider records outgoing HTTP calls. The HTTP client instrumentation sees every call in the
    /// process, so only the one service that calls a provider over HTTP turns it on; otherwise each service would export
    /// the others' HTTP spans too.
    /// </param>
    public DemoService(string name, string version, TrafficOptions options, bool recordsHttpCalls)
    {
        Name = name + options.ServiceSuffix;
        var sourceName = "OtelLlm.Demo." + Name;
        Source = new ActivitySource(sourceName, version);
        _sourceName = sourceName;
        _captureContent = options.CaptureContent;
        var resource = ResourceBuilder.CreateEmpty()
            .AddService(Name, serviceVersion: version, serviceInstanceId: Environment.MachineName + "-" + Environment.ProcessId)
            .AddAttributes(
            [
                new(DemoNames.Resource.DeploymentEnvironment, options.Environment),
                new(DemoNames.Resource.ServiceNamespace, DemoNames.Namespace),
            ]);
        _tracerProvider = Sdk.CreateTracerProviderBuilder()
            .SetResourceBuilder(resource)
            .AddSource(sourceName)
            .AddOtelLlmInstrumentation(o =>
            {
                o.SourceNames.Add(sourceName);
                o.RecordHttpClientCalls = recordsHttpCalls;
            })
            .SetSampler(new AlwaysOnSampler())
            .AddOtlpExporter(o =>
            {
                Configure(o, options, "traces");
                // A deep queue: the demo produces bursts, and a full queue would drop spans without telling anyone.
                o.BatchExportProcessorOptions.MaxQueueSize = 65_536;
                o.BatchExportProcessorOptions.MaxExportBatchSize = 512;
                o.BatchExportProcessorOptions.ScheduledDelayMilliseconds = 500;
            })
            .Build();
        _meterProvider = Sdk.CreateMeterProviderBuilder()
            .SetResourceBuilder(resource)
            .AddOtelLlmInstrumentation(sourceName)
            .AddOtlpExporter((o, reader) =>
            {
                Configure(o, options, "metrics");
                reader.PeriodicExportingMetricReaderOptions.ExportIntervalMilliseconds = 10_000;
            })
            .Build();
    }

    public string Name { get; }

    /// <summary>The source for the service's own request spans; Microsoft.Extensions.AI's GenAI spans use the same name.</summary>
    public ActivitySource Source { get; }

    /// <summary>Points a client's instrumentation at this service's source name, with the run's content capture.</summary>
    public void Configure(OtelLlmInstrumentationOptions instrumentation)
    {
        instrumentation.SourceName = _sourceName;
        instrumentation.EnableSensitiveData = _captureContent;
    }

    /// <summary>Exports everything still buffered; false when the exporters did not finish in time.</summary>
    public bool Flush(int timeoutMilliseconds)
    {
        var traces = _tracerProvider.ForceFlush(timeoutMilliseconds);
        var metrics = _meterProvider.ForceFlush(timeoutMilliseconds);
        return traces && metrics;
    }

    public void Dispose()
    {
        _tracerProvider.Dispose();
        _meterProvider.Dispose();
        Source.Dispose();
    }

    private static void Configure(OtlpExporterOptions o, TrafficOptions options, string signal)
    {
        o.TimeoutMilliseconds = 30_000;
        if (string.Equals(options.Protocol, "grpc", StringComparison.OrdinalIgnoreCase))
        {
            o.Protocol = OtlpExportProtocol.Grpc;
            o.Endpoint = options.Endpoint;
        }
        else
        {
            o.Protocol = OtlpExportProtocol.HttpProtobuf;
            var baseUri = options.Endpoint.AbsoluteUri.EndsWith('/') ? options.Endpoint : new Uri(options.Endpoint.AbsoluteUri + "/");
            o.Endpoint = new Uri(baseUri, "v1/" + signal);
        }

        if (!string.IsNullOrEmpty(options.ApiKey))
        {
            o.Headers = "x-api-key=" + options.ApiKey;
        }
    }
}
