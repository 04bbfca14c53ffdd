namespace OtelLlm.Receiver.Normalization.Dialects;

/// <summary>
/// The registered dialects, in the order they are asked (<see cref="IGenAiDialect.Detects"/>): the most specific
/// signal first — an instrumentation scope name, then a vocabulary only one dialect uses, then the semconv version
/// markers. Adding a dialect is its class and one line here, before any dialect that would otherwise claim its spans.
/// </summary>
internal static class GenAiDialects
{
    public static readonly IGenAiDialect[] All =
    [
        new MeaiDialect(),
        new OtelJsOpenAiDialect(),
        new VercelAiDialect(),
        new OpenInferenceDialect(),
        new OpenLlmetryLegacyDialect(),
        new OpenLlmetryDialect(),
        new OpenLitDialect(),
        new OtelGenAiV137Dialect(),
        new OtelGenAiV136Dialect(),
    ];

    /// <summary>
    /// A cheap first look: whether the span carries any GenAI vocabulary. Spans that do not (HTTP, database, ...)
    /// are the vast majority and leave here without a lookup table being built. The span-at-a-time trace reader makes
    /// the same test on the raw attribute keys.
    /// </summary>
    public static bool MayBeGenAi(OpenTelemetry.Proto.Trace.V1.Span span)
    {
        var attributes = span.Attributes;
        for (var i = 0; i < attributes.Count; i++)
        {
            var key = attributes[i].Key;
            if (key.StartsWith(GenAi.Prefix, StringComparison.Ordinal)
                || key.StartsWith("llm.", StringComparison.Ordinal)
                || key == OpenInference.SpanKind
                || key == VercelAi.OperationId)
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>The dialect the span speaks; <see langword="null"/> when none.</summary>
    public static IGenAiDialect? Detect(SpanInput input)
    {
        foreach (var dialect in All)
        {
            if (dialect.Detects(input))
            {
                return dialect;
            }
        }

        return null;
    }
}
