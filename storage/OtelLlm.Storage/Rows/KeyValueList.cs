namespace OtelLlm.Storage.Rows;

/// <summary>
/// Attribute keys and values kept as two parallel lists, the shape of a <c>Nested(Key String, Value String)</c>
/// column. Values are text: strings as they are, numbers and booleans in invariant form, arrays and maps as JSON.
/// </summary>
public sealed class KeyValueList
{
    /// <summary>An empty list to share where a row has no attributes. Never add to it.</summary>
    public static KeyValueList Empty { get; } = new(0);

    /// <summary>Creates an empty list.</summary>
    public KeyValueList(int capacity = 8)
    {
        Keys = new List<string>(capacity);
        Values = new List<string>(capacity);
    }

    /// <summary>The keys, in the order added.</summary>
    public List<string> Keys { get; }

    /// <summary>The values, parallel to <see cref="Keys"/>.</summary>
    public List<string> Values { get; }

    /// <summary>How many pairs there are.</summary>
    public int Count => Keys.Count;

    /// <summary>Adds a pair.</summary>
    public void Add(string key, string value)
    {
        Keys.Add(key);
        Values.Add(value);
    }

    /// <summary>The value of the first pair with this key, or <see langword="null"/>.</summary>
    public string? Get(string key)
    {
        var i = Keys.IndexOf(key);
        return i < 0 ? null : Values[i];
    }

    /// <summary>Removes every pair.</summary>
    public void Clear()
    {
        Keys.Clear();
        Values.Clear();
    }
}
