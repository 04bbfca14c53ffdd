using System.Globalization;

namespace OtelLlm.Receiver.Api;

/// <summary>Times as the API reads and writes them: ISO 8601 with an offset, always answered in UTC.</summary>
internal static class ApiTime
{
    /// <summary>Parses an ISO 8601 date and time from 1970 on; a value without an offset is refused rather than guessed.</summary>
    public static bool TryParse(string? text, out DateTimeOffset time)
    {
        time = default;
        if (string.IsNullOrWhiteSpace(text) || text.Length < 20)
        {
            return false;
        }

        // An offset is required: 'Z' or ±hh:mm at the end.
        var last = text[^1];
        var hasOffset = last is 'Z' or 'z' || (text.Length > 6 && text[^6] is '+' or '-' && text[^3] == ':');
        return hasOffset && DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.AdjustToUniversal, out time)
            && time >= DateTimeOffset.UnixEpoch;
    }

    /// <summary><paramref name="time"/> as <c>2025-06-01T12:00:00.123Z</c>.</summary>
    public static string Format(DateTimeOffset time) => time.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.FFFFFFF'Z'", CultureInfo.InvariantCulture);
}

/// <summary>W3C trace-context ids as the storage keeps them: lowercase hex.</summary>
internal static class ApiIds
{
    public static bool IsHexId(string text, int hexDigits)
    {
        if (text.Length != hexDigits)
        {
            return false;
        }

        var zero = true;
        foreach (var c in text)
        {
            if (!char.IsAsciiHexDigit(c))
            {
                return false;
            }

            zero &= c == '0';
        }

        return !zero;
    }

    /// <summary>A new random id of <paramref name="bytes"/> bytes as lowercase hex (16 for a trace, 8 for a span).</summary>
    public static string NewHexId(int bytes)
    {
        Span<byte> buffer = stackalloc byte[16];
        System.Security.Cryptography.RandomNumberGenerator.Fill(buffer[..bytes]);
        return Convert.ToHexStringLower(buffer[..bytes]);
    }
}
