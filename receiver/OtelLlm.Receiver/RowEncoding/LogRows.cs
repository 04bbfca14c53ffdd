using System.Globalization;
using OpenTelemetry.Proto.Collector.Logs.V1;
using OpenTelemetry.Proto.Logs.V1;
using OtelLlm.Receiver.Configuration;
using OtelLlm.Receiver.Decoding;
using OtelLlm.Receiver.Normalization;
using OtelLlm.Receiver.Pipeline;
using OtelLlm.Storage.Rows;

namespace OtelLlm.Receiver.RowEncoding;

/// <summary>
/// Log records into <c>otel_logs</c> rows; GenAI content events among them may complete a model call's
/// <c>llm_calls</c> row (the normalizer's content join), which is written in the same request.
/// </summary>
internal sealed class LogRows(IGenAiNormalizer? normalizer, int maxValueBytes)
{
    private static readonly Resource s_emptyResource = new();
    private static readonly InstrumentationScope s_emptyScope = new();

    public LogRows(IGenAiNormalizer normalizer, IOptions<ReceiverOptions> options)
        : this(normalizer, options.Value.MaxAttributeValueBytes)
    {
    }

    public EncodedCounts Encode(string project, ExportLogsServiceRequest request, EncodedRequest output)
    {
        long total = 0, rejected = 0;
        string? error = null;
        var row = new LogRow { Project = project };
        List<LlmCallRow>? calls = null;
        foreach (var rl in request.ResourceLogs)
        {
            var resource = rl.Resource ?? s_emptyResource;
            row.ResourceAttributes = AnyValueText.Flatten(resource.Attributes, maxValueBytes);
            row.ServiceName = RowValues.ServiceName(resource);
            row.ResourceSchemaUrl = rl.SchemaUrl;
            foreach (var sl in rl.ScopeLogs)
            {
                var scope = sl.Scope ?? s_emptyScope;
                row.ScopeName = scope.Name;
                row.ScopeVersion = scope.Version;
                row.ScopeSchemaUrl = sl.SchemaUrl;
                row.ScopeAttributes = AnyValueText.Flatten(scope.Attributes, maxValueBytes);
                foreach (var log in sl.LogRecords)
                {
                    total++;
                    if ((log.TraceId.Length != 0 && log.TraceId.Length != 16) || (log.SpanId.Length != 0 && log.SpanId.Length != 8))
                    {
                        rejected++;
                        error ??= string.Create(
                            CultureInfo.InvariantCulture,
                            $"a log record has a trace id of {log.TraceId.Length} bytes and span id of {log.SpanId.Length} bytes; they must be empty or 16 and 8");
                        continue;
                    }

                    FillLog(row, log);
                    row.Write(output.Writer(TableId.Logs));
                    output.RowWritten(TableId.Logs);
                    if (normalizer is null)
                    {
                        continue;
                    }

                    calls ??= [];
                    calls.Clear();
                    normalizer.ObserveLog(project, resource, scope, log, calls);
                    foreach (var call in calls)
                    {
                        call.Write(output.Writer(TableId.LlmCalls));
                        output.RowWritten(TableId.LlmCalls);
                    }
                }
            }
        }

        return new EncodedCounts(total, rejected, error ?? string.Empty);
    }

    private void FillLog(LogRow row, LogRecord log)
    {
        row.TimeUnixNano = log.TimeUnixNano;
        row.ObservedTimeUnixNano = log.ObservedTimeUnixNano;
        row.TraceId = OtlpIds.Hex(log.TraceId);
        row.SpanId = OtlpIds.Hex(log.SpanId);
        row.TraceFlags = log.Flags;
        row.SeverityText = log.SeverityText;
        row.SeverityNumber = (int)log.SeverityNumber;
        row.Body = AnyValueText.ToText(log.Body);
        row.LogAttributes = AnyValueText.Flatten(log.Attributes, maxValueBytes);
        row.EventName = log.EventName.Length > 0 ? log.EventName : row.LogAttributes.Get(OtelNames.Log.EventName) ?? string.Empty;
        row.DroppedAttributesCount = log.DroppedAttributesCount;
        row.RecordHash = RecordHash(row);
    }

    /// <summary>A log record's identity (time, trace, span, body, event name, attributes), so a re-sent record collapses into one row.</summary>
    public static ulong RecordHash(LogRow row)
    {
        var hash = new StableHash();
        hash.Add(row.EffectiveTimeUnixNano);
        hash.Add(row.TraceId);
        hash.Add(row.SpanId);
        hash.Add(row.Body);
        hash.Add(row.EventName);
        RowValues.AddToHash(ref hash, row.LogAttributes);
        return hash.Value;
    }
}
