using System.Globalization;
using OtelLlm.Semantics.Pricing;

namespace OtelLlm.Semantics.Energy;

/// <summary>
/// The estimated electricity of one model per 1,000 tokens, at the data centre's meter (accelerators, their servers
/// and the building's overhead), and the arithmetic that turns a call's token usage into watt-hours.
/// </summary>
/// <remarks>
/// Uncached input tokens (cache writes included: they are computed like any prompt token) cost
/// <see cref="InputWhPer1k"/>, cache reads <see cref="CacheReadWhPer1k"/> (their prefill is skipped), output tokens
/// (reasoning included) <see cref="OutputWhPer1k"/>. The factors are linear in tokens: see <c>docs/energy.md</c> for where
/// they come from and what they leave out.
/// </remarks>
public sealed class EnergyFactors
{
    internal EnergyFactors(string provider, string model, string? family, string source, double inputWhPer1k, double cacheReadWhPer1k, double outputWhPer1k)
    {
        Provider = provider;
        Model = model;
        Family = family;
        Source = source;
        InputWhPer1k = inputWhPer1k;
        CacheReadWhPer1k = cacheReadWhPer1k;
        OutputWhPer1k = outputWhPer1k;
    }

    /// <summary>Gets the list the factors come from (a <c>gen_ai.provider.name</c> value or the file's own id).</summary>
    public string Provider { get; }

    /// <summary>Gets the id of the file's entry that matched the model.</summary>
    public string Model { get; }

    /// <summary>Gets the family the entry takes its factors from (<c>large</c>, <c>medium</c>…), or <see langword="null"/> when it gives its own.</summary>
    public string? Family { get; }

    /// <summary>Gets where the factors come from: the file's source and version, or the override file.</summary>
    public string Source { get; }

    /// <summary>Gets the watt-hours of 1,000 uncached input tokens.</summary>
    public double InputWhPer1k { get; }

    /// <summary>Gets the watt-hours of 1,000 input tokens read from the provider's prompt cache.</summary>
    public double CacheReadWhPer1k { get; }

    /// <summary>Gets the watt-hours of 1,000 output tokens, reasoning tokens included.</summary>
    public double OutputWhPer1k { get; }

    /// <summary>Estimates the energy of a call in watt-hours.</summary>
    /// <param name="usage">Token counts; input includes cached tokens and output includes reasoning tokens.</param>
    /// <returns>Watt-hours, never negative.</returns>
    public double GetEnergyWh(in TokenUsage usage)
    {
        var input = Math.Max(0, usage.InputTokens);
        var cacheRead = Math.Min(input, Math.Max(0, usage.CacheReadTokens));
        var output = Math.Max(0, usage.OutputTokens);
        return ((input - cacheRead) * InputWhPer1k + cacheRead * CacheReadWhPer1k + output * OutputWhPer1k) / 1000d;
    }

    /// <inheritdoc/>
    public override string ToString() =>
        string.Create(CultureInfo.InvariantCulture, $"{Provider}/{Model}{(Family is null ? string.Empty : " (" + Family + ")")}: {InputWhPer1k} / {CacheReadWhPer1k} / {OutputWhPer1k} Wh per 1k input / cache-read / output tokens ({Source})");
}
