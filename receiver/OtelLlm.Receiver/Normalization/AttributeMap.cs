using System.Globalization;
using System.Text.Json;
using Google.Protobuf.Collections;
using OtelLlm.Receiver.Decoding;

namespace OtelLlm.Receiver.Normalization;

/// <summary>
/// The one way dialects read attributes: a by-name view of an OTLP attribute list with lenient typed getters.
/// Instrumentations disagree on types (tokens as double from JavaScript, as strings from hand-written code, finish
/// reasons as a JSON string from Microsoft.Extensions.AI), so every getter accepts any sensible encoding and returns
/// <see langword="null"/> rather than throwing when the value makes no sense.
/// </summary>
internal sealed class AttributeMap
{
    /// <summary>
    /// Up to this many attributes a lookup scans the list (a chat span has 10–20, and a dialect makes a few dozen
    /// lookups): no dictionary is built per span. Longer lists (indexed content) get one.
    /// </summary>
    private const int ScanLimit = 24;

    private Dictionary<string, AnyValue>? _values;

    public AttributeMap(RepeatedField<KeyValue> attributes)
    {
        ArgumentNullException.ThrowIfNull(attributes);
        Source = attributes;
    }

    /// <summary>The attribute list in wire order.</summary>
    public RepeatedField<KeyValue> Source { get; }

    public bool Contains(string key) => Find(key) is not null;

    public AnyValue? Get(string key) => Find(key);

    /// <summary>The value of the first pair with this key that has a value (later duplicates never win).</summary>
    private AnyValue? Find(string key)
    {
        var source = Source;
        if (source.Count <= ScanLimit)
        {
            for (var i = 0; i < source.Count; i++)
            {
                var kv = source[i];
                if (kv.Value is not null && string.Equals(kv.Key, key, StringComparison.Ordinal))
                {
                    return kv.Value;
                }
            }

            return null;
        }

        if (_values is null)
        {
            _values = new Dictionary<string, AnyValue>(source.Count, StringComparer.Ordinal);
            for (var i = 0; i < source.Count; i++)
            {
                var kv = source[i];
                if (kv.Value is not null)
                {
                    _values.TryAdd(kv.Key, kv.Value);
                }
            }
        }

        return _values.TryGetValue(key, out var found) ? found : null;
    }

    public bool HasKeyStartingWith(string prefix)
    {
        for (var i = 0; i < Source.Count; i++)
        {
            if (Source[i].Key.StartsWith(prefix, StringComparison.Ordinal))
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>The value as text (numbers invariant, arrays as JSON); <see langword="null"/> when absent or empty.</summary>
    public string? GetString(string key)
    {
        if (Find(key) is not { } v)
        {
            return null;
        }

        var text = AnyValueText.ToText(v);
        return text.Length == 0 ? null : text;
    }

    /// <summary>The first present, non-empty string of several names, in priority order.</summary>
    public string? FirstString(params ReadOnlySpan<string> keys)
    {
        foreach (var key in keys)
        {
            if (GetString(key) is { } s)
            {
                return s;
            }
        }

        return null;
    }

    public long? GetInt64(string key) => Find(key) is { } v ? ToInt64(v) : null;

    /// <summary>The first present, parseable integer of several names, in priority order.</summary>
    public long? FirstInt64(params ReadOnlySpan<string> keys) => First(keys, ToInt64);

    public double? GetDouble(string key) => Find(key) is { } v ? ToDouble(v) : null;

    public double? FirstDouble(params ReadOnlySpan<string> keys) => First(keys, ToDouble);

    public bool? GetBool(string key) => Find(key) is { } v ? ToBool(v) : null;

    public bool? FirstBool(params ReadOnlySpan<string> keys) => First(keys, ToBool);

    private T? First<T>(ReadOnlySpan<string> keys, Func<AnyValue, T?> convert)
        where T : struct
    {
        foreach (var key in keys)
        {
            if (Find(key) is { } v && convert(v) is { } value)
            {
                return value;
            }
        }

        return null;
    }

    /// <summary>A string list from a string array, a JSON-encoded array string, or a single string.</summary>
    public List<string>? GetStringList(string key) => Find(key) is { } v ? ToStringList(v) : null;

    /// <summary>The first present string list of several names, in priority order.</summary>
    public List<string>? FirstStringList(params ReadOnlySpan<string> keys)
    {
        foreach (var key in keys)
        {
            if (GetStringList(key) is { } list)
            {
                return list;
            }
        }

        return null;
    }

    public static long? ToInt64(AnyValue v)
    {
        switch (v.ValueCase)
        {
            case AnyValue.ValueOneofCase.IntValue:
                return v.IntValue;
            case AnyValue.ValueOneofCase.DoubleValue:
                return DoubleToInt64(v.DoubleValue);
            case AnyValue.ValueOneofCase.StringValue:
                var s = v.StringValue.Trim();
                if (long.TryParse(s, NumberStyles.Integer, CultureInfo.InvariantCulture, out var n))
                {
                    return n;
                }

                return double.TryParse(s, NumberStyles.Float, CultureInfo.InvariantCulture, out var d) ? DoubleToInt64(d) : null;
            default:
                return null;
        }
    }

    public static double? ToDouble(AnyValue v)
    {
        switch (v.ValueCase)
        {
            case AnyValue.ValueOneofCase.DoubleValue:
                return double.IsFinite(v.DoubleValue) ? v.DoubleValue : null;
            case AnyValue.ValueOneofCase.IntValue:
                return v.IntValue;
            case AnyValue.ValueOneofCase.StringValue:
                return double.TryParse(v.StringValue.Trim(), NumberStyles.Float, CultureInfo.InvariantCulture, out var d) && double.IsFinite(d)
                    ? d
                    : null;
            default:
                return null;
        }
    }

    public static bool? ToBool(AnyValue v) => v.ValueCase switch
    {
        AnyValue.ValueOneofCase.BoolValue => v.BoolValue,
        AnyValue.ValueOneofCase.IntValue => v.IntValue != 0,
        AnyValue.ValueOneofCase.StringValue when bool.TryParse(v.StringValue.Trim(), out var b) => b,
        _ => null,
    };

    public static List<string>? ToStringList(AnyValue v)
    {
        switch (v.ValueCase)
        {
            case AnyValue.ValueOneofCase.ArrayValue:
                var list = new List<string>(v.ArrayValue.Values.Count);
                foreach (var item in v.ArrayValue.Values)
                {
                    var text = AnyValueText.ToText(item);
                    if (text.Length > 0)
                    {
                        list.Add(text);
                    }
                }

                return list;
            case AnyValue.ValueOneofCase.StringValue:
                var s = v.StringValue.Trim();
                if (s.Length == 0)
                {
                    return null;
                }

                if (s[0] == '[' && TryParseJsonStringArray(s) is { } parsed)
                {
                    return parsed;
                }

                return [s];
            default:
                return null;
        }
    }

    private static List<string>? TryParseJsonStringArray(string json)
    {
        try
        {
            using var doc = JsonDocument.Parse(json);
            if (doc.RootElement.ValueKind != JsonValueKind.Array)
            {
                return null;
            }

            var list = new List<string>(doc.RootElement.GetArrayLength());
            foreach (var e in doc.RootElement.EnumerateArray())
            {
                var text = e.ValueKind == JsonValueKind.String ? e.GetString() : e.GetRawText();
                if (!string.IsNullOrEmpty(text))
                {
                    list.Add(text);
                }
            }

            return list;
        }
        catch (JsonException)
        {
            return null;
        }
    }

    private static long? DoubleToInt64(double d) =>
        double.IsFinite(d) && d >= long.MinValue && d <= long.MaxValue ? (long)Math.Round(d) : null;
}
