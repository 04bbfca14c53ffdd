using System.Globalization;
using OpenTelemetry.Proto.Trace.V1;
using OtelLlm.Receiver.Decoding;
using OtelLlm.Storage.Rows;

namespace OtelLlm.Receiver.Normalization;

/// <summary>
/// The one attribute-reading path: identity and timing from the span, and each value column from the sources a
/// dialect's <see cref="ColumnSources"/> names, in priority order (first present wins). Dialects then add what only
/// they carry (indexed content, invocation parameters, ...).
/// </summary>
internal static class CommonColumns
{
    /// <summary>Fills identity, timing and every value column from the span through the dialect's column map.</summary>
    public static void Fill(SpanInput input, LlmCallRow row, ColumnSources sources)
    {
        var span = input.Span;
        var a = input.Attributes;
        var r = input.ResourceAttributes;

        row.StartTimeUnixNano = span.StartTimeUnixNano;
        row.Duration = span.EndTimeUnixNano > span.StartTimeUnixNano ? span.EndTimeUnixNano - span.StartTimeUnixNano : 0;
        row.TraceId = OtlpIds.Hex(span.TraceId);
        row.SpanId = OtlpIds.Hex(span.SpanId);
        row.ParentSpanId = OtlpIds.Hex(span.ParentSpanId);

        row.ServiceName = r.GetString(Otel.ServiceName) ?? a.FirstString(sources.ServiceName) ?? string.Empty;
        row.Environment = r.FirstString(sources.Environment) ?? a.FirstString(sources.EnvironmentOnSpan) ?? string.Empty;

        if (a.FirstString(sources.Provider) is { } rawProvider)
        {
            SetProvider(row, rawProvider);
        }

        row.RequestModel = a.FirstString(sources.RequestModel) ?? string.Empty;
        row.ResponseModel = a.FirstString(sources.ResponseModel) ?? string.Empty;

        row.InputTokens = Count(a.FirstInt64(sources.InputTokens));
        row.OutputTokens = Count(a.FirstInt64(sources.OutputTokens));
        row.CacheReadTokens = Count(a.FirstInt64(sources.CacheReadTokens));
        row.CacheWriteTokens = Count(a.FirstInt64(sources.CacheWriteTokens));
        row.ReasoningTokens = Count(a.FirstInt64(sources.ReasoningTokens));
        row.TotalTokens = Count(a.FirstInt64(sources.TotalTokens));

        row.Temperature = SingleWidened(a.FirstDouble(sources.Temperature));
        row.TopP = SingleWidened(a.FirstDouble(sources.TopP));
        var maxTokens = a.FirstInt64(sources.MaxTokens);
        row.MaxTokens = maxTokens is > 0 ? (ulong)maxTokens.Value : null;
        row.Streaming = a.FirstBool(sources.Streaming) ?? false;
        var ttftSeconds = a.FirstDouble(sources.TimeToFirstChunkSeconds);
        row.TimeToFirstTokenMs = ttftSeconds is >= 0 ? ttftSeconds * 1000 : null;

        var finish = a.FirstStringList(sources.FinishReasons);
        if (finish is null)
        {
            var single = a.FirstString(sources.FinishReason);
            finish = single is null ? null : [single];
        }

        if (finish is not null)
        {
            SetFinishReasons(row, finish);
        }

        row.ResponseId = a.FirstString(sources.ResponseId) ?? string.Empty;
        row.ConversationId = a.FirstString(sources.ConversationId) ?? string.Empty;
        row.UserId = a.FirstString(sources.UserId) ?? string.Empty;
        row.Workload = a.FirstString(sources.Workload) ?? string.Empty;
        row.AgentName = a.FirstString(sources.AgentName) ?? string.Empty;
        row.ServerAddress = a.FirstString(sources.ServerAddress) ?? string.Empty;

        FillStatus(span, a.FirstString(sources.ErrorType), row);
    }

    /// <summary>Sets the canonical provider name, keeping the reported one in an attribute when it differs.</summary>
    public static void SetProvider(LlmCallRow row, string rawProvider)
    {
        row.Provider = ProviderNames.Normalize(rawProvider) ?? string.Empty;
        if (!string.Equals(rawProvider, row.Provider, StringComparison.Ordinal))
        {
            row.Attributes.Add(OtelLlmNames.RawProvider, rawProvider);
        }
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

    private static void FillStatus(Span span, string? errorType, LlmCallRow row)
    {
        row.StatusCode = span.Status?.Code switch
        {
            Status.Types.StatusCode.Ok => "Ok",
            Status.Types.StatusCode.Error => "Error",
            _ => "Unset",
        };
        row.StatusMessage = span.Status?.Message ?? string.Empty;
        row.ErrorType = errorType ?? string.Empty;

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
