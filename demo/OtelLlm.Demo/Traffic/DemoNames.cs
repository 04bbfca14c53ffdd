namespace OtelLlm.Demo.Traffic;

/// <summary>OpenTelemetry resource attribute names the demo sets, in one place.</summary>
internal static class DemoNames
{
    public static class Resource
    {
        public const string DeploymentEnvironment = "deployment.environment.name";
        public const string ServiceNamespace = "service.namespace";
    }

    public static class Http
    {
        public const string Route = "http.route";
        public const string RequestMethod = "http.request.method";
        public const string ResponseStatusCode = "http.response.status_code";
    }

    /// <summary>The OTLP exporter's EventSource, listened to for failed exports.</summary>
    public const string OtlpExporterEventSource = "OpenTelemetry-Exporter-OpenTelemetryProtocol";

    /// <summary>The <c>service.namespace</c> of every demo service.</summary>
    public const string Namespace = "otel-llm-demo";
}
