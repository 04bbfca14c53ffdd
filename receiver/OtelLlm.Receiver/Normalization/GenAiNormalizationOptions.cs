namespace OtelLlm.Receiver.Normalization;

/// <summary>
/// Settings of GenAI normalization, bound from the <c>OtelLlm:Receiver:Normalization</c> configuration section
/// (environment variables <c>OtelLlm__Receiver__Normalization__&lt;Name&gt;</c>).
/// </summary>
public sealed class GenAiNormalizationOptions
{
    /// <summary>The configuration section these options bind from.</summary>
    public const string SectionName = "OtelLlm:Receiver:Normalization";

    /// <summary>
    /// How long content arriving in log records (semconv ≤1.36 events, OTel JS) can still join its span's
    /// <c>llm_calls</c> row, counted from when the first of the two arrived. Default 30 s. Content that misses the
    /// window stays in <c>otel_logs</c>.
    /// </summary>
    public int ContentJoinWindowSeconds { get; set; } = 30;

    /// <summary>
    /// Most calls remembered for the join at once (spans waiting for content plus content waiting for its span).
    /// Over it the oldest is dropped and <c>otel_llm.receiver.content_join.evicted</c> counts it. Default 20,000.
    /// </summary>
    public int ContentJoinMaxEntries { get; set; } = 20_000;

    /// <summary>
    /// Largest content column (input/output messages, system instructions, tool definitions) and attribute value
    /// kept, in characters; longer values are cut and end with a visible truncation marker. Default 1 Mi (1,048,576).
    /// </summary>
    public int MaxContentChars { get; set; } = 1024 * 1024;

    /// <summary>
    /// Optional path of a JSON file in the <c>pricing/model-prices.json</c> format whose prices replace or extend
    /// the built-in price table. Default empty (built-in prices only).
    /// </summary>
    public string PriceTablePath { get; set; } = string.Empty;

    /// <summary>
    /// Optional path of a JSON file in the <c>pricing/energy-factors.json</c> format whose factors replace or extend the
    /// built-in energy factors (docs/energy.md). Default empty (built-in factors only).
    /// </summary>
    public string EnergyFactorsPath { get; set; } = string.Empty;

    /// <summary>
    /// Carbon intensity of the electricity the models run on, in grams of CO₂-equivalent per kWh, for <c>Co2eGrams</c>.
    /// Default 436, the world average of electricity generation (Ember, 2022).
    /// </summary>
    public double GridCarbonIntensity { get; set; } = OtelLlm.Semantics.Energy.GridIntensity.WorldAverageGramsPerKwh;
}
