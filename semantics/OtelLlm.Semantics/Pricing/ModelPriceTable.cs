using System.Collections.Concurrent;
using System.Diagnostics.CodeAnalysis;
using System.Globalization;
using System.Text.Json;
using System.Text.RegularExpressions;

namespace OtelLlm.Semantics.Pricing;

/// <summary>
/// A table of model list prices, loaded from the repository's <c>pricing/model-prices.json</c> format,
/// that turns token usage into a cost in US dollars.
/// </summary>
/// <remarks>
/// Lookup order for a model name: an entry whose canonical <c>model</c> equals the name (case-insensitive),
/// then the first entry whose <c>match</c> regular expression matches it; the same again for the part of
/// the name after the last <c>'/'</c> (<c>openai/gpt-4o</c>). When a provider is given, only its entries are
/// considered, except for hosting platforms (<c>azure.*</c>, <c>aws.bedrock</c>, <c>gcp.vertex_ai</c>,
/// <c>gcp.gen_ai</c>) which resell other providers' models and fall back to every entry.
/// Results are cached per (provider, model), so repeated lookups do not allocate.
/// </remarks>
public sealed class ModelPriceTable
{
    private const string ResourceName = "OtelLlm.model-prices.json";
    private const int MaxCachedLookups = 4096;

    private static readonly Lazy<ModelPriceTable> s_default = new(LoadDefault);

    private readonly Entry[] _entries;
    private readonly ConcurrentDictionary<(string Provider, string Model), ModelPrice?> _cache = new(LookupKeyComparer.Instance);

    private ModelPriceTable(string takenOn, Entry[] entries)
    {
        TakenOn = takenOn;
        _entries = entries;
    }

    /// <summary>Gets the table shipped with this library (the embedded <c>pricing/model-prices.json</c>).</summary>
    public static ModelPriceTable Default => s_default.Value;

    /// <summary>Gets the date the prices were taken from the providers' pages (<c>taken_on</c>, <c>YYYY-MM-DD</c>).</summary>
    public string TakenOn { get; }

    /// <summary>Gets the number of priced models.</summary>
    public int Count => _entries.Length;

    /// <summary>Loads a price table from a JSON file.</summary>
    /// <param name="path">Path of a file in the <c>model-prices.json</c> format.</param>
    /// <returns>The loaded table.</returns>
    /// <exception cref="FormatException">The file is not a valid price table.</exception>
    public static ModelPriceTable Load(string path)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        using var stream = File.OpenRead(path);
        return Load(stream);
    }

    /// <summary>Loads a price table from UTF-8 JSON.</summary>
    /// <param name="utf8Json">A stream of JSON in the <c>model-prices.json</c> format.</param>
    /// <returns>The loaded table.</returns>
    /// <exception cref="FormatException">The JSON is not a valid price table.</exception>
    public static ModelPriceTable Load(Stream utf8Json)
    {
        ArgumentNullException.ThrowIfNull(utf8Json);
        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(utf8Json, new JsonDocumentOptions { CommentHandling = JsonCommentHandling.Skip, AllowTrailingCommas = true });
        }
        catch (JsonException e)
        {
            throw new FormatException($"The price table is not valid JSON: {e.Message}", e);
        }

        using (document)
        {
            return Parse(document.RootElement);
        }
    }

    /// <summary>Returns a table in which the entries of <paramref name="overrides"/> win over this table's entries.</summary>
    /// <param name="overrides">Prices that replace (same provider and model) or add to this table's prices.</param>
    /// <returns>A new table; this one is unchanged.</returns>
    public ModelPriceTable WithOverrides(ModelPriceTable overrides)
    {
        ArgumentNullException.ThrowIfNull(overrides);
        var merged = new List<Entry>(overrides._entries.Length + _entries.Length);
        merged.AddRange(overrides._entries);
        foreach (var entry in _entries)
        {
            var replaced = false;
            foreach (var over in overrides._entries)
            {
                if (string.Equals(over.Price.Provider, entry.Price.Provider, StringComparison.OrdinalIgnoreCase)
                    && string.Equals(over.Price.Model, entry.Price.Model, StringComparison.OrdinalIgnoreCase))
                {
                    replaced = true;
                    break;
                }
            }

            if (!replaced)
            {
                merged.Add(entry);
            }
        }

        var takenOn = string.IsNullOrEmpty(overrides.TakenOn) ? TakenOn : overrides.TakenOn;
        return new ModelPriceTable(takenOn, [.. merged]);
    }

    /// <summary>Finds the price of a model.</summary>
    /// <param name="provider">A <c>gen_ai.provider.name</c> value; <see langword="null"/> or empty matches any provider.</param>
    /// <param name="model">The model name as reported by the request or response (dated versions and <c>vendor/</c> prefixes are understood).</param>
    /// <param name="price">The price when found.</param>
    /// <returns><see langword="true"/> when the model is priced.</returns>
    public bool TryGetPrice(string? provider, string model, [MaybeNullWhen(false)] out ModelPrice price)
    {
        if (string.IsNullOrEmpty(model))
        {
            price = null;
            return false;
        }

        var key = (provider ?? string.Empty, model);
        if (!_cache.TryGetValue(key, out var found))
        {
            found = Resolve(key.Item1, model);
            if (_cache.Count < MaxCachedLookups)
            {
                _cache.TryAdd(key, found);
            }
        }

        price = found;
        return found is not null;
    }

    /// <summary>Computes the cost of a call in US dollars.</summary>
    /// <param name="provider">A <c>gen_ai.provider.name</c> value; <see langword="null"/> or empty matches any provider.</param>
    /// <param name="model">The model name.</param>
    /// <param name="usage">Token counts; input includes cached tokens and output includes reasoning tokens.</param>
    /// <returns>The cost, or <see langword="null"/> when the model is not in the table.</returns>
    public double? GetCostUsd(string? provider, string model, in TokenUsage usage) =>
        TryGetPrice(provider, model, out var price) ? price.GetCostUsd(usage) : null;

    private ModelPrice? Resolve(string provider, string model)
    {
        var price = Find(provider, model, providerStrict: true);
        if (price is null && IsHostingPlatform(provider))
        {
            price = Find(provider, model, providerStrict: false);
        }

        return price;
    }

    private ModelPrice? Find(string provider, string model, bool providerStrict)
    {
        var anyProvider = provider.Length == 0 || !providerStrict;
        var found = FindName(provider, model, anyProvider);
        if (found is null)
        {
            var slash = model.LastIndexOf('/');
            if (slash >= 0 && slash < model.Length - 1)
            {
                found = FindName(provider, model[(slash + 1)..], anyProvider);
            }
        }

        return found;
    }

    private ModelPrice? FindName(string provider, string model, bool anyProvider)
    {
        foreach (var entry in _entries)
        {
            if ((anyProvider || string.Equals(entry.Price.Provider, provider, StringComparison.OrdinalIgnoreCase))
                && string.Equals(entry.Price.Model, model, StringComparison.OrdinalIgnoreCase))
            {
                return entry.Price;
            }
        }

        foreach (var entry in _entries)
        {
            if ((anyProvider || string.Equals(entry.Price.Provider, provider, StringComparison.OrdinalIgnoreCase))
                && entry.Match is not null && entry.Match.IsMatch(model))
            {
                return entry.Price;
            }
        }

        return null;
    }

    private static bool IsHostingPlatform(string provider) =>
        provider.StartsWith("azure.", StringComparison.OrdinalIgnoreCase)
        || string.Equals(provider, "aws.bedrock", StringComparison.OrdinalIgnoreCase)
        || string.Equals(provider, "gcp.vertex_ai", StringComparison.OrdinalIgnoreCase)
        || string.Equals(provider, "gcp.gen_ai", StringComparison.OrdinalIgnoreCase);

    private static ModelPriceTable LoadDefault()
    {
        using var stream = typeof(ModelPriceTable).Assembly.GetManifestResourceStream(ResourceName)
            ?? throw new InvalidOperationException($"The embedded price table '{ResourceName}' is missing from the assembly.");
        return Load(stream);
    }

    private static ModelPriceTable Parse(JsonElement root)
    {
        if (root.ValueKind != JsonValueKind.Object)
        {
            throw new FormatException("The price table must be a JSON object with a \"models\" array.");
        }

        var takenOn = root.TryGetProperty("taken_on", out var t) && t.ValueKind == JsonValueKind.String ? t.GetString()! : string.Empty;
        if (root.TryGetProperty("unit", out var unit) && unit.ValueKind == JsonValueKind.String && unit.GetString() != "per_token")
        {
            throw new FormatException($"Unsupported price unit '{unit.GetString()}'; only \"per_token\" is understood.");
        }

        if (!root.TryGetProperty("models", out var models) || models.ValueKind != JsonValueKind.Array)
        {
            throw new FormatException("The price table has no \"models\" array.");
        }

        var entries = new List<Entry>(models.GetArrayLength());
        var index = 0;
        foreach (var item in models.EnumerateArray())
        {
            entries.Add(ParseEntry(item, index++));
        }

        return new ModelPriceTable(takenOn, [.. entries]);
    }

    private static Entry ParseEntry(JsonElement item, int index)
    {
        var provider = RequiredString(item, "provider", index);
        var model = RequiredString(item, "model", index);
        var input = OptionalNumber(item, "input", index) ?? throw new FormatException($"models[{index}] ({model}) has no \"input\" price.");
        var output = OptionalNumber(item, "output", index) ?? throw new FormatException($"models[{index}] ({model}) has no \"output\" price.");
        Regex? match = null;
        if (item.TryGetProperty("match", out var m) && m.ValueKind == JsonValueKind.String && m.GetString() is { Length: > 0 } pattern)
        {
            try
            {
                match = new Regex(pattern, RegexOptions.IgnoreCase | RegexOptions.CultureInvariant, TimeSpan.FromMilliseconds(100));
            }
            catch (ArgumentException e)
            {
                throw new FormatException($"models[{index}] ({model}) has an invalid \"match\" expression: {e.Message}", e);
            }
        }

        var price = new ModelPrice(provider, model, input, output, OptionalNumber(item, "cache_read", index), OptionalNumber(item, "cache_write", index));
        return new Entry(price, match);
    }

    private static string RequiredString(JsonElement item, string name, int index) =>
        item.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String && value.GetString() is { Length: > 0 } s
            ? s
            : throw new FormatException($"models[{index}] has no \"{name}\" string.");

    private static double? OptionalNumber(JsonElement item, string name, int index)
    {
        if (!item.TryGetProperty(name, out var value) || value.ValueKind == JsonValueKind.Null)
        {
            return null;
        }

        if (value.ValueKind != JsonValueKind.Number || !value.TryGetDouble(out var number) || number < 0 || !double.IsFinite(number))
        {
            throw new FormatException(string.Create(CultureInfo.InvariantCulture, $"models[{index}].{name} must be a non-negative number or null."));
        }

        return number;
    }

    private sealed record Entry(ModelPrice Price, Regex? Match);

    private sealed class LookupKeyComparer : IEqualityComparer<(string Provider, string Model)>
    {
        public static readonly LookupKeyComparer Instance = new();

        public bool Equals((string Provider, string Model) x, (string Provider, string Model) y) =>
            string.Equals(x.Provider, y.Provider, StringComparison.OrdinalIgnoreCase)
            && string.Equals(x.Model, y.Model, StringComparison.OrdinalIgnoreCase);

        public int GetHashCode((string Provider, string Model) obj) =>
            HashCode.Combine(StringComparer.OrdinalIgnoreCase.GetHashCode(obj.Provider), StringComparer.OrdinalIgnoreCase.GetHashCode(obj.Model));
    }
}
