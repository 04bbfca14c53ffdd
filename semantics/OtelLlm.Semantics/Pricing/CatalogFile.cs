using System.Text.Json;

namespace OtelLlm.Semantics.Pricing;

/// <summary>
/// Reads the parts every per-model file shares (<c>pricing/model-prices.json</c>, <c>pricing/energy-factors.json</c>):
/// the document, its <c>source</c> label, and the <c>providers</c> lists with their routing rules and their models'
/// ids, names and match rules. What a model's entry says beyond that is read by the caller's <c>facts</c> function.
/// </summary>
internal static class CatalogFile
{
    /// <summary>What a file says of one model beyond its id, name and match rule.</summary>
    /// <param name="item">The model's JSON object.</param>
    /// <param name="provider">The id of the list it is in.</param>
    /// <param name="id">The model's id.</param>
    /// <param name="name">The model's display name, if any.</param>
    /// <param name="where">Where the entry is, for error messages (<c>providers[0] (openai).models[3] (gpt-4o)</c>).</param>
    public delegate T ReadFacts<T>(JsonElement item, string provider, string id, string? name, string where);

    /// <summary>Parses UTF-8 JSON, allowing comments and trailing commas.</summary>
    /// <param name="utf8Json">The file's content.</param>
    /// <param name="what">What the file is, for the error message (<c>price table</c>).</param>
    /// <exception cref="FormatException">The content is not JSON.</exception>
    public static JsonDocument Parse(Stream utf8Json, string what)
    {
        try
        {
            return JsonDocument.Parse(utf8Json, new JsonDocumentOptions { CommentHandling = JsonCommentHandling.Skip, AllowTrailingCommas = true });
        }
        catch (JsonException e)
        {
            throw new FormatException($"The {what} is not valid JSON: {e.Message}", e);
        }
    }

    /// <summary>The file's <c>source</c>: a string, or an object's <c>name</c> and <c>version</c>.</summary>
    public static string? SourceLabel(JsonElement root)
    {
        if (!root.TryGetProperty("source", out var source))
        {
            return null;
        }

        if (source.ValueKind == JsonValueKind.String)
        {
            return source.GetString();
        }

        var name = OptionalString(source, "name");
        var version = OptionalString(source, "version");
        return name is null ? null : version is null ? name : $"{name} {version}";
    }

    /// <summary>Reads every list of a <c>providers</c> array.</summary>
    public static CatalogProvider<T>[] Providers<T>(JsonElement providers, ReadFacts<T> facts)
    {
        var lists = new List<CatalogProvider<T>>();
        var i = 0;
        foreach (var provider in providers.EnumerateArray())
        {
            lists.Add(Provider(provider, $"providers[{i++}]", facts));
        }

        return [.. lists];
    }

    private static CatalogProvider<T> Provider<T>(JsonElement item, string where, ReadFacts<T> facts)
    {
        var id = RequiredString(item, "id", where);
        where = $"{where} ({id})";
        var models = new List<CatalogModel<T>>();
        if (item.TryGetProperty("models", out var list) && list.ValueKind == JsonValueKind.Array)
        {
            var i = 0;
            foreach (var model in list.EnumerateArray())
            {
                models.Add(Model(model, id, $"{where}.models[{i++}]", facts));
            }
        }

        return new CatalogProvider<T>(
            id,
            Strings(item, "aliases"),
            item.TryGetProperty("provider_match", out var pm) ? ModelMatch.Parse(pm, $"{where}.provider_match") : null,
            item.TryGetProperty("model_match", out var mm) ? ModelMatch.Parse(mm, $"{where}.model_match") : null,
            Strings(item, "fallback"),
            item.TryGetProperty("hosting", out var hosting) && hosting.ValueKind == JsonValueKind.True,
            [.. models]);
    }

    private static CatalogModel<T> Model<T>(JsonElement item, string provider, string where, ReadFacts<T> facts)
    {
        var id = RequiredString(item, "id", where);
        where = $"{where} ({id})";
        var name = OptionalString(item, "name");
        var match = item.TryGetProperty("match", out var m) ? ModelMatch.Parse(m, $"{where}.match") : ModelMatch.Exactly(id);
        return new CatalogModel<T>(provider, id, name, match, facts(item, provider, id, name, where));
    }

    /// <summary>A string property that must be present and not empty.</summary>
    public static string RequiredString(JsonElement item, string name, string where) =>
        OptionalString(item, name) ?? throw new FormatException($"{where} has no \"{name}\" string.");

    /// <summary>A string property, or <see langword="null"/> when it is absent, not a string or empty.</summary>
    public static string? OptionalString(JsonElement item, string name) =>
        item.ValueKind == JsonValueKind.Object && item.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String && value.GetString() is { Length: > 0 } s ? s : null;

    /// <summary>A number that must be finite and not negative.</summary>
    public static double NonNegative(JsonElement value, string where) =>
        value.ValueKind == JsonValueKind.Number && value.TryGetDouble(out var number) && number >= 0 && double.IsFinite(number)
            ? number
            : throw new FormatException($"{where} must be a non-negative number.");

    private static string[] Strings(JsonElement item, string name) =>
        item.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.Array
            ? [.. value.EnumerateArray().Where(v => v.ValueKind == JsonValueKind.String).Select(v => v.GetString()!)]
            : [];
}
