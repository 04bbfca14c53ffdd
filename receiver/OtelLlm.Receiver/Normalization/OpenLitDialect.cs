namespace OtelLlm.Receiver.Normalization;

/// <summary>
/// OpenLIT. Core instrumentations speak semconv ≥1.37 plus vendor extensions, all read by
/// <see cref="CommonColumns"/> and <see cref="CostCalculator"/>: <c>gen_ai.usage.cost</c> (USD, becomes
/// <c>CostSource = span</c>), <c>gen_ai.client.token.usage</c> used as a span attribute for total tokens,
/// <c>gen_ai.server.time_to_first_token</c> (seconds, client-measured), <c>deployment.environment</c> /
/// <c>gen_ai.environment</c> and <c>service.name</c> / <c>gen_ai.application_name</c> on the span, and
/// <c>ibm.watson.ai</c> (sic) as a provider. Detected by <c>telemetry.sdk.name = openlit</c>,
/// <c>gen_ai.sdk.version</c>, or the application/environment attributes.
/// </summary>
internal static class OpenLitDialect
{
    /// <summary>Span attributes that only identify the SDK and are not worth a copy in <c>Attributes</c>.</summary>
    public static bool IsSdkMarker(string key) => key is Otel.TelemetrySdkName or OpenLit.SdkVersion;
}
