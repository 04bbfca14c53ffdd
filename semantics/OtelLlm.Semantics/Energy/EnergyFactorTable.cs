using System.Diagnostics.CodeAnalysis;
using System.Text.Json;
using OtelLlm.Semantics.Pricing;

namespace OtelLlm.Semantics.Energy;

/// <summary>
/// Energy factors per model, loaded from the repository's <c>pricing/energy-factors.json</c> format, that turn a call's
/// token usage into an estimate of the electricity it took in watt-hours: watt-hours per 1,000 input, cache-read and
/// output tokens, given per model family (<c>large</c>, <c>medium</c>…) or per model, with the rules that recognize a
/// model's reported names.
/// </summary>
/// <remarks>
/// Names are matched as prices are (<c>ModelCatalog</c>: dated names, <c>vendor/model</c>, Bedrock and Vertex ids), first in
/// the lists of the call's provider and then, because energy depends on the model and not on who serves it, at the
/// model's maker: <c>llama-3.3-70b-versatile</c> from Groq finds Meta's entry. Where the factors come from and what they
/// leave out is written in <c>docs/energy.md</c>. Lookups are cached per (provider, model name).
/// </remarks>
public sealed class EnergyFactorTable
{
    private const string ResourceName = "OtelLlm.energy-factors.json";

    private static readonly Lazy<EnergyFactorTable> s_default = new(LoadDefault);

    private readonly ModelCatalog<EnergyFactors?> _catalog;

    private EnergyFactorTable(string takenOn, string source, IReadOnlyDictionary<string, EnergyFactors> families, ModelCatalog<EnergyFactors?> catalog)
    {
        TakenOn = takenOn;
        Source = source;
        Families = families;
        _catalog = catalog;
    }

    /// <summary>Gets the table shipped with this library (the embedded <c>pricing/energy-factors.json</c>).</summary>
    public static EnergyFactorTable Default => s_default.Value;

    /// <summary>Gets the date of the factors (<c>taken_on</c>, <c>YYYY-MM-DD</c>).</summary>
    public string TakenOn { get; }

    /// <summary>Gets where the factors come from.</summary>
    public string Source { get; }

    /// <summary>Gets the model families by id, each with its factors.</summary>
    public IReadOnlyDictionary<string, EnergyFactors> Families { get; }

    /// <summary>Gets the number of entries (models and name patterns).</summary>
    public int Count => _catalog.ModelCount;

    /// <summary>Loads a factor table from a JSON file; its models may name the families of the shipped table.</summary>
    /// <param name="path">Path of a file in the <c>energy-factors.json</c> format.</param>
    /// <returns>The loaded table; a file without a <c>source</c> is labelled with its file name.</returns>
    /// <exception cref="FormatException">The file is not a valid factor table.</exception>
    public static EnergyFactorTable Load(string path)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        using var stream = File.OpenRead(path);
        return Load(stream, Path.GetFileName(path));
    }

    /// <summary>Loads a factor table from UTF-8 JSON; its models may name the families of the shipped table.</summary>
    /// <param name="utf8Json">A stream of JSON in the <c>energy-factors.json</c> format.</param>
    /// <param name="defaultSource">The label of factors whose file names no <c>source</c>.</param>
    /// <returns>The loaded table.</returns>
    /// <exception cref="FormatException">The JSON is not a valid factor table.</exception>
    public static EnergyFactorTable Load(Stream utf8Json, string defaultSource = "energy factor file")
    {
        ArgumentNullException.ThrowIfNull(utf8Json);
        return Load(utf8Json, defaultSource, Default.Families);
    }

    /// <summary>Returns a table in which the entries of <paramref name="overrides"/> win over this table's.</summary>
    /// <param name="overrides">Entries searched before this table's: in the same provider's list, and across lists.</param>
    /// <returns>A new table; this one is unchanged.</returns>
    public EnergyFactorTable WithOverrides(EnergyFactorTable overrides)
    {
        ArgumentNullException.ThrowIfNull(overrides);
        var families = new Dictionary<string, EnergyFactors>(Families, StringComparer.OrdinalIgnoreCase);
        foreach (var (id, factors) in overrides.Families)
        {
            families[id] = factors;
        }

        var takenOn = string.IsNullOrEmpty(overrides.TakenOn) ? TakenOn : overrides.TakenOn;
        return new EnergyFactorTable(takenOn, $"{overrides.Source} over {Source}", families, _catalog.WithOverrides(overrides._catalog));
    }

    /// <summary>Finds the factors of a model.</summary>
    /// <param name="provider">A <c>gen_ai.provider.name</c> value; <see langword="null"/> or empty searches every list.</param>
    /// <param name="model">The model name as reported.</param>
    /// <param name="factors">The factors when the model is known and estimated.</param>
    /// <returns><see langword="true"/> when the model has factors; <see langword="false"/> when it is unknown or marked as not estimated.</returns>
    public bool TryGetFactors(string? provider, string model, [MaybeNullWhen(false)] out EnergyFactors factors)
    {
        factors = Find(provider, model)?.Facts;
        return factors is not null;
    }

    /// <summary>
    /// Estimates a call's energy by the model that answered it: the response model first, then the request model (a
    /// request model is often a deployment or alias name).
    /// </summary>
    /// <param name="provider">A <c>gen_ai.provider.name</c> value; <see langword="null"/> or empty matches any provider.</param>
    /// <param name="responseModel">The response model, if any.</param>
    /// <param name="requestModel">The request model, if any.</param>
    /// <param name="usage">Token counts; input includes cached tokens and output includes reasoning tokens.</param>
    /// <param name="factors">The factors applied, when found.</param>
    /// <returns>Watt-hours, or <see langword="null"/> when neither model has factors.</returns>
    public double? EstimateCall(string? provider, string? responseModel, string? requestModel, in TokenUsage usage, out EnergyFactors? factors)
    {
        factors = null;
        foreach (var model in (ReadOnlySpan<string?>)[responseModel, requestModel])
        {
            if (string.IsNullOrEmpty(model) || Find(provider, model) is not { } entry)
            {
                continue;
            }

            // An entry marked as not estimated (speech, images) says so for the call, whatever the other name is.
            factors = entry.Facts;
            return factors?.GetEnergyWh(usage);
        }

        return null;
    }

    private CatalogModel<EnergyFactors?>? Find(string? provider, string model) =>
        _catalog.Resolve(provider, model) ?? (string.IsNullOrEmpty(provider) ? null : _catalog.Resolve(null, model));

    private static EnergyFactorTable LoadDefault()
    {
        using var stream = typeof(EnergyFactorTable).Assembly.GetManifestResourceStream(ResourceName)
            ?? throw new InvalidOperationException($"The embedded energy factor table '{ResourceName}' is missing from the assembly.");
        return Load(stream, "energy factor file", inherited: null);
    }

    private static EnergyFactorTable Load(Stream utf8Json, string defaultSource, IReadOnlyDictionary<string, EnergyFactors>? inherited)
    {
        using var document = CatalogFile.Parse(utf8Json, "energy factor table");
        return FactorFile.Parse(document.RootElement, defaultSource, inherited);
    }

    /// <summary>Reads the file format documented in <c>docs/energy.md</c>.</summary>
    private static class FactorFile
    {
        public static EnergyFactorTable Parse(JsonElement root, string defaultSource, IReadOnlyDictionary<string, EnergyFactors>? inherited)
        {
            if (root.ValueKind != JsonValueKind.Object)
            {
                throw new FormatException("The energy factor table must be a JSON object with a \"providers\" array.");
            }

            var takenOn = CatalogFile.OptionalString(root, "taken_on") ?? string.Empty;
            var source = CatalogFile.SourceLabel(root) ?? defaultSource;
            var families = new Dictionary<string, EnergyFactors>(StringComparer.OrdinalIgnoreCase);
            if (root.TryGetProperty("families", out var list))
            {
                if (list.ValueKind != JsonValueKind.Array)
                {
                    throw new FormatException("\"families\" must be an array.");
                }

                var i = 0;
                foreach (var item in list.EnumerateArray())
                {
                    var where = $"families[{i++}]";
                    var id = CatalogFile.RequiredString(item, "id", where);
                    families[id] = Factors(item, "family", id, null, source, $"{where} ({id})")
                        ?? throw new FormatException($"{where} ({id}) has no \"input_wh_per_1k\" and \"output_wh_per_1k\".");
                }
            }

            if (!root.TryGetProperty("providers", out var providers) || providers.ValueKind != JsonValueKind.Array)
            {
                throw new FormatException("The energy factor table has no \"providers\" array.");
            }

            var lists = CatalogFile.Providers(providers, (item, provider, id, _, where) => ModelFactors(item, provider, id, where, source, families, inherited));
            return new EnergyFactorTable(takenOn, source, families, new ModelCatalog<EnergyFactors?>(lists));
        }

        private static EnergyFactors? ModelFactors(
            JsonElement item, string provider, string id, string where, string source,
            Dictionary<string, EnergyFactors> families, IReadOnlyDictionary<string, EnergyFactors>? inherited)
        {
            var modelSource = CatalogFile.OptionalString(item, "source") ?? source;
            if (item.TryGetProperty("estimated", out var estimated) && estimated.ValueKind == JsonValueKind.False)
            {
                return null;
            }

            if (CatalogFile.OptionalString(item, "family") is { } familyId)
            {
                if (!families.TryGetValue(familyId, out var family) && (inherited is null || !inherited.TryGetValue(familyId, out family)))
                {
                    throw new FormatException($"{where}: no family \"{familyId}\" in this file or the shipped one.");
                }

                return new EnergyFactors(provider, id, familyId, family.Source, family.InputWhPer1k, family.CacheReadWhPer1k, family.OutputWhPer1k);
            }

            return Factors(item, provider, id, null, modelSource, where)
                ?? throw new FormatException($"{where} has neither a \"family\" nor \"input_wh_per_1k\" and \"output_wh_per_1k\" (or \"estimated\": false).");
        }

        // Input and output are required together; cache reads default to a tenth of input (docs/energy.md).
        private static EnergyFactors? Factors(JsonElement item, string provider, string id, string? family, string source, string where)
        {
            var hasInput = item.TryGetProperty("input_wh_per_1k", out var input);
            var hasOutput = item.TryGetProperty("output_wh_per_1k", out var output);
            if (!hasInput && !hasOutput)
            {
                return null;
            }

            if (!hasInput || !hasOutput)
            {
                throw new FormatException($"{where} needs both \"input_wh_per_1k\" and \"output_wh_per_1k\".");
            }

            var inputWh = CatalogFile.NonNegative(input, $"{where}.input_wh_per_1k");
            var cacheReadWh = item.TryGetProperty("cache_read_wh_per_1k", out var cacheRead)
                ? CatalogFile.NonNegative(cacheRead, $"{where}.cache_read_wh_per_1k")
                : inputWh / 10;
            return new EnergyFactors(provider, id, family, source, inputWh, cacheReadWh, CatalogFile.NonNegative(output, $"{where}.output_wh_per_1k"));
        }
    }
}
