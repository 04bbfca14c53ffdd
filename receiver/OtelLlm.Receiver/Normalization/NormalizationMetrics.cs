using System.Diagnostics.Metrics;

namespace OtelLlm.Receiver.Normalization;

/// <summary>The normalizer's self-metrics.</summary>
internal sealed class NormalizationMetrics : IDisposable
{
    public const string MeterName = "OtelLlm.Receiver.Normalization";

    private readonly Meter _meter;

    public NormalizationMetrics(IMeterFactory meterFactory)
    {
        ArgumentNullException.ThrowIfNull(meterFactory);
        _meter = meterFactory.Create(MeterName);
        UnknownModelPrice = _meter.CreateCounter<long>(
            "otel_llm.receiver.unknown_model_price", "{call}", "Model calls whose model is not in the price table (CostUsd left NULL), by model.");
        ContentJoinEvicted = _meter.CreateCounter<long>(
            "otel_llm.receiver.content_join.evicted", "{entry}", "Calls dropped from the log-to-span content join because it was full.");
        LlmCalls = _meter.CreateCounter<long>(
            "otel_llm.receiver.llm_calls", "{row}", "llm_calls rows produced, by source format and revision kind.");
    }

    public Counter<long> UnknownModelPrice { get; }

    public Counter<long> ContentJoinEvicted { get; }

    public Counter<long> LlmCalls { get; }

    public void Dispose() => _meter.Dispose();
}
