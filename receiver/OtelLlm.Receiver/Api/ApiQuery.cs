using System.Globalization;

namespace OtelLlm.Receiver.Api;

/// <summary>
/// Reads query-string parameters, recording every problem in one <see cref="ApiErrors"/> (index <see langword="null"/>,
/// field = the parameter's name); call <see cref="ApiErrors.ThrowIfAny"/> once all are read.
/// </summary>
internal sealed class ApiQuery(ApiErrors errors)
{
    public ApiErrors Errors { get; } = errors;

    /// <summary>
    /// A time range from <c>from</c> and <c>to</c> (ISO 8601 with an offset). <c>to</c> defaults to a second from now
    /// (so what was stored this very second is in) and
    /// <c>from</c> to <paramref name="defaultSpan"/> before <c>to</c>; <c>from</c> must come before <c>to</c>.
    /// </summary>
    public (DateTimeOffset From, DateTimeOffset To) Range(string? from, string? to, TimeSpan defaultSpan)
    {
        var end = Time("to", to) ?? DateTimeOffset.UtcNow.AddSeconds(1);
        var start = Time("from", from) ?? end - defaultSpan;
        if (start >= end)
        {
            Errors.Add(null, "from", $"'from' ({ApiTime.Format(start)}) must be before 'to' ({ApiTime.Format(end)}).");
        }

        return (start, end);
    }

    public DateTimeOffset? Time(string name, string? value)
        => Parse<DateTimeOffset?>(name, value, null, "is not an ISO 8601 time with an offset, such as 2025-06-01T00:00:00Z", v => (ApiTime.TryParse(v, out var t), t));

    /// <summary>One of <paramref name="allowed"/> (without case), <paramref name="fallback"/> when absent.</summary>
    public string OneOf(string name, string? value, string fallback, params string[] allowed)
        => Parse(name, value, fallback, $"is not allowed; use one of: {string.Join(", ", allowed)}", v => allowed.FirstOrDefault(a => string.Equals(a, v, StringComparison.OrdinalIgnoreCase)) is { } a ? (true, a) : (false, fallback));

    public int Int(string name, string? value, int fallback, int min, int max)
        => Parse(name, value, fallback, $"is not a whole number from {min} to {max}", v => (int.TryParse(v, NumberStyles.Integer, CultureInfo.InvariantCulture, out var n) && n >= min && n <= max, n));

    public double? Double(string name, string? value, double min, double max)
        => Parse<double?>(
            name,
            value,
            null,
            $"is not a number from {min.ToString(CultureInfo.InvariantCulture)} to {max.ToString(CultureInfo.InvariantCulture)}",
            v => (double.TryParse(v, NumberStyles.Float, CultureInfo.InvariantCulture, out var d) && d >= min && d <= max, d));

    public bool Bool(string name, string? value, bool fallback)
        => Parse(name, value, fallback, "is not true or false", v => (bool.TryParse(v, out var b), b));

    /// <summary>
    /// <paramref name="fallback"/> when <paramref name="value"/> is absent; else what <paramref name="parse"/> makes of
    /// it, or, when it fails, <paramref name="fallback"/> with the error "'value' <paramref name="problem"/>." recorded.
    /// </summary>
    private T Parse<T>(string name, string? value, T fallback, string problem, Func<string, (bool Ok, T Value)> parse)
    {
        if (string.IsNullOrEmpty(value))
        {
            return fallback;
        }

        var (ok, parsed) = parse(value);
        if (ok)
        {
            return parsed;
        }

        Errors.Add(null, name, $"'{value}' {problem}.");
        return fallback;
    }
}
