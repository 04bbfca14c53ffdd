namespace OtelLlm.Receiver.Normalization.Dialects;

/// <summary>
/// OpenLIT. Core instrumentations speak semconv ≥1.37 plus vendor extensions: <c>gen_ai.usage.cost</c> (USD, becomes
/// <c>CostSource = span</c> in <see cref="CostCalculator"/>), <c>gen_ai.client.token.usage</c> used as a span attribute
/// for total tokens, <c>gen_ai.server.time_to_first_token</c> (seconds, client-measured), <c>deployment.environment</c> /
/// <c>gen_ai.environment</c> and <c>service.name</c> / <c>gen_ai.application_name</c> on the span,
/// <c>gen_ai.session.id</c>, <c>gen_ai.user.id</c>, and <c>ibm.watson.ai</c> (sic) as a provider. Detected by
/// <c>telemetry.sdk.name = openlit</c> (span or resource), <c>gen_ai.sdk.version</c>, or the application/environment
/// attributes.
/// </summary>
internal sealed class OpenLitDialect() : GenAiDialect(SourceFormats.OpenLit, s_sources)
{
    private static readonly ColumnSources s_sources = ColumnSources.Semconv with
    {
        ServiceName = [Otel.ServiceName, OpenLit.ApplicationName],
        EnvironmentOnSpan = [Otel.DeploymentEnvironmentName, Otel.DeploymentEnvironment, OpenLit.Environment],
        TotalTokens = [GenAi.Usage.TotalTokens, OpenLit.TokenUsageAsTotal],
        TimeToFirstChunkSeconds = [GenAi.Response.TimeToFirstChunk, OpenLit.TimeToFirstToken],
        ConversationId = [GenAi.ConversationId, Otel.SessionId, OpenLit.SessionId],
        UserId = [Otel.UserId, Otel.EndUserId, OpenLit.UserId, GenAi.Request.User, Traceloop.GenAiUser],

        // The markers that identify the SDK are not worth a copy in Attributes.
        Consumed = [.. ColumnSources.Semconv.Consumed, Otel.TelemetrySdkName, OpenLit.SdkVersion],
    };

    public override bool Detects(SpanInput input)
    {
        var a = input.Attributes;
        return a.GetString(Otel.TelemetrySdkName) == OpenLit.SdkName
            || input.ResourceAttributes.GetString(Otel.TelemetrySdkName) == OpenLit.SdkName
            || a.Contains(OpenLit.SdkVersion) || a.Contains(OpenLit.ApplicationName) || a.Contains(OpenLit.Environment);
    }
}
