using System.Globalization;
using System.Text.Json.Nodes;

namespace OtelLlm.Receiver.Normalization;

/// <summary>
/// Re-assembles flattened indexed attributes (<c>gen_ai.prompt.{i}.role</c>, <c>llm.input_messages.{i}.message.tool_calls.{k}...</c>)
/// into groups ordered by index. Indices need not be contiguous; malformed indices are ignored.
/// </summary>
internal static class IndexedAttributes
{
    /// <summary>Groups <c>{prefix}{i}.{rest}</c> attributes by <c>i</c>, keyed within a group by <c>rest</c>.</summary>
    public static SortedDictionary<int, Dictionary<string, AnyValue>> Group(AttributeMap map, string prefix)
    {
        var groups = new SortedDictionary<int, Dictionary<string, AnyValue>>();
        foreach (var kv in map.Source)
        {
            if (kv.Value is not null && kv.Key.StartsWith(prefix, StringComparison.Ordinal))
            {
                Add(groups, kv.Key.AsSpan(prefix.Length), kv.Value);
            }
        }

        return groups;
    }

    /// <summary>
    /// One OTel-schema message per group, in index order (<see langword="null"/> when there are none): its role from
    /// <paramref name="roleKey"/> (an assistant's on output, a user's on input when absent), its parts and anything
    /// else from <paramref name="fill"/>, which is given the group and <paramref name="state"/> (so a static lambda
    /// serves, and a span without such attributes allocates nothing).
    /// </summary>
    public static JsonArray? Messages<TState>(SortedDictionary<int, Dictionary<string, AnyValue>> groups, string roleKey, bool output, TState state, Action<MessageGroup, TState> fill)
    {
        if (groups.Count == 0)
        {
            return null;
        }

        var messages = new JsonArray();
        foreach (var (_, fields) in groups)
        {
            var role = MessageJson.Role(GetString(fields, roleKey) ?? (output ? "assistant" : "user"));
            var parts = new JsonArray();
            var message = new JsonObject { ["role"] = role, ["parts"] = parts };
            fill(new MessageGroup(fields, role, parts, message, messages.Count, output), state);
            messages.Add(message);
        }

        return messages;
    }

    /// <summary>Groups the <c>{prefix}{i}.{rest}</c> entries of an already-grouped dictionary.</summary>
    public static SortedDictionary<int, Dictionary<string, AnyValue>> Group(Dictionary<string, AnyValue> fields, string prefix)
    {
        var groups = new SortedDictionary<int, Dictionary<string, AnyValue>>();
        foreach (var (key, value) in fields)
        {
            if (key.StartsWith(prefix, StringComparison.Ordinal))
            {
                Add(groups, key.AsSpan(prefix.Length), value);
            }
        }

        return groups;
    }

    public static string? GetString(Dictionary<string, AnyValue> fields, string key)
    {
        if (!fields.TryGetValue(key, out var value))
        {
            return null;
        }

        var text = Decoding.AnyValueText.ToText(value);
        return text.Length == 0 ? null : text;
    }

    private static void Add(SortedDictionary<int, Dictionary<string, AnyValue>> groups, ReadOnlySpan<char> rest, AnyValue value)
    {
        var dot = rest.IndexOf('.');
        var indexText = dot < 0 ? rest : rest[..dot];
        if (!int.TryParse(indexText, NumberStyles.None, CultureInfo.InvariantCulture, out var index))
        {
            return;
        }

        if (!groups.TryGetValue(index, out var group))
        {
            group = new Dictionary<string, AnyValue>(StringComparer.Ordinal);
            groups.Add(index, group);
        }

        group.TryAdd(dot < 0 ? string.Empty : rest[(dot + 1)..].ToString(), value);
    }
}

/// <summary>One indexed group being made into a message: its attributes, role, parts, the message, its index, and whether it is output.</summary>
internal readonly record struct MessageGroup(Dictionary<string, AnyValue> Fields, string Role, JsonArray Parts, JsonObject Message, int Index, bool Output);
