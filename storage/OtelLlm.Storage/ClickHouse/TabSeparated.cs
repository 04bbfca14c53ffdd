using System.Text;

namespace OtelLlm.Storage.ClickHouse;

/// <summary>
/// Reads ClickHouse's <c>TabSeparated</c> output: one row a line, tab between fields, backslash escapes.
/// Arrays come back in ClickHouse's literal syntax, whose inner escapes this does not keep apart; read
/// arrays with <see cref="ClickHouseClient.QueryJsonAsync"/> instead.
/// </summary>
public static class TabSeparated
{
    /// <summary>
    /// How a <c>NULL</c> field comes back from <see cref="Parse"/>: the two characters backslash and N. A string
    /// value of exactly those two characters reads the same; select <c>isNull(column)</c> where that matters.
    /// </summary>
    public const string Null = "\\N";

    /// <summary>Splits a whole <c>TabSeparated</c> reply into rows of unescaped fields.</summary>
    public static IReadOnlyList<string[]> Parse(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var rows = new List<string[]>();
        var fields = new List<string>();
        var field = new StringBuilder();
        var i = 0;
        while (i < text.Length)
        {
            var c = text[i];
            if (c == '\\' && field.Length == 0 && i + 1 < text.Length && text[i + 1] == 'N'
                && (i + 2 == text.Length || text[i + 2] is '\t' or '\n'))
            {
                field.Append(Null);
                i += 2;
                continue;
            }

            if (c == '\\' && i + 1 < text.Length)
            {
                field.Append(Unescape(text[i + 1]));
                i += 2;
                continue;
            }

            if (c == '\t')
            {
                fields.Add(field.ToString());
                field.Clear();
            }
            else if (c == '\n')
            {
                fields.Add(field.ToString());
                field.Clear();
                rows.Add([.. fields]);
                fields.Clear();
            }
            else
            {
                field.Append(c);
            }

            i++;
        }

        if (field.Length > 0 || fields.Count > 0)
        {
            fields.Add(field.ToString());
            rows.Add([.. fields]);
        }

        return rows;
    }

    private static char Unescape(char c) => c switch
    {
        'n' => '\n',
        't' => '\t',
        'r' => '\r',
        '0' => '\0',
        'b' => '\b',
        'f' => '\f',
        'a' => '\a',
        'v' => '\v',
        _ => c,
    };
}
