using System.Globalization;
using OpenTelemetry.Proto.Trace.V1;
using OtelLlm.Receiver.Decoding;
using OtelLlm.Storage.Rows;

namespace OtelLlm.Receiver.Normalization;

/// <summary>
/// The columns every dialect fills the same way: identity and timing from the span, and each value column from its
/// sources in priority order (first present wins), covering every dialect's name for it. Dialect classes then add
/// what only they carry (indexed content, invocation parameters, ...).
/// </summary>
internal static class CommonColumns
{
    public static void Fill(SpanInput input, LlmCallRow row)
    {
        var span = input.Span;
        var a = input.Attributes;
        var r = input.ResourceAttributes;

        row.StartTimeUnixNano = span.StartTimeUnixNano;
        row.Duration = span.EndTimeUnixNano > span.StartTimeUnixNano ? span.EndTimeUnixNano - span.StartTimeUnixNano : 0;
        row.TraceId = OtlpIds.Hex(span.TraceId);
        row.SpanId = OtlpIds.Hex(span.SpanId);
        row.ParentSpanId = OtlpIds.Hex(span.ParentSpanId);

        row.ServiceName = r.GetString(Otel.ServiceName) ?? a.FirstString(Otel.ServiceName, OpenLit.ApplicationName) ?? string.Empty;
        row.Environment = r.FirstString(Otel.DeploymentEnvironmentName, Otel.DeploymentEnvironment)
            ?? a.FirstString(Otel.DeploymentEnvironmentName, Otel.DeploymentEnvironment, OpenLit.Environment)
            ?? string.Empty;

        var rawProvider = a.FirstString(GenAi.Provider.Name, GenAi.System, OpenInference.Provider, OpenInference.System);
        if (rawProvider is not null)
        {
            row.Provider = ProviderNames.Normalize(rawProvider) ?? string.Empty;
            if (!string.Equals(rawProvider, row.Provider, StringComparison.Ordinal))
            {
                row.Attributes.Add(OtelLlmNames.RawProvider, rawProvider);
            }
        }

        row.RequestModel = a.FirstString(GenAi.Request.Model, OpenInference.RequestModelName) ?? string.Empty;
        row.ResponseModel = a.FirstString(GenAi.Response.Model, OpenInference.ResponseModelName) ?? string.Empty;

        row.InputTokens = Count(a.FirstInt64(GenAi.Usage.InputTokens, GenAi.Usage.PromptTokens, OpenInference.TokenCountPrompt));
        row.OutputTokens = Count(a.FirstInt64(GenAi.Usage.OutputTokens, GenAi.Usage.CompletionTokens, OpenInference.TokenCountCompletion));
        row.CacheReadTokens = Count(a.FirstInt64(
            GenAi.Usage.CacheReadInputTokens, GenAi.Usage.CacheReadInputTokensUnderscore, OpenInference.TokenCountCacheRead, GenAi.Usage.PromptCachedTokens));
        row.CacheWriteTokens = Count(a.FirstInt64(
            GenAi.Usage.CacheWriteInputTokens, GenAi.Usage.CacheCreationInputTokens, GenAi.Usage.CacheCreationInputTokensUnderscore,
            OpenInference.TokenCountCacheWrite, GenAi.Usage.PromptCacheCreationTokens));
        row.ReasoningTokens = Count(a.FirstInt64(
            GenAi.Usage.ReasoningOutputTokens, GenAi.Usage.ReasoningTokens, Traceloop.UsageReasoningTokens, OpenInference.TokenCountReasoning,
            GenAi.Usage.CompletionReasoningTokens));
        row.TotalTokens = Count(a.FirstInt64(GenAi.Usage.TotalTokens, Traceloop.UsageTotalTokens, OpenInference.TokenCountTotal, OpenLit.TokenUsageAsTotal));

        row.Temperature = SingleWidened(a.GetDouble(GenAi.Request.Temperature));
        row.TopP = SingleWidened(a.GetDouble(GenAi.Request.TopP));
        var maxTokens = a.GetInt64(GenAi.Request.MaxTokens);
        row.MaxTokens = maxTokens is > 0 ? (ulong)maxTokens.Value : null;
        row.Streaming = a.FirstBool(GenAi.Request.Stream, Traceloop.IsStreaming, Traceloop.GenAiIsStreaming) ?? false;
        var ttftSeconds = a.FirstDouble(GenAi.Response.TimeToFirstChunk, OpenLit.TimeToFirstToken);
        row.TimeToFirstTokenMs = ttftSeconds is >= 0 ? ttftSeconds * 1000 : null;

        var finish = a.GetStringList(GenAi.Response.FinishReasons);
        if (finish is null)
        {
            var single = a.FirstString(OpenInference.FinishReason, Traceloop.ResponseFinishReason, GenAi.Response.FinishReason);
            finish = single is null ? null : [single];
        }

        if (finish is not null)
        {
            SetFinishReasons(row, finish);
        }

        row.ResponseId = a.GetString(GenAi.Response.Id) ?? string.Empty;
        row.ConversationId = a.FirstString(GenAi.ConversationId, Otel.SessionId, Traceloop.AssociationSessionId, OpenLit.SessionId) ?? string.Empty;
        row.UserId = a.FirstString(
            Otel.UserId, Otel.EndUserId, Traceloop.AssociationUserId, OpenLit.UserId, GenAi.Request.User, Traceloop.User, Traceloop.GenAiUser)
            ?? string.Empty;
        row.Workload = a.GetString(OtelLlmNames.Workload) ?? string.Empty;
        row.AgentName = a.FirstString(GenAi.Agent.Name, OpenInference.AgentName) ?? string.Empty;
        row.ServerAddress = a.GetString(Otel.ServerAddress) ?? string.Empty;

        FillStatus(span, a, row);
    }

    /// <summary>Sets normalized finish reasons, keeping the raw list in an attribute when normalization changed it.</summary>
    public static void SetFinishReasons(LlmCallRow row, List<string> raw)
    {
        row.FinishReasons.Clear();
        var changed = false;
        foreach (var reason in raw)
        {
            var normalized = FinishReasons.Normalize(reason);
            changed |= !string.Equals(normalized, reason, StringComparison.Ordinal);
            row.FinishReasons.Add(normalized);
        }

        if (changed)
        {
            row.Attributes.Add(OtelLlmNames.RawFinishReasons, string.Join(",", raw));
        }
    }

    private static void FillStatus(Span span, AttributeMap a, LlmCallRow row)
    {
        row.StatusCode = span.Status?.Code switch
        {
            Status.Types.StatusCode.Ok => "Ok",
            Status.Types.StatusCode.Error => "Error",
            _ => "Unset",
        };
        row.StatusMessage = span.Status?.Message ?? string.Empty;
        row.ErrorType = a.GetString(Otel.ErrorType) ?? string.Empty;

        foreach (var e in span.Events)
        {
            if (e.Name != Otel.ExceptionEvent)
            {
                continue;
            }

            var ea = new AttributeMap(e.Attributes);
            if (row.ErrorType.Length == 0)
            {
                row.ErrorType = ea.GetString(Otel.ExceptionType) ?? string.Empty;
            }

            if (row.StatusMessage.Length == 0)
            {
                row.StatusMessage = ea.GetString(Otel.ExceptionMessage) ?? string.Empty;
            }

            break;
        }
    }

    /// <summary>A token count: negative or absent counts are zero.</summary>
    public static ulong Count(long? value) => value is > 0 ? (ulong)value.Value : 0;

    /// <summary>
    /// .NET instrumentations tag <c>float</c> parameters that exporters widen to double (0.7f arrives as
    /// 0.699999988079071); values exactly representable as a float are shown with float precision instead.
    /// </summary>
    public static double? SingleWidened(double? value)
    {
        if (value is not { } d)
        {
            return null;
        }

        var f = (float)d;
        if ((double)f != d)
        {
            return d;
        }

        // The shortest text that round-trips the float, read back as a double: formatted on the stack, not as a string.
        Span<char> text = stackalloc char[32];
        f.TryFormat(text, out var written, "R", CultureInfo.InvariantCulture);
        return double.Parse(text[..written], CultureInfo.InvariantCulture);
    }
}
