namespace OtelLlm.Semantics.Energy;

/// <summary>Carbon intensity of electricity: grams of CO₂-equivalent per kilowatt-hour, and the arithmetic from watt-hours to grams.</summary>
public static class GridIntensity
{
    /// <summary>
    /// The world average of electricity generation, 436 g CO₂e/kWh (Ember, Global Electricity Review 2023, for 2022;
    /// life-cycle emissions). The default until a deployment names its own grid or its provider's published figure.
    /// </summary>
    public const double WorldAverageGramsPerKwh = 436;

    /// <summary>The grams of CO₂-equivalent of <paramref name="energyWh"/> watt-hours on a grid of <paramref name="gramsPerKwh"/>.</summary>
    /// <param name="energyWh">Energy in watt-hours.</param>
    /// <param name="gramsPerKwh">The grid's carbon intensity in g CO₂e per kWh.</param>
    /// <returns>Grams of CO₂e.</returns>
    public static double Co2eGrams(double energyWh, double gramsPerKwh) => energyWh * gramsPerKwh / 1000d;
}
