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
    {
        if (string.IsNullOrEmpty(value))
        {
            return null;
        }

        if (ApiTime.TryParse(value, out var time))
        {
            return time;
        }

        Errors.Add(null, name, $"'{value}' is not an ISO 8601 time with an offset, such as 2025-06-01T00:00:00Z.");
        return null;
    }

    /// <summary>One of <paramref name="allowed"/> (without case), <paramref name="fallback"/> when absent.</summary>
    public string OneOf(string name, string? value, string fallback, params string[] allowed)
    {
        if (string.IsNullOrEmpty(value))
        {
            return fallback;
        }

        foreach (var a in allowed)
        {
            if (string.Equals(a, value, StringComparison.OrdinalIgnoreCase))
            {
                return a;
            }
        }

        Errors.Add(null, name, $"'{value}' is not allowed; use one of: {string.Join(", ", allowed)}.");
        return fallback;
    }

    public int Int(string name, string? value, int fallback, int min, int max)
    {
        if (string.IsNullOrEmpty(value))
        {
            return fallback;
        }

        if (int.TryParse(value, NumberStyles.Integer, CultureInfo.InvariantCulture, out var n) && n >= min && n <= max)
        {
            return n;
        }

        Errors.Add(null, name, $"'{value}' is not a whole number from {min} to {max}.");
        return fallback;
    }

    public double? Double(string name, string? value, double min, double max)
    {
        if (string.IsNullOrEmpty(value))
        {
            return null;
        }

        if (double.TryParse(value, NumberStyles.Float, CultureInfo.InvariantCulture, out var d) && d >= min && d <= max)
        {
            return d;
        }

        Errors.Add(null, name, $"'{value}' is not a number from {min.ToString(CultureInfo.InvariantCulture)} to {max.ToString(CultureInfo.InvariantCulture)}.");
        return null;
    }

    public bool Bool(string name, string? value, bool fallback)
    {
        if (string.IsNullOrEmpty(value))
        {
            return fallback;
        }

        if (bool.TryParse(value, out var b))
        {
            return b;
        }

        Errors.Add(null, name, $"'{value}' is not true or false.");
        return fallback;
    }
}
