using System.Collections.Concurrent;

namespace OtelLlm.Semantics.Pricing;

/// <summary>One model of a <see cref="ModelCatalog{T}"/>: its id, the rule that recognizes its reported names, and what the catalog knows of it.</summary>
internal sealed record CatalogModel<T>(string Provider, string Id, string? Name, ModelMatch Match, T Facts);

/// <summary>One provider's list of models, and how calls are routed to it.</summary>
/// <param name="Id">A <c>gen_ai.provider.name</c> value, or the data's own id for providers the conventions do not name.</param>
/// <param name="Aliases">Other <c>gen_ai.provider.name</c> values this list bills (<c>gcp.vertex_ai</c> for Google's list).</param>
/// <param name="ProviderMatch">Recognizes provider names the conventions do not know (<c>together_ai</c>).</param>
/// <param name="ModelMatch">Recognizes this provider's models when a call names no provider.</param>
/// <param name="Fallback">Lists searched for models this one lacks (Azure resells OpenAI's models).</param>
/// <param name="Models">The models, searched in order: the first whose rule matches wins.</param>
/// <param name="Hosting">Whether the provider hosts other vendors' models, so a model it does not list is looked up at its maker.</param>
internal sealed record CatalogProvider<T>(
    string Id,
    string[] Aliases,
    ModelMatch? ProviderMatch,
    ModelMatch? ModelMatch,
    string[] Fallback,
    bool Hosting,
    CatalogModel<T>[] Models);

/// <summary>
/// Models grouped by provider, with the rules that turn a call's (provider, model name) into one model, whatever the
/// name's shape. Generic over what is known of a model, so prices and any other per-model table (energy factors) share
/// the file layout and the matching; see <see cref="ModelPriceTable"/>.
/// </summary>
/// <remarks>
/// Lookup: the lists of the call's provider (by id or alias, else by a list's <c>provider_match</c>; no provider means
/// every list, those whose <c>model_match</c> recognizes the name first); in each list the first model whose rule matches
/// the name, then the list's fallbacks, then the same with compact dates dashed. Then the name's other shapes:
/// Vertex paths and <c>@</c> versions, <c>vendor/model</c> at the vendor's list, Bedrock ids at the maker's list, and for a
/// hosting provider the lists whose <c>model_match</c> recognizes the name. Results are cached per (provider, name).
/// </remarks>
internal sealed class ModelCatalog<T>
{
    private const int MaxCachedLookups = 8192;
    private const int MaxDepth = 3;

    private readonly CatalogProvider<T>[] _providers;
    private readonly Dictionary<string, CatalogProvider<T>[]> _byName = new(StringComparer.OrdinalIgnoreCase);
    private readonly ConcurrentDictionary<(string Provider, string Model), CatalogModel<T>?> _cache = new(LookupKeyComparer.Instance);

    public ModelCatalog(CatalogProvider<T>[] providers)
    {
        _providers = providers;
        foreach (var provider in providers)
        {
            foreach (var name in provider.Aliases.Prepend(provider.Id))
            {
                _byName[name] = _byName.TryGetValue(name, out var lists) ? [.. lists, provider] : [provider];
            }
        }
    }

    public IReadOnlyList<CatalogProvider<T>> Providers => _providers;

    // A model an override file shadows counts once.
    public int ModelCount => _providers.Sum(p => p.Models.DistinctBy(m => m.Id, StringComparer.OrdinalIgnoreCase).Count());

    /// <summary>A catalog in which <paramref name="overrides"/> win: their models are searched first, inside the same provider's list and across lists.</summary>
    public ModelCatalog<T> WithOverrides(ModelCatalog<T> overrides)
    {
        var merged = new List<CatalogProvider<T>>();
        var used = new HashSet<CatalogProvider<T>>();
        foreach (var over in overrides._providers)
        {
            var original = _providers.FirstOrDefault(p => string.Equals(p.Id, over.Id, StringComparison.OrdinalIgnoreCase));
            if (original is null)
            {
                merged.Add(over);
                continue;
            }

            used.Add(original);
            merged.Add(new CatalogProvider<T>(
                original.Id,
                [.. over.Aliases.Union(original.Aliases, StringComparer.OrdinalIgnoreCase)],
                over.ProviderMatch ?? original.ProviderMatch,
                over.ModelMatch ?? original.ModelMatch,
                over.Fallback.Length > 0 ? over.Fallback : original.Fallback,
                over.Hosting || original.Hosting,
                [.. over.Models, .. original.Models]));
        }

        merged.AddRange(_providers.Where(p => !used.Contains(p)));
        return new ModelCatalog<T>([.. merged]);
    }

    /// <summary>Finds the model a call names.</summary>
    /// <param name="provider">The call's <c>gen_ai.provider.name</c>; <see langword="null"/> or empty searches every list.</param>
    /// <param name="model">The model name as reported.</param>
    public CatalogModel<T>? Resolve(string? provider, string model)
    {
        if (string.IsNullOrWhiteSpace(model))
        {
            return null;
        }

        var key = (provider ?? string.Empty, model);
        if (_cache.TryGetValue(key, out var found))
        {
            return found;
        }

        var name = model.Trim().ToLowerInvariant();
        found = ResolveName(ListsFor(key.Item1), name, 0);
        if (_cache.Count < MaxCachedLookups)
        {
            _cache.TryAdd(key, found);
        }

        return found;
    }

    // null lists: no provider given, search everything.
    private CatalogProvider<T>[]? ListsFor(string provider)
    {
        if (provider.Length == 0)
        {
            return null;
        }

        if (_byName.TryGetValue(provider, out var lists))
        {
            return lists;
        }

        var lowered = provider.Trim().ToLowerInvariant();
        return [.. _providers.Where(p => p.ProviderMatch is not null && p.ProviderMatch.IsMatch(lowered))];
    }

    private CatalogModel<T>? ResolveName(CatalogProvider<T>[]? lists, string name, int depth)
    {
        foreach (var candidate in ModelNames.Candidates(name))
        {
            var found = lists is null ? FindAtMaker(candidate) : FindIn(lists, candidate, withFallbacks: true);
            if (found is not null)
            {
                return found;
            }
        }

        if (depth >= MaxDepth)
        {
            return null;
        }

        var reshaped = ResolveReshaped(lists, name, depth);
        if (reshaped is not null || lists is not null)
        {
            return reshaped;
        }

        // No provider and no maker recognized the name: the first list that has it.
        foreach (var candidate in ModelNames.Candidates(name))
        {
            if (FindIn(_providers, candidate, withFallbacks: false) is { } any)
            {
                return any;
            }
        }

        return null;
    }

    private CatalogModel<T>? ResolveReshaped(CatalogProvider<T>[]? lists, string name, int depth)
    {
        if (ModelNames.TrySplitVendor(name, out var vendor, out var rest))
        {
            var vendorLists = ListsFor(ProviderNames.Normalize(vendor) ?? string.Empty);
            var found = vendorLists is { Length: > 0 } ? ResolveName(vendorLists, rest, depth + 1) : null;
            found ??= ResolveName(lists, rest, depth + 1);
            if (found is not null)
            {
                return found;
            }
        }

        if (ModelNames.TrySplitBedrock(name, out vendor, out rest))
        {
            var vendorLists = ListsFor(ProviderNames.Normalize(vendor) ?? string.Empty);
            var found = vendorLists is { Length: > 0 } ? ResolveName(vendorLists, rest, depth + 1) : null;
            if (found is not null)
            {
                return found;
            }
        }

        if (lists is not null && lists.Any(l => l.Hosting))
        {
            var makers = _providers.Where(p => p.ModelMatch is not null && p.ModelMatch.IsMatch(name)).ToArray();
            if (makers.Length > 0)
            {
                return ResolveName(makers, name, depth + 1);
            }
        }

        return null;
    }

    private CatalogModel<T>? FindAtMaker(string name)
    {
        foreach (var list in _providers)
        {
            if (list.ModelMatch is not null && list.ModelMatch.IsMatch(name) && FindIn([list], name, withFallbacks: false) is { } owned)
            {
                return owned;
            }
        }

        return null;
    }

    private CatalogModel<T>? FindIn(CatalogProvider<T>[] lists, string name, bool withFallbacks)
    {
        var dashed = ModelNames.WithDashedDates(name);
        foreach (var list in lists)
        {
            var found = FindInList(list, name, withFallbacks) ?? (dashed is null ? null : FindInList(list, dashed, withFallbacks));
            if (found is not null)
            {
                return found;
            }
        }

        return null;
    }

    private CatalogModel<T>? FindInList(CatalogProvider<T> list, string name, bool withFallbacks)
    {
        foreach (var model in list.Models)
        {
            if (model.Match.IsMatch(name))
            {
                return model;
            }
        }

        if (withFallbacks)
        {
            foreach (var id in list.Fallback)
            {
                if (_byName.TryGetValue(id, out var fallbackLists) && FindIn(fallbackLists, name, withFallbacks: false) is { } found)
                {
                    return found;
                }
            }
        }

        return null;
    }

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
