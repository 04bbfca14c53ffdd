using System.Diagnostics.Metrics;
using OpenTelemetry.Proto.Logs.V1;
using OpenTelemetry.Proto.Trace.V1;
using OtelLlm.Receiver.Decoding;
using OtelLlm.Receiver.Diagnostics;
using OtelLlm.Receiver.Normalization.Dialects;
using OtelLlm.Semantics.Pricing;
using OtelLlm.Storage.Rows;

namespace OtelLlm.Receiver.Normalization;

/// <summary>
/// Turns spans of every GenAI dialect into one <c>llm_calls</c> row per model call, and joins content that
/// arrives in log records. Steps: detect the dialect (<see cref="GenAiDialects"/>), skip its wrappers, let it fill
/// the columns and content (<see cref="IGenAiDialect.Fill"/>), infer a provider nothing named from the model, add
/// content from span events, derive totals, price the call (<see cref="CostCalculator"/>), keep the attributes the
/// dialect did not map, cap content, and hand the row to the join when the dialect's content may still come in logs.
/// </summary>
internal sealed partial class GenAiNormalizer : IGenAiNormalizer, IDisposable
{
    private readonly GenAiNormalizationOptions _options;
    private readonly NormalizationMetrics _metrics;
    private readonly CostCalculator _cost;
    private readonly EnergyCalculator _energy;
    private readonly ILogger _logger;
    private long _logSequence;

    public GenAiNormalizer(IOptions<GenAiNormalizationOptions> options, IMeterFactory meterFactory, ILogger<GenAiNormalizer> logger)
        : this(options.Value, meterFactory, logger, TimeProvider.System, LoadPrices(options.Value))
    {
    }

    internal GenAiNormalizer(GenAiNormalizationOptions options, IMeterFactory meterFactory, ILogger logger, TimeProvider time, ModelPriceTable prices, EnergyCalculator? energy = null)
    {
        _options = options;
        _logger = logger;
        _metrics = new NormalizationMetrics(meterFactory);
        _cost = new CostCalculator(prices, _metrics);
        _energy = energy ?? EnergyCalculator.Create(options);
        Join = new ContentJoin(TimeSpan.FromSeconds(Math.Max(0, options.ContentJoinWindowSeconds)), options.ContentJoinMaxEntries, options.MaxContentChars, time, _metrics);
    }

    internal ContentJoin Join { get; }

    /// <summary>The built-in price table, with the entries of <see cref="GenAiNormalizationOptions.PriceTablePath"/> winning.</summary>
    public static ModelPriceTable LoadPrices(GenAiNormalizationOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        return string.IsNullOrWhiteSpace(options.PriceTablePath)
            ? ModelPriceTable.Default
            : ModelPriceTable.Default.WithOverrides(ModelPriceTable.Load(options.PriceTablePath));
    }

    public LlmCallRow? NormalizeSpan(string project, Resource resource, InstrumentationScope scope, Span span)
    {
        if (!GenAiDialects.MayBeGenAi(span))
        {
            return null;
        }

        try
        {
            return Normalize(project, resource ?? new Resource(), scope ?? new InstrumentationScope(), span);
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            // Hostile or unforeseen input must not fail the request: the span is still stored in otel_traces.
            LogNormalizeFailed(_logger, OtlpIds.Hex(span.TraceId), OtlpIds.Hex(span.SpanId), e.GetType().FullName ?? "?");
            return null;
        }
    }

    public void ObserveLog(string project, Resource resource, InstrumentationScope scope, LogRecord log, List<LlmCallRow> output)
    {
        ArgumentNullException.ThrowIfNull(log);
        ArgumentNullException.ThrowIfNull(output);
        if (log.TraceId.IsEmpty || log.SpanId.IsEmpty)
        {
            return;
        }

        var name = ContentEvents.EventNameOf(log.EventName, log.Attributes);
        if (!ContentEvents.IsContentEvent(name))
        {
            return;
        }

        try
        {
            var items = new List<ContentItem>(2);
            var time = log.TimeUnixNano != 0 ? log.TimeUnixNano : log.ObservedTimeUnixNano;
            ContentEvents.Convert(name!, log.Body, new AttributeMap(log.Attributes), time, Interlocked.Increment(ref _logSequence), items);
            if (items.Count == 0)
            {
                return;
            }

            var before = output.Count;
            Join.LogArrived(project, OtlpIds.Hex(log.TraceId), OtlpIds.Hex(log.SpanId), items, output);
            for (var i = before; i < output.Count; i++)
            {
                _metrics.LlmCalls.Add(1, new KeyValuePair<string, object?>("source_format", output[i].SourceFormat), new KeyValuePair<string, object?>("kind", "revision"));
            }
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            LogJoinFailed(_logger, OtlpIds.Hex(log.TraceId), OtlpIds.Hex(log.SpanId), e.GetType().FullName ?? "?");
        }
    }

    private LlmCallRow? Normalize(string project, Resource resource, InstrumentationScope scope, Span span)
    {
        var input = new SpanInput(resource, scope, span);
        if (GenAiDialects.Detect(input) is not { } dialect)
        {
            return null;
        }

        var operation = dialect.Operation(input);
        if (!dialect.IsModelCall(input, operation))
        {
            return null;
        }

        var row = new LlmCallRow
        {
            Project = project,
            Operation = operation,
            SourceFormat = dialect.SourceFormat,
            Attributes = new StoredKeyValueList(8),
        };
        dialect.Fill(input, row);
        _cost.InferProvider(row);
        SpanContent.FromSpanEvents(input)?.ApplyTo(row, int.MaxValue);
        DeriveTokens(row);
        _cost.Apply(input.Attributes, row);
        _energy.Apply(input.Attributes, row);
        CopyRemainingAttributes(input.Attributes, dialect, row);
        CapContent(row);

        if (dialect.ExpectsLogContent(input))
        {
            Join.SpanArrived(row, row.InputMessages.Length == 0 || row.OutputMessages.Length == 0);
        }

        _metrics.LlmCalls.Add(1, new KeyValuePair<string, object?>("source_format", row.SourceFormat), new KeyValuePair<string, object?>("kind", "span"));
        return row;
    }

    /// <summary>
    /// Input tokens include cached tokens (semconv). Some dialects count the cache apart from input, as Anthropic's own
    /// usage does; <see cref="CostCalculator.CountCacheInsideInput"/> decides and adds them. A missing total is input + output.
    /// </summary>
    internal static void DeriveTokens(LlmCallRow row)
    {
        CostCalculator.CountCacheInsideInput(row);
        if (row.TotalTokens == 0)
        {
            row.TotalTokens = row.InputTokens + row.OutputTokens;
        }
    }

    private void CopyRemainingAttributes(AttributeMap attributes, IGenAiDialect dialect, LlmCallRow row)
    {
        foreach (var kv in attributes.Source)
        {
            if (dialect.IsMapped(kv.Key))
            {
                continue;
            }

            row.Attributes.Add(kv.Key, ContentLimits.Cap(AnyValueText.ToText(kv.Value), _options.MaxContentChars, row, kv.Key));
        }
    }

    private void CapContent(LlmCallRow row)
    {
        var max = _options.MaxContentChars;
        row.InputMessages = ContentLimits.Cap(row.InputMessages, max, row, nameof(LlmCallRow.InputMessages));
        row.OutputMessages = ContentLimits.Cap(row.OutputMessages, max, row, nameof(LlmCallRow.OutputMessages));
        row.SystemInstructions = ContentLimits.Cap(row.SystemInstructions, max, row, nameof(LlmCallRow.SystemInstructions));
        row.ToolDefinitions = ContentLimits.Cap(row.ToolDefinitions, max, row, nameof(LlmCallRow.ToolDefinitions));
        row.StatusMessage = ContentLimits.Cap(row.StatusMessage, max, row, nameof(LlmCallRow.StatusMessage));
    }

    public void Dispose() => _metrics.Dispose();

    [LoggerMessage(EventId = ReceiverEventIds.NormalizeFailed, Level = LogLevel.Warning, Message = "GenAI normalization skipped span {TraceId}/{SpanId}: {ErrorType}")]
    private static partial void LogNormalizeFailed(ILogger logger, string traceId, string spanId, string errorType);

    [LoggerMessage(EventId = ReceiverEventIds.ContentJoinFailed, Level = LogLevel.Warning, Message = "GenAI content join skipped a log record of {TraceId}/{SpanId}: {ErrorType}")]
    private static partial void LogJoinFailed(ILogger logger, string traceId, string spanId, string errorType);
}
