using System.Globalization;
using System.Text.Json;

namespace OtelLlm.Receiver.Api;

/// <summary>
/// Reads the fields of one JSON object of a request, recording every problem in <see cref="ApiErrors"/> with the
/// item's index and the field's path instead of stopping at the first. Every field read is remembered, so
/// <see cref="RejectUnknown"/> can name the ones the endpoint does not know (a misspelt field is an error, not silence).
/// </summary>
internal sealed class JsonItem
{
    private readonly JsonElement _element;
    private readonly ApiErrors _errors;
    private readonly string _prefix;
    private readonly HashSet<string> _known = new(StringComparer.Ordinal);

    public JsonItem(JsonElement element, int index, ApiErrors errors, string prefix = "")
    {
        _element = element;
        _errors = errors;
        _prefix = prefix;
        Index = index;
        IsObject = element.ValueKind == JsonValueKind.Object;
        if (!IsObject)
        {
            errors.Add(index, prefix.Length == 0 ? null : prefix, $"Expected a JSON object, found {Describe(element)}.");
        }
    }

    public int Index { get; }

    public bool IsObject { get; }

    /// <summary>The path of <paramref name="name"/> inside the request, for error messages.</summary>
    public string Path(string name) => _prefix.Length == 0 ? name : _prefix + "." + name;

    public void Error(string name, string message) => _errors.Add(Index, Path(name), message);

    /// <summary>The raw value, or <see langword="null"/> when absent or JSON <c>null</c>.</summary>
    public JsonElement? Value(string name)
    {
        _known.Add(name);
        if (IsObject && _element.TryGetProperty(name, out var value) && value.ValueKind != JsonValueKind.Null)
        {
            return value;
        }

        return null;
    }

    public string? String(string name, bool required = false, int maxLength = 0)
    {
        if (Value(name, required, "a string") is not { } v)
        {
            return null;
        }

        if (v.ValueKind != JsonValueKind.String)
        {
            Error(name, $"Expected a string, found {Describe(v)}.");
            return null;
        }

        var text = v.GetString()!;
        if (required && text.Length == 0)
        {
            Error(name, "Must not be empty.");
            return null;
        }

        if (maxLength > 0 && text.Length > maxLength)
        {
            Error(name, $"Is {text.Length} characters long; the most allowed is {maxLength}.");
            return null;
        }

        return text;
    }

    /// <summary>A string that must be one of <paramref name="allowed"/> (compared without case; returned as listed).</summary>
    public string? OneOf(string name, IReadOnlyList<string> allowed, bool required = false)
    {
        var text = String(name, required);
        if (text is null)
        {
            return null;
        }

        foreach (var a in allowed)
        {
            if (string.Equals(a, text, StringComparison.OrdinalIgnoreCase))
            {
                return a;
            }
        }

        Error(name, $"'{text}' is not allowed; use one of: {string.Join(", ", allowed)}.");
        return null;
    }

    public double? Number(string name, double min = double.MinValue, double max = double.MaxValue, bool required = false)
    {
        var number = Read(name, required, "a number", "a number", v => v.ValueKind == JsonValueKind.Number && v.TryGetDouble(out var d) && double.IsFinite(d) ? d : (double?)null);
        if (number is { } n && (n < min || n > max))
        {
            Error(name, $"{n.ToString(CultureInfo.InvariantCulture)} is out of range; expected {Range(min, max)}.");
            return null;
        }

        return number;
    }

    public long? Integer(string name, long min = 0, long max = long.MaxValue, bool required = false)
    {
        var integer = Read(name, required, "an integer", "a whole number", v => v.ValueKind == JsonValueKind.Number && v.TryGetInt64(out var n) ? n : (long?)null);
        if (integer is { } i && (i < min || i > max))
        {
            Error(name, $"{i.ToString(CultureInfo.InvariantCulture)} is out of range; expected {Range(min, max)}.");
            return null;
        }

        return integer;
    }

    public bool? Boolean(string name, bool required = false)
        => Read(name, required, "true or false", "true or false", v => v.ValueKind is JsonValueKind.True or JsonValueKind.False ? v.GetBoolean() : (bool?)null);

    /// <summary>A point in time: an ISO 8601 string with an offset (<c>2025-06-01T12:00:00Z</c>) or Unix milliseconds.</summary>
    public DateTimeOffset? Time(string name, bool required = false)
        => Read(name, required, "a time", "an ISO 8601 time with an offset (2025-06-01T12:00:00Z) or Unix milliseconds", v => v switch
        {
            { ValueKind: JsonValueKind.Number } when v.TryGetInt64(out var ms) && ms is >= 0 and <= 253_402_300_799_999 => DateTimeOffset.FromUnixTimeMilliseconds(ms),
            { ValueKind: JsonValueKind.String } when ApiTime.TryParse(v.GetString(), out var time) => time,
            _ => (DateTimeOffset?)null,
        });

    /// <summary>A lowercase hex id of <paramref name="hexDigits"/> digits (trace 32, span 16), not all zeros.</summary>
    public string? HexId(string name, int hexDigits, bool required = false)
    {
        var text = String(name, required);
        if (text is null)
        {
            return null;
        }

        if (!ApiIds.IsHexId(text, hexDigits))
        {
            Error(name, $"'{Shorten(text)}' is not a {hexDigits}-digit hex id (W3C trace context; not all zeros).");
            return null;
        }

        return text.ToLowerInvariant();
    }

    /// <summary>A nested object, read with the same error list; <see langword="null"/> when absent or not an object.</summary>
    public JsonItem? Object(string name, bool required = false)
    {
        if (Value(name, required, "an object") is not { } v)
        {
            return null;
        }

        var nested = new JsonItem(v, Index, _errors, Path(name));
        return nested.IsObject ? nested : null;
    }

    /// <summary>
    /// An object of string, number or boolean values (attributes, metadata), as text pairs in property order.
    /// </summary>
    public List<KeyValuePair<string, string>>? StringMap(string name, int maxEntries = 256)
    {
        var value = Value(name);
        if (value is not { } v)
        {
            return null;
        }

        if (v.ValueKind != JsonValueKind.Object)
        {
            Error(name, $"Expected an object of string, number or boolean values, found {Describe(v)}.");
            return null;
        }

        var pairs = new List<KeyValuePair<string, string>>();
        foreach (var p in v.EnumerateObject())
        {
            if (pairs.Count == maxEntries)
            {
                Error(name, $"Has more than {maxEntries} entries.");
                return null;
            }

            switch (p.Value.ValueKind)
            {
                case JsonValueKind.String:
                    pairs.Add(new(p.Name, p.Value.GetString()!));
                    break;
                case JsonValueKind.Number or JsonValueKind.True or JsonValueKind.False:
                    pairs.Add(new(p.Name, p.Value.GetRawText()));
                    break;
                default:
                    _errors.Add(Index, Path(name) + "." + p.Name, $"Expected a string, number or boolean, found {Describe(p.Value)}.");
                    break;
            }
        }

        return pairs;
    }

    /// <summary>Adds an error for every field of the object that no reader asked for.</summary>
    public void RejectUnknown()
    {
        if (!IsObject)
        {
            return;
        }

        foreach (var p in _element.EnumerateObject())
        {
            if (!_known.Contains(p.Name))
            {
                Error(p.Name, $"Unknown field; known fields are: {string.Join(", ", _known)}.");
            }
        }
    }

    public static string Describe(JsonElement e) => e.ValueKind switch
    {
        JsonValueKind.Object => "an object",
        JsonValueKind.Array => "an array",
        JsonValueKind.String => $"the string \"{Shorten(e.GetString()!)}\"",
        JsonValueKind.Number => $"the number {Shorten(e.GetRawText())}",
        JsonValueKind.True or JsonValueKind.False => e.GetRawText(),
        JsonValueKind.Null => "null",
        _ => "nothing",
    };

    private static string Shorten(string text) => text.Length <= 40 ? text : text[..40] + "…";

    private static string Range(double min, double max)
        => (min, max) switch
        {
            (double.MinValue, _) => $"at most {max.ToString(CultureInfo.InvariantCulture)}",
            (_, double.MaxValue) => $"at least {min.ToString(CultureInfo.InvariantCulture)}",
            _ => $"{min.ToString(CultureInfo.InvariantCulture)} to {max.ToString(CultureInfo.InvariantCulture)}",
        };

    private static string Range(long min, long max)
        => max == long.MaxValue ? $"at least {min.ToString(CultureInfo.InvariantCulture)}" : $"{min.ToString(CultureInfo.InvariantCulture)} to {max.ToString(CultureInfo.InvariantCulture)}";

    /// <summary>
    /// The value of <paramref name="name"/> as <paramref name="convert"/> reads it; when it cannot (it returns
    /// <see langword="null"/>), the error "Expected <paramref name="expected"/>, found …" and <see langword="null"/>.
    /// </summary>
    private T? Read<T>(string name, bool required, string what, string expected, Func<JsonElement, T?> convert)
        where T : struct
    {
        if (Value(name, required, what) is not { } v)
        {
            return null;
        }

        if (convert(v) is { } value)
        {
            return value;
        }

        Error(name, $"Expected {expected}, found {Describe(v)}.");
        return null;
    }

    /// <summary><see cref="Value(string)"/>, recording "Required: <paramref name="what"/>." when absent and <paramref name="required"/>.</summary>
    private JsonElement? Value(string name, bool required, string what)
    {
        var value = Value(name);
        if (value is null && required)
        {
            Error(name, $"Required: {what}.");
        }

        return value;
    }
}
