using System.Globalization;

namespace OtelLlm.Semantics.Pricing;

/// <summary>The prices of one model in force over one period, in US dollars, and the arithmetic that turns usage into cost.</summary>
/// <remarks>
/// Each token is priced once, at the most specific unit the model has a price for: uncached input, cache reads,
/// cache writes (5-minute and 1-hour), audio and image input, output, reasoning, audio and image output. A tiered
/// price (for example above 200,000 prompt tokens) applies to the whole call when its prompt, all input tokens with
/// cache reads and writes, is larger than the tier's start.
/// </remarks>
public sealed class ModelPrice
{
    private readonly Price?[] _prices;

    // Priced units, most specific first, and for each the priced units it contains.
    private readonly PriceUnit[] _order;
    private readonly int[][] _parts;

    internal ModelPrice(string provider, string model, string? name, string source, Price?[] prices)
    {
        Provider = provider;
        Model = model;
        Name = name;
        Source = source;
        _prices = prices;
        var priced = new List<PriceUnit>();
        foreach (var unit in PriceUnit.All)
        {
            if (prices[unit.Index] is not null)
            {
                priced.Add(unit);
            }
        }

        _order = [.. priced.OrderByDescending(u => u.Specificity).ThenBy(u => u.Index)];
        _parts = new int[PriceUnit.All.Length][];
        foreach (var unit in PriceUnit.All)
        {
            _parts[unit.Index] = [.. priced.Where(unit.Contains).Select(p => p.Index)];
        }
    }

    /// <summary>Gets the price list the price comes from (a <c>gen_ai.provider.name</c> value, or the data's own id for providers the conventions do not name).</summary>
    public string Provider { get; }

    /// <summary>Gets the model's id in the price data.</summary>
    public string Model { get; }

    /// <summary>Gets the model's display name, when the data has one.</summary>
    public string? Name { get; }

    /// <summary>Gets where the price comes from: the price data's source and version, or the override file.</summary>
    public string Source { get; }

    /// <summary>Gets the base price of a million uncached input tokens, or <see langword="null"/> when the model has no input price.</summary>
    public double? InputPerMillion => _prices[0]?.Base;

    /// <summary>Gets the base price of a million output tokens, or <see langword="null"/> when the model has no output price.</summary>
    public double? OutputPerMillion => _prices[7]?.Base;

    /// <summary>Computes the cost in US dollars of a call with the given token usage.</summary>
    /// <param name="usage">Token counts; input includes cached tokens and output includes reasoning tokens.</param>
    /// <returns>The cost in US dollars, never negative.</returns>
    public double GetCostUsd(in TokenUsage usage)
    {
        Span<double> leaves = stackalloc double[PriceUnit.All.Length];
        var prompt = Math.Max(0, usage.InputTokens);
        var cost = 0d;
        foreach (var unit in _order)
        {
            // What this unit counts, less the parts a more specific priced unit already billed.
            double leaf = Math.Max(0, unit.Usage(usage));
            foreach (var part in _parts[unit.Index])
            {
                leaf -= leaves[part];
            }

            leaf = Math.Max(0, leaf);
            leaves[unit.Index] = leaf;
            cost += leaf * _prices[unit.Index]!.Value.At(prompt) / unit.Per;
        }

        return cost;
    }

    /// <inheritdoc/>
    public override string ToString() => string.Create(CultureInfo.InvariantCulture, $"{Provider}/{Model} ({Source})");

    /// <summary>One unit's price: a base, and optionally higher or lower prices above prompt-size thresholds.</summary>
    internal readonly record struct Price(double Base, Tier[]? Tiers)
    {
        public double At(long prompt)
        {
            var price = Base;
            if (Tiers is not null)
            {
                foreach (var tier in Tiers)
                {
                    if (prompt > tier.Start)
                    {
                        price = tier.Price;
                    }
                }
            }

            return price;
        }
    }

    /// <summary>A price that applies when the prompt has more than <see cref="Start"/> tokens.</summary>
    internal readonly record struct Tier(long Start, double Price);
}
