using OpenTelemetry.Proto.Common.V1;
using OpenTelemetry.Proto.Logs.V1;
using OpenTelemetry.Proto.Resource.V1;
using OpenTelemetry.Proto.Trace.V1;
using OtelLlm.Storage.Rows;

namespace OtelLlm.Receiver.Normalization;

/// <summary>The default normalizer until a real one is registered: recognises nothing.</summary>
internal sealed class NullGenAiNormalizer : IGenAiNormalizer
{
    public LlmCallRow? NormalizeSpan(string project, Resource resource, InstrumentationScope scope, Span span) => null;

    public void ObserveLog(string project, Resource resource, InstrumentationScope scope, LogRecord log, List<LlmCallRow> output)
    {
    }
}
