using OpenTelemetry.Proto.Logs.V1;
using OpenTelemetry.Proto.Trace.V1;
using OtelLlm.Storage.Rows;

namespace OtelLlm.Receiver.Normalization;

/// <summary>
/// Turns GenAI telemetry of any dialect into <c>llm_calls</c> rows. The pipeline calls it for every span and
/// log record it stores and writes what it returns in the same batch, so a client's ack covers those rows too.
/// </summary>
/// <remarks>Called concurrently from many requests: implementations must be thread-safe.</remarks>
internal interface IGenAiNormalizer
{
    /// <summary>Returns the <c>llm_calls</c> row for a model call, or <see langword="null"/> when the span is not one.</summary>
    LlmCallRow? NormalizeSpan(string project, Resource resource, InstrumentationScope scope, Span span);

    /// <summary>Appends to <paramref name="output"/> any <c>llm_calls</c> rows (revisions with content) to write now.</summary>
    void ObserveLog(string project, Resource resource, InstrumentationScope scope, LogRecord log, List<LlmCallRow> output);
}
