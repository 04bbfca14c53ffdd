using System.Globalization;
using System.Text.Json;
using OtelLlm.Storage.ClickHouse;

namespace OtelLlm.Receiver.Api;

/// <summary>
/// Pieces of SQL the API's queries share. Every value reaches SQL through <see cref="SqlLiteral.Quote"/> or as a
/// number formatted here; nothing from a request is pasted in any other way.
/// </summary>
internal static class ApiSql
{
    /// <summary>A <c>DateTime</c> literal for <paramref name="time"/>, whole seconds rounded down.</summary>
    public static string Time(DateTimeOffset time) => $"toDateTime({time.ToUnixTimeSeconds().ToString(CultureInfo.InvariantCulture)})";

    /// <summary><c>column = 'value'</c>, or <c>1</c> when <paramref name="value"/> is empty (no filter).</summary>
    public static string Equal(string column, string? value)
        => string.IsNullOrEmpty(value) ? "1" : $"{column} = {SqlLiteral.Quote(value)}";

    /// <summary>
    /// <c>column &gt;= from AND column &lt; to</c> for a <c>DateTime</c> column (whole seconds): <paramref name="from"/>
    /// is rounded down and <paramref name="to"/> up, so a row stamped in the second <paramref name="to"/> falls in is kept.
    /// </summary>
    public static string Between(string column, DateTimeOffset from, DateTimeOffset to)
    {
        var end = to.ToUnixTimeMilliseconds() % 1000 == 0 ? to : to.AddSeconds(1);
        return $"{column} >= {Time(from)} AND {column} < {Time(end)}";
    }

    public static string Number(double value) => value.ToString("R", CultureInfo.InvariantCulture);

    /// <summary>SQL for a <c>DateTime('UTC')</c> <paramref name="column"/> in ISO 8601 (<c>2025-06-01T12:00:00Z</c>).</summary>
    public static string IsoTime(string column) => $"formatDateTime({column}, '%Y-%m-%dT%H:%M:%SZ')";

    /// <summary>
    /// SQL for nanoseconds since the epoch in ISO 8601 UTC to the 100 ns, trailing zeros of the fraction left out, as
    /// <see cref="ApiTime.Format"/> writes it (<c>2025-06-01T12:00:00.1234567Z</c>, <c>2025-06-01T12:00:00Z</c>).
    /// </summary>
    public static string IsoNanos(string nanos)
    {
        var ticks = $"intDiv({nanos} % 1000000000, 100)";
        return $"concat(formatDateTime(toDateTime(intDiv({nanos}, 1000000000), 'UTC'), '%Y-%m-%dT%H:%M:%S'), " +
            $"if({ticks} = 0, '', concat('.', replaceRegexpOne(substring(toString(10000000 + {ticks}), 2), '0+$', ''))), 'Z')";
    }

    /// <summary>A number ClickHouse's JSON may write quoted (64-bit integers) or not.</summary>
    public static double Double(JsonElement value)
        => value.ValueKind == JsonValueKind.String ? double.Parse(value.GetString()!, CultureInfo.InvariantCulture) : value.GetDouble();

    public static long Long(JsonElement value)
        => value.ValueKind == JsonValueKind.String ? long.Parse(value.GetString()!, CultureInfo.InvariantCulture) : value.GetInt64();

    public static double? NullableDouble(JsonElement value) => value.ValueKind == JsonValueKind.Null ? null : Double(value);

    /// <summary>
    /// A page from rows read with <c>LIMIT limit + 1</c>: the first <paramref name="limit"/> rows, mapped, and whether
    /// there were more.
    /// </summary>
    public static (List<T> Items, bool Truncated) Page<T>(IReadOnlyList<JsonElement> rows, int limit, Func<JsonElement, T> map)
        => ([.. rows.Take(limit).Select(map)], rows.Count > limit);

    /// <summary>A string column, <see langword="null"/> when empty.</summary>
    public static string? Text(JsonElement value) => value.GetString() is { Length: > 0 } s ? s : null;
}
