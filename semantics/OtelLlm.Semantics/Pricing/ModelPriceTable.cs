using System.Diagnostics.CodeAnalysis;
using System.Globalization;
using System.Text.Json;

namespace OtelLlm.Semantics.Pricing;

/// <summary>
/// Model prices, loaded from the repository's <c>pricing/model-prices.json</c> format, that turn a call's token usage
/// into a cost in US dollars as the provider bills it: cache reads and writes apart from uncached input, long-prompt
/// tiers, 1-hour cache writes, audio and image tokens where the data prices them, and the price in force at the call's time.
/// </summary>
/// <remarks>
/// How a reported model name finds its model is described on <c>ModelCatalog</c> and in <c>docs/prices.md</c>:
/// dated names, <c>vendor/model</c> prefixes, Bedrock ids with regional prefixes, Vertex paths and OpenRouter ids are
/// understood. Lookups are cached per (provider, model name), so pricing a call allocates nothing.
/// </remarks>
public sealed class ModelPriceTable
{
    private const string ResourceName = "OtelLlm.model-prices.json";

    private static readonly Lazy<ModelPriceTable> s_default = new(LoadDefault);

    private readonly ModelCatalog<PricePeriod[]> _catalog;

    private ModelPriceTable(string takenOn, string source, ModelCatalog<PricePeriod[]> catalog)
    {
        TakenOn = takenOn;
        Source = source;
        _catalog = catalog;
    }

    /// <summary>Gets the table shipped with this library (the embedded <c>pricing/model-prices.json</c>).</summary>
    public static ModelPriceTable Default => s_default.Value;

    /// <summary>Gets the date of the price data (<c>taken_on</c>, <c>YYYY-MM-DD</c>).</summary>
    public string TakenOn { get; }

    /// <summary>Gets where the prices come from (for the shipped table, the source package and its version).</summary>
    public string Source { get; }

    /// <summary>Gets the number of priced models.</summary>
    public int Count => _catalog.ModelCount;

    /// <summary>Gets the price lists' provider ids.</summary>
    public IEnumerable<string> Providers => _catalog.Providers.Select(p => p.Id);

    /// <summary>Loads a price table from a JSON file.</summary>
    /// <param name="path">Path of a file in the <c>model-prices.json</c> format.</param>
    /// <returns>The loaded table; a file without a <c>source</c> is labelled with its file name.</returns>
    /// <exception cref="FormatException">The file is not a valid price table.</exception>
    public static ModelPriceTable Load(string path)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        using var stream = File.OpenRead(path);
        return Load(stream, Path.GetFileName(path));
    }

    /// <summary>Loads a price table from UTF-8 JSON.</summary>
    /// <param name="utf8Json">A stream of JSON in the <c>model-prices.json</c> format.</param>
    /// <param name="defaultSource">The label of prices whose file names no <c>source</c>.</param>
    /// <returns>The loaded table.</returns>
    /// <exception cref="FormatException">The JSON is not a valid price table.</exception>
    public static ModelPriceTable Load(Stream utf8Json, string defaultSource = "price file")
    {
        ArgumentNullException.ThrowIfNull(utf8Json);
        using var document = CatalogFile.Parse(utf8Json, "price table");
        return PriceFile.Parse(document.RootElement, defaultSource);
    }

    /// <summary>Returns a table in which the models of <paramref name="overrides"/> win over this table's.</summary>
    /// <param name="overrides">Prices searched before this table's: in the same provider's list, and across lists.</param>
    /// <returns>A new table; this one is unchanged.</returns>
    public ModelPriceTable WithOverrides(ModelPriceTable overrides)
    {
        ArgumentNullException.ThrowIfNull(overrides);
        var takenOn = string.IsNullOrEmpty(overrides.TakenOn) ? TakenOn : overrides.TakenOn;
        return new ModelPriceTable(takenOn, $"{overrides.Source} over {Source}", _catalog.WithOverrides(overrides._catalog));
    }

    /// <summary>Finds the price of a model in force at a time.</summary>
    /// <param name="provider">A <c>gen_ai.provider.name</c> value; <see langword="null"/> or empty matches any provider.</param>
    /// <param name="model">The model name as reported by the request or response.</param>
    /// <param name="price">The price when found.</param>
    /// <param name="at">When the call was made; <see langword="null"/> is now.</param>
    /// <returns><see langword="true"/> when the model is priced.</returns>
    public bool TryGetPrice(string? provider, string model, [MaybeNullWhen(false)] out ModelPrice price, DateTimeOffset? at = null)
    {
        var found = _catalog.Resolve(provider, model);
        price = found is null ? null : PricePeriod.InForce(found.Facts, (at ?? DateTimeOffset.UtcNow).UtcDateTime);
        return price is not null;
    }

    /// <summary>Computes the cost of a call in US dollars.</summary>
    /// <param name="provider">A <c>gen_ai.provider.name</c> value; <see langword="null"/> or empty matches any provider.</param>
    /// <param name="model">The model name.</param>
    /// <param name="usage">Token counts; input includes cached tokens and output includes reasoning tokens.</param>
    /// <param name="at">When the call was made, for the price in force then; <see langword="null"/> is now.</param>
    /// <returns>The cost, or <see langword="null"/> when the model is not in the table.</returns>
    public double? GetCostUsd(string? provider, string model, in TokenUsage usage, DateTimeOffset? at = null) =>
        TryGetPrice(provider, model, out var price, at) ? price.GetCostUsd(usage) : null;

    /// <summary>
    /// Prices a call by the model that answered it: the response model first, then the request model. A request model is
    /// often a deployment or alias name (Azure OpenAI deployments, <c>-latest</c> aliases) while the response names the model billed.
    /// </summary>
    /// <param name="provider">A <c>gen_ai.provider.name</c> value; <see langword="null"/> or empty matches any provider.</param>
    /// <param name="responseModel">The response model, if any.</param>
    /// <param name="requestModel">The request model, if any.</param>
    /// <param name="usage">Token counts; input includes cached tokens and output includes reasoning tokens.</param>
    /// <param name="at">When the call was made.</param>
    /// <param name="price">The price applied, when found.</param>
    /// <returns>The cost in US dollars, or <see langword="null"/> when neither model is priced.</returns>
    public double? PriceCall(string? provider, string? responseModel, string? requestModel, in TokenUsage usage, DateTimeOffset at, out ModelPrice? price)
    {
        if ((!string.IsNullOrEmpty(responseModel) && TryGetPrice(provider, responseModel, out price, at))
            || (!string.IsNullOrEmpty(requestModel) && TryGetPrice(provider, requestModel, out price, at)))
        {
            return price.GetCostUsd(usage);
        }

        price = null;
        return null;
    }

    /// <summary>
    /// The provider a call that names none was most likely made to: the provider of the price list its model resolves to
    /// when no provider is given (the model's maker when a list's <c>model_match</c> recognizes the name, as in pricing),
    /// response model first, then request model. A call priced without a provider is priced at this provider's list.
    /// </summary>
    /// <param name="responseModel">The response model, if any.</param>
    /// <param name="requestModel">The request model, if any.</param>
    /// <param name="model">The model name the provider was found by.</param>
    /// <returns>The provider id (a <c>gen_ai.provider.name</c> value, or the data's own id), or <see langword="null"/> when neither model is known.</returns>
    public string? InferProvider(string? responseModel, string? requestModel, out string? model)
    {
        foreach (var name in (ReadOnlySpan<string?>)[responseModel, requestModel])
        {
            if (!string.IsNullOrEmpty(name) && _catalog.Resolve(null, name) is { } found)
            {
                model = name;
                return found.Provider;
            }
        }

        model = null;
        return null;
    }

    private static ModelPriceTable LoadDefault()
    {
        using var stream = typeof(ModelPriceTable).Assembly.GetManifestResourceStream(ResourceName)
            ?? throw new InvalidOperationException($"The embedded price table '{ResourceName}' is missing from the assembly.");
        return Load(stream);
    }

    /// <summary>The prices of a model from a date on, or within a daily UTC window (off-peak discounts).</summary>
    internal sealed record PricePeriod(DateTime? FromUtc, TimeSpan? DailyStartUtc, TimeSpan? DailyEndUtc, ModelPrice Price)
    {
        // The last period whose condition holds wins; the first is the default.
        public static ModelPrice InForce(PricePeriod[] periods, DateTime utc)
        {
            for (var i = periods.Length - 1; i > 0; i--)
            {
                if (periods[i].Holds(utc))
                {
                    return periods[i].Price;
                }
            }

            return periods[0].Price;
        }

        private bool Holds(DateTime utc)
        {
            if (FromUtc is { } from)
            {
                return utc >= from;
            }

            if (DailyStartUtc is { } start && DailyEndUtc is { } end)
            {
                var time = utc.TimeOfDay;
                return end < start ? time >= start || time < end : time >= start && time < end;
            }

            return true;
        }
    }

    /// <summary>Reads the file format (documented in <c>docs/prices.md</c>), and the flat per-token format of earlier versions.</summary>
    private static class PriceFile
    {
        public static ModelPriceTable Parse(JsonElement root, string defaultSource)
        {
            if (root.ValueKind != JsonValueKind.Object)
            {
                throw new FormatException("The price table must be a JSON object with a \"providers\" array.");
            }

            var takenOn = OptionalString(root, "taken_on") ?? string.Empty;
            var source = CatalogFile.SourceLabel(root) ?? defaultSource;
            if (root.TryGetProperty("currency", out var currency) && currency.GetString() is { } c && c != "USD")
            {
                throw new FormatException($"Unsupported currency '{c}'; prices are in USD.");
            }

            if (root.TryGetProperty("providers", out var providers) && providers.ValueKind == JsonValueKind.Array)
            {
                var lists = CatalogFile.Providers(providers, (item, provider, id, name, where) => ParsePeriods(item, provider, id, name, where, source));
                return new ModelPriceTable(takenOn, source, new ModelCatalog<PricePeriod[]>(lists));
            }

            if (root.TryGetProperty("models", out var models) && models.ValueKind == JsonValueKind.Array)
            {
                return ParseFlat(root, models, takenOn, source);
            }

            throw new FormatException("The price table has no \"providers\" array.");
        }

        private static PricePeriod[] ParsePeriods(JsonElement item, string provider, string id, string? name, string where, string source)
        {
            var modelSource = OptionalString(item, "source") ?? source;
            if (!item.TryGetProperty("prices", out var prices))
            {
                throw new FormatException($"{where} has no \"prices\".");
            }

            PricePeriod[] periods;
            if (prices.ValueKind == JsonValueKind.Array && prices.GetArrayLength() > 0)
            {
                periods = new PricePeriod[prices.GetArrayLength()];
                var i = 0;
                foreach (var period in prices.EnumerateArray())
                {
                    periods[i] = ParsePeriod(period, provider, id, name, modelSource, $"{where}.prices[{i}]");
                    i++;
                }
            }
            else if (prices.ValueKind == JsonValueKind.Object)
            {
                periods = [new PricePeriod(null, null, null, ParsePrices(prices, provider, id, name, modelSource, $"{where}.prices"))];
            }
            else
            {
                throw new FormatException($"{where}.prices must be an object or a non-empty array of periods.");
            }

            return periods;
        }

        private static PricePeriod ParsePeriod(JsonElement item, string provider, string id, string? name, string source, string where)
        {
            if (!item.TryGetProperty("prices", out var prices) || prices.ValueKind != JsonValueKind.Object)
            {
                throw new FormatException($"{where} has no \"prices\" object.");
            }

            var price = ParsePrices(prices, provider, id, name, source, $"{where}.prices");
            if (!item.TryGetProperty("constraint", out var constraint) || constraint.ValueKind == JsonValueKind.Null)
            {
                return new PricePeriod(null, null, null, price);
            }

            if (OptionalString(constraint, "start_date") is { } date)
            {
                if (!DateOnly.TryParseExact(date, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var from))
                {
                    throw new FormatException($"{where}.constraint.start_date must be YYYY-MM-DD.");
                }

                return new PricePeriod(from.ToDateTime(TimeOnly.MinValue, DateTimeKind.Utc), null, null, price);
            }

            if (OptionalString(constraint, "start_time") is { } start && OptionalString(constraint, "end_time") is { } end)
            {
                return new PricePeriod(null, TimeOfDayUtc(start, where), TimeOfDayUtc(end, where), price);
            }

            throw new FormatException($"{where}.constraint must have a start_date, or a start_time and an end_time.");
        }

        // "00:30:00Z" or "08:30:00+08:00": a time of day, as UTC.
        private static TimeSpan TimeOfDayUtc(string text, string where)
        {
            if (DateTimeOffset.TryParseExact("2000-01-02T" + text, ["yyyy-MM-ddTHH:mm:ssK", "yyyy-MM-ddTHH:mm:ss.FFFFFFFK"], CultureInfo.InvariantCulture, DateTimeStyles.None, out var parsed))
            {
                return parsed.UtcDateTime.TimeOfDay;
            }

            throw new FormatException($"{where}.constraint: '{text}' is not a time of day like 00:30:00Z.");
        }

        private static ModelPrice ParsePrices(JsonElement prices, string provider, string id, string? name, string source, string where)
        {
            var units = new ModelPrice.Price?[PriceUnit.All.Length];
            foreach (var property in prices.EnumerateObject())
            {
                // Units spans do not report (web searches, audio hours, pages) are kept in the file but not priced here.
                if (PriceUnit.ByPriceKey(property.Name) is not { } unit || property.Value.ValueKind == JsonValueKind.Null)
                {
                    continue;
                }

                units[unit.Index] = ParsePrice(property.Value, $"{where}.{property.Name}");
            }

            return new ModelPrice(provider, id, name, source, units);
        }

        private static ModelPrice.Price ParsePrice(JsonElement value, string where)
        {
            if (value.ValueKind == JsonValueKind.Number)
            {
                return new ModelPrice.Price(NonNegative(value, where), null);
            }

            if (value.ValueKind != JsonValueKind.Object || !value.TryGetProperty("base", out var @base) || !value.TryGetProperty("tiers", out var tiers) || tiers.ValueKind != JsonValueKind.Array)
            {
                throw new FormatException($"{where} must be a non-negative number or {{\"base\": n, \"tiers\": [{{\"start\": tokens, \"price\": n}}]}}.");
            }

            var list = new List<ModelPrice.Tier>();
            foreach (var tier in tiers.EnumerateArray())
            {
                if (!tier.TryGetProperty("start", out var start) || !start.TryGetInt64(out var s) || s < 0 || !tier.TryGetProperty("price", out var p))
                {
                    throw new FormatException($"{where}: every tier needs a non-negative integer \"start\" and a \"price\".");
                }

                list.Add(new ModelPrice.Tier(s, NonNegative(p, where)));
            }

            return new ModelPrice.Price(NonNegative(@base, where), [.. list.OrderBy(t => t.Start)]);
        }

        // The format of earlier versions: one flat list, prices per token.
        private static ModelPriceTable ParseFlat(JsonElement root, JsonElement models, string takenOn, string source)
        {
            if (OptionalString(root, "unit") is { } unit && unit != "per_token")
            {
                throw new FormatException($"Unsupported price unit '{unit}'; a flat \"models\" list is priced \"per_token\".");
            }

            var byProvider = new Dictionary<string, List<CatalogModel<PricePeriod[]>>>(StringComparer.OrdinalIgnoreCase);
            var order = new List<string>();
            var index = 0;
            foreach (var item in models.EnumerateArray())
            {
                var where = $"models[{index++}]";
                var provider = RequiredString(item, "provider", where);
                var model = RequiredString(item, "model", where);
                where = $"{where} ({model})";
                var units = new ModelPrice.Price?[PriceUnit.All.Length];
                units[0] = PerToken(item, "input", where) ?? throw new FormatException($"{where} has no \"input\" price.");
                units[7] = PerToken(item, "output", where) ?? throw new FormatException($"{where} has no \"output\" price.");
                units[1] = PerToken(item, "cache_read", where);
                units[2] = PerToken(item, "cache_write", where);
                var exact = ModelMatch.Exactly(model);
                var match = item.TryGetProperty("match", out var m) && m.ValueKind == JsonValueKind.String && m.GetString() is { Length: > 0 }
                    ? ModelMatch.Either(exact, ModelMatch.Parse(m, $"{where}.match"))
                    : exact;
                if (!byProvider.TryGetValue(provider, out var list))
                {
                    byProvider[provider] = list = [];
                    order.Add(provider);
                }

                list.Add(new CatalogModel<PricePeriod[]>(provider, model, null, match, [new PricePeriod(null, null, null, new ModelPrice(provider, model, null, source, units))]));
            }

            var providers = order.Select(p => new CatalogProvider<PricePeriod[]>(p, [], null, null, [], false, [.. byProvider[p]])).ToArray();
            return new ModelPriceTable(takenOn, source, new ModelCatalog<PricePeriod[]>(providers));
        }

        private static ModelPrice.Price? PerToken(JsonElement item, string name, string where) =>
            item.TryGetProperty(name, out var value) && value.ValueKind != JsonValueKind.Null
                ? new ModelPrice.Price(NonNegative(value, $"{where}.{name}") * 1e6, null)
                : null;

        private static double NonNegative(JsonElement value, string where) => CatalogFile.NonNegative(value, where);

        private static string RequiredString(JsonElement item, string name, string where) => CatalogFile.RequiredString(item, name, where);

        private static string? OptionalString(JsonElement item, string name) => CatalogFile.OptionalString(item, name);
    }
}
