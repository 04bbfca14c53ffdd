using OtelLlm.Semantics.Energy;
using OtelLlm.Storage.Rows;

namespace OtelLlm.Receiver.Normalization;

/// <summary>
/// Fills <c>EnergyWh</c>, <c>Co2eGrams</c> and <c>EnergySource</c> (docs/energy.md). Energy the span or the application gives
/// wins (<c>span</c>); otherwise the energy factors estimate it from the row's tokens, response model first
/// (<c>energy_factors</c>); a model without factors leaves all three empty. CO₂e is the energy on the configured grid.
/// Runs after the tokens have one meaning (<see cref="CostCalculator.CountCacheInsideInput"/>).
/// </summary>
internal sealed class EnergyCalculator(EnergyFactorTable factors, double gridGramsPerKwh)
{
    /// <summary>Span attributes that carry the call's energy in watt-hours.</summary>
    public static readonly string[] SpanEnergyAttributes = [OtelLlmNames.EnergyWh];

    /// <summary>The calculator the settings describe: the built-in factors with <see cref="GenAiNormalizationOptions.EnergyFactorsPath"/> winning.</summary>
    public static EnergyCalculator Create(GenAiNormalizationOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var table = string.IsNullOrWhiteSpace(options.EnergyFactorsPath)
            ? EnergyFactorTable.Default
            : EnergyFactorTable.Default.WithOverrides(EnergyFactorTable.Load(options.EnergyFactorsPath));
        return new EnergyCalculator(table, options.GridCarbonIntensity);
    }

    public void Apply(AttributeMap a, LlmCallRow row) => Apply(a.FirstDouble(SpanEnergyAttributes), row);

    /// <summary>Fills the row's energy from <paramref name="given"/> watt-hours when it is a number ≥ 0, else from the factors.</summary>
    public void Apply(double? given, LlmCallRow row)
    {
        if (given is { } wh && wh >= 0 && double.IsFinite(wh))
        {
            row.EnergyWh = wh;
            row.EnergySource = EnergySources.Span;
        }
        else if (factors.EstimateCall(row.Provider, row.ResponseModel, row.RequestModel, CostCalculator.Usage(row), out _) is { } estimate)
        {
            row.EnergyWh = estimate;
            row.EnergySource = EnergySources.Factors;
        }
        else
        {
            return;
        }

        row.Co2eGrams = GridIntensity.Co2eGrams(row.EnergyWh.Value, gridGramsPerKwh);
    }
}
