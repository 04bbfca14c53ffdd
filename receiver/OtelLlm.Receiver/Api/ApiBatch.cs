using System.Text.Json;

namespace OtelLlm.Receiver.Api;

/// <summary>The bodies that take one object or many: an array, or <c>{"items":[…]}</c>.</summary>
internal static class ApiBatch
{
    /// <summary>
    /// The items of a body that is one object, an array of objects or (with <paramref name="itemsProperty"/>) an
    /// object with that array property; more than <paramref name="maxItems"/> is refused with 413.
    /// </summary>
    public static List<JsonElement> Items(JsonElement root, string? itemsProperty, int maxItems, ApiErrors errors)
    {
        var items = new List<JsonElement>();
        var array = root.ValueKind == JsonValueKind.Array ? root
            : itemsProperty is not null && root.ValueKind == JsonValueKind.Object && root.TryGetProperty(itemsProperty, out var inner) ? inner
            : (JsonElement?)null;
        if (array is not { } list)
        {
            items.Add(root);
            return items;
        }

        if (list.ValueKind != JsonValueKind.Array)
        {
            errors.Add(null, itemsProperty, $"Expected an array of items, found {JsonItem.Describe(list)}.");
            return items;
        }

        var field = root.ValueKind == JsonValueKind.Array ? null : itemsProperty;
        var count = list.GetArrayLength();
        if (count == 0)
        {
            errors.Add(null, field, "The batch is empty; send at least one item.");
        }
        else if (count > maxItems)
        {
            throw new ApiException(ApiFailure.TooLarge, $"The batch has {count} items; one request may carry at most {maxItems}. Split it into smaller requests.", field);
        }

        foreach (var item in list.EnumerateArray())
        {
            items.Add(item);
        }

        return items;
    }
}
