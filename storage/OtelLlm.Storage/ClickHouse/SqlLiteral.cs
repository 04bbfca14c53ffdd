using System.Text;

namespace OtelLlm.Storage.ClickHouse;

/// <summary>
/// The one way OtelLlm puts a value into SQL text. Values reach ClickHouse either as RowBinary or through
/// <see cref="Quote(string)"/>; no SQL is built from input any other way.
/// </summary>
public static class SqlLiteral
{
    /// <summary>Quotes a string as a ClickHouse string literal, escaping every character the parser treats specially.</summary>
    /// <param name="value">Any string, including quotes, backslashes, control characters and non-BMP characters.</param>
    /// <returns>The literal, with its single quotes.</returns>
    public static string Quote(string value)
    {
        ArgumentNullException.ThrowIfNull(value);
        var sb = new StringBuilder(value.Length + 8);
        sb.Append('\'');
        foreach (var c in value)
        {
            switch (c)
            {
                case '\\': sb.Append("\\\\"); break;
                case '\'': sb.Append("\\'"); break;
                case '\n': sb.Append("\\n"); break;
                case '\r': sb.Append("\\r"); break;
                case '\t': sb.Append("\\t"); break;
                case '\0': sb.Append("\\0"); break;
                case '\b': sb.Append("\\b"); break;
                case '\f': sb.Append("\\f"); break;
                default: sb.Append(c); break;
            }
        }

        sb.Append('\'');
        return sb.ToString();
    }

    /// <summary>
    /// Checks that a database, table or cluster name is a plain identifier (letters, digits, underscore, not
    /// starting with a digit) and returns it. Names come from configuration, never from requests; anything
    /// else is refused rather than escaped.
    /// </summary>
    /// <exception cref="ArgumentException">The name is empty or has another character.</exception>
    public static string Identifier(string name)
    {
        if (string.IsNullOrEmpty(name) || char.IsAsciiDigit(name[0]))
        {
            throw new ArgumentException($"'{name}' is not a valid ClickHouse identifier: use letters, digits and '_', not starting with a digit.", nameof(name));
        }

        foreach (var c in name)
        {
            if (!char.IsAsciiLetterOrDigit(c) && c != '_')
            {
                throw new ArgumentException($"'{name}' is not a valid ClickHouse identifier: use letters, digits and '_', not starting with a digit.", nameof(name));
            }
        }

        return name;
    }
}
