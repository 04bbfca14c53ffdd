namespace OtelLlm.Receiver.Normalization;

/// <summary>
/// Decides which dialect a span speaks and whether it is a model call at all. Most specific signals first: an
/// instrumentation scope name, then a vocabulary only one dialect uses, then the semconv version markers.
/// </summary>
internal static class DialectDetector
{
    /// <summary>
    /// A cheap first look: whether the span carries any GenAI vocabulary. Spans that do not (HTTP, database, ...)
    /// are the vast majority and leave here without a lookup table being built.
    /// </summary>
    public static bool MayBeGenAi(OpenTelemetry.Proto.Trace.V1.Span span)
    {
        var attributes = span.Attributes;
        for (var i = 0; i < attributes.Count; i++)
        {
            var key = attributes[i].Key;
            if (key.StartsWith(GenAi.Prefix, StringComparison.Ordinal)
                || key.StartsWith("llm.", StringComparison.Ordinal)
                || key == OpenInference.SpanKind)
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>The dialect, one of <see cref="SourceFormats"/>; empty when the span speaks none.</summary>
    public static string Detect(SpanInput input)
    {
        var a = input.Attributes;
        var scope = input.ScopeName;
        if (scope == Meai.DefaultSourceName)
        {
            return SourceFormats.Meai;
        }

        if (scope == OtelJsOpenAi.ScopeName)
        {
            return SourceFormats.OtelJsOpenAi;
        }

        if (a.Contains(OpenInference.SpanKind) || scope.StartsWith(OpenInference.ScopePrefix, StringComparison.Ordinal))
        {
            return SourceFormats.OpenInference;
        }

        if (a.Contains(Traceloop.RequestType) || a.Contains(GenAi.PromptPrefix + "0.role") || a.Contains(GenAi.PromptPrefix + "0.content")
            || a.Contains(GenAi.CompletionPrefix + "0.content") || a.Contains(GenAi.CompletionPrefix + "0.finish_reason")
            || input.Span.Name is "openai.chat" or "openai.completion" or "vertexai.completion")
        {
            return SourceFormats.OpenLlmetryLegacy;
        }

        if (scope.StartsWith(Traceloop.ScopePrefixJs, StringComparison.Ordinal)
            || (scope.StartsWith(Traceloop.ScopePrefixPython, StringComparison.Ordinal) && a.Contains(GenAi.Usage.TotalTokens))
            || a.HasKeyStartingWith(Traceloop.AttributePrefix))
        {
            return SourceFormats.OpenLlmetry;
        }

        if (a.GetString(Otel.TelemetrySdkName) == OpenLit.SdkName
            || input.ResourceAttributes.GetString(Otel.TelemetrySdkName) == OpenLit.SdkName
            || a.Contains(OpenLit.SdkVersion) || a.Contains(OpenLit.ApplicationName) || a.Contains(OpenLit.Environment))
        {
            return SourceFormats.OpenLit;
        }

        if (a.Contains(GenAi.Provider.Name))
        {
            return SourceFormats.OtelGenAiV137;
        }

        if (a.Contains(GenAi.System) || a.Contains(GenAi.Operation.Name))
        {
            return SourceFormats.OtelGenAiV136;
        }

        return string.Empty;
    }

    /// <summary>
    /// The call's operation, from the most explicit source available; empty when none says. Unknown values are
    /// kept verbatim so they stay visible.
    /// </summary>
    public static string ResolveOperation(SpanInput input)
    {
        var a = input.Attributes;
        if (a.GetString(GenAi.Operation.Name) is { } op)
        {
            return op;
        }

        switch (a.GetString(Traceloop.RequestType))
        {
            case "chat":
                return GenAi.Operation.Chat;
            case "completion":
                return GenAi.Operation.TextCompletion;
            case "embedding" or "embeddings":
                return GenAi.Operation.Embeddings;
            case { } other:
                return other;
        }

        switch (a.GetString(OpenInference.SpanKind)?.ToUpperInvariant())
        {
            case OpenInference.Kinds.Llm:
                return a.HasKeyStartingWith(OpenInference.PromptsPrefix) && !a.HasKeyStartingWith(OpenInference.InputMessagesPrefix)
                    ? GenAi.Operation.TextCompletion
                    : GenAi.Operation.Chat;
            case OpenInference.Kinds.Embedding:
                return GenAi.Operation.Embeddings;
            case "TOOL":
                return GenAi.Operation.ExecuteTool;
            case "AGENT":
                return GenAi.Operation.InvokeAgent;
            case { } kind:
                return kind.ToLowerInvariant();
        }

        var name = input.Span.Name;
        if (name.StartsWith("chat", StringComparison.Ordinal) && (name.Length == 4 || name[4] == ' '))
        {
            return GenAi.Operation.Chat;
        }

        if (name.StartsWith("text_completion ", StringComparison.Ordinal) || name.EndsWith(".completion", StringComparison.Ordinal))
        {
            return GenAi.Operation.TextCompletion;
        }

        if (name.StartsWith("embeddings", StringComparison.Ordinal) || name.EndsWith(".embeddings", StringComparison.Ordinal))
        {
            return GenAi.Operation.Embeddings;
        }

        if (name.EndsWith(".chat", StringComparison.Ordinal))
        {
            return GenAi.Operation.Chat;
        }

        // v1.26 spans carried no operation name; a system plus a model is an inference call.
        if (a.Contains(GenAi.System) && a.Contains(GenAi.Request.Model))
        {
            return GenAi.Operation.Chat;
        }

        return string.Empty;
    }

    /// <summary>
    /// Whether the span is itself one model call. Wrappers — agents, workflows, chains, tools, MEAI's
    /// <c>orchestrate_tools</c>, Traceloop workflow/task spans — repeat or sum their children's usage and never count.
    /// </summary>
    public static bool IsModelCall(SpanInput input, string operation)
    {
        if (input.Span.Name == Meai.OrchestrateToolsSpan || input.Attributes.Contains(Traceloop.SpanKind))
        {
            return false;
        }

        return operation is GenAi.Operation.Chat or GenAi.Operation.TextCompletion or GenAi.Operation.GenerateContent
            or GenAi.Operation.Embeddings or "completion" or "responses";
    }
}
