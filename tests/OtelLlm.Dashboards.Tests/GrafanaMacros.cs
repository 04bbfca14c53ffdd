using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;

namespace OtelLlm.Dashboards.Tests;

/// <summary>The value a dashboard variable holds: one or more values, or All.</summary>
internal sealed record VariableValue(IReadOnlyList<string> Values, bool IsAll = false)
{
    public static VariableValue Of(params string[] values) => new(values);

    /// <summary>All selected, with no custom all value: Grafana substitutes every option.</summary>
    public static VariableValue All(IReadOnlyList<string> options) => new(options, IsAll: true);
}

/// <summary>
/// Expands a panel's SQL the way Grafana and the ClickHouse data source (grafana-clickhouse-datasource) do:
/// first the front end (<c>$__conditionalAll</c>, then template variables with their format), then the
/// back end's macros (<c>$__timeFilter</c>, <c>$__fromTime</c>, <c>$__toTime</c>, <c>$__interval_s</c>, ...).
/// Macros that emit SQL ClickHouse 18.16 lacks are refused, so a dashboard using them fails its test.
/// </summary>
internal static partial class GrafanaMacros
{
    private static readonly string[] s_nonPortable =
        ["$__timeInterval", "$__timeGroup", "$__timeFilter_ms", "$__fromTime_ms", "$__toTime_ms", "$__columns", "$__rateColumns",
         "$__perSecondColumns", "$__increaseColumns", "$__lttb", "$__adHocFilters"];

    public static string Expand(string sql, IReadOnlyDictionary<string, VariableValue> variables, DateTimeOffset from, DateTimeOffset to, int intervalSeconds)
    {
        var text = ApplyConditionalAll(sql, variables);
        text = ReplaceVariables(text, variables);
        return ExpandBackendMacros(text, from, to, intervalSeconds);
    }

    /// <summary>The front end's <c>$__conditionalAll(condition, $var)</c>: the condition, or <c>1=1</c> when the variable is All or empty.</summary>
    public static string ApplyConditionalAll(string sql, IReadOnlyDictionary<string, VariableValue> variables)
    {
        const string Macro = "$__conditionalAll(";
        var index = sql.LastIndexOf(Macro, StringComparison.Ordinal);
        while (index != -1)
        {
            var open = index + Macro.Length - 1;
            var (args, close) = MacroArguments(sql, open);
            if (args.Count != 2)
            {
                throw new FormatException($"$__conditionalAll needs two arguments at offset {index}.");
            }

            var name = VariableNameRegex().Match(args[1].Trim());
            var phrase = args[0];
            if (name.Success && variables.TryGetValue(name.Groups[1].Success ? name.Groups[1].Value : name.Groups[2].Value, out var value)
                && (value.IsAll || string.Join(",", value.Values).Length == 0))
            {
                phrase = "1=1";
            }

            sql = string.Concat(sql.AsSpan(0, index), phrase, sql.AsSpan(close + 1));
            index = index == 0 ? -1 : sql.LastIndexOf(Macro, index - 1, StringComparison.Ordinal);
        }

        return sql;
    }

    /// <summary>Grafana's template variable syntax: <c>$name</c>, <c>${name}</c>, <c>${name:format}</c>. Unknown names stay.</summary>
    public static string ReplaceVariables(string sql, IReadOnlyDictionary<string, VariableValue> variables) =>
        VariableRegex().Replace(sql, m =>
        {
            var name = m.Groups["plain"].Success ? m.Groups["plain"].Value : m.Groups["name"].Value;
            if (!variables.TryGetValue(name, out var value))
            {
                return m.Value;
            }

            var format = m.Groups["format"].Success ? m.Groups["format"].Value : null;
            return Format(value.Values, format);
        });

    /// <summary>Formats values like Grafana's format registry.</summary>
    public static string Format(IReadOnlyList<string> values, string? format) => format switch
    {
        "singlequote" => string.Join(",", values.Select(v => "'" + v.Replace("'", "\\'", StringComparison.Ordinal) + "'")),
        "doublequote" => string.Join(",", values.Select(v => "\"" + v.Replace("\"", "\\\"", StringComparison.Ordinal) + "\"")),
        "sqlstring" => string.Join(",", values.Select(v => "'" + v.Replace("'", "''", StringComparison.Ordinal) + "'")),
        "raw" or "csv" => string.Join(",", values),
        null => values.Count == 1 ? values[0] : "{" + string.Join(",", values) + "}",
        _ => throw new NotSupportedException($"Variable format '{format}' is not modelled by the test."),
    };

    /// <summary>The data source back end's macros (pkg/macros): time filters in whole seconds and the interval.</summary>
    public static string ExpandBackendMacros(string sql, DateTimeOffset from, DateTimeOffset to, int intervalSeconds)
    {
        foreach (var bad in s_nonPortable)
        {
            if (sql.Contains(bad, StringComparison.Ordinal))
            {
                throw new NotSupportedException($"{bad} emits SQL that ClickHouse 18.16 cannot run.");
            }
        }

        var f = from.ToUnixTimeSeconds().ToString(CultureInfo.InvariantCulture);
        var t = to.ToUnixTimeSeconds().ToString(CultureInfo.InvariantCulture);
        var result = new StringBuilder();
        var i = 0;
        while (i < sql.Length)
        {
            var at = sql.IndexOf("$__", i, StringComparison.Ordinal);
            if (at < 0)
            {
                result.Append(sql, i, sql.Length - i);
                break;
            }

            result.Append(sql, i, at - i);
            var nameEnd = at + 3;
            while (nameEnd < sql.Length && (char.IsLetterOrDigit(sql[nameEnd]) || sql[nameEnd] == '_'))
            {
                nameEnd++;
            }

            var name = sql[(at + 3)..nameEnd];
            switch (name)
            {
                case "timeFilter":
                case "timeFrom":
                case "timeTo":
                    {
                        var (args, close) = MacroArguments(sql, nameEnd);
                        var column = args.Single().Trim();
                        result.Append(name switch
                        {
                            "timeFilter" => $"{column} >= toDateTime({f}) AND {column} <= toDateTime({t})",
                            "timeFrom" => $"{column} >= toDateTime({f})",
                            _ => $"{column} <= toDateTime({t})",
                        });
                        i = close + 1;
                        continue;
                    }

                case "fromTime":
                    result.Append(CultureInfo.InvariantCulture, $"toDateTime({f})");
                    break;
                case "toTime":
                    result.Append(CultureInfo.InvariantCulture, $"toDateTime({t})");
                    break;
                case "interval_s":
                    result.Append(Math.Max(intervalSeconds, 1).ToString(CultureInfo.InvariantCulture));
                    break;
                default:
                    throw new NotSupportedException($"Macro $__{name} is not one the dashboards may use.");
            }

            i = nameEnd;
        }

        return result.ToString();
    }

    /// <summary>Arguments of a macro call whose '(' is at <paramref name="open"/>, split at top-level commas.</summary>
    private static (List<string> Args, int Close) MacroArguments(string sql, int open)
    {
        if (open >= sql.Length || sql[open] != '(')
        {
            throw new FormatException($"Expected '(' at offset {open}.");
        }

        var args = new List<string>();
        var depth = 0;
        var start = open + 1;
        for (var i = open; i < sql.Length; i++)
        {
            switch (sql[i])
            {
                case '(':
                    depth++;
                    break;
                case ')':
                    depth--;
                    if (depth == 0)
                    {
                        args.Add(sql[start..i]);
                        return (args, i);
                    }

                    break;
                case ',' when depth == 1:
                    args.Add(sql[start..i]);
                    start = i + 1;
                    break;
            }
        }

        throw new FormatException($"Unbalanced parentheses after offset {open}.");
    }

    [GeneratedRegex(@"^\$\{(\w+)\}$|^\$(\w+)$")]
    private static partial Regex VariableNameRegex();

    [GeneratedRegex(@"\$(?<plain>[A-Za-z_]\w*)|\$\{(?<name>\w+)(?::(?<format>[^}]+))?\}")]
    private static partial Regex VariableRegex();
}
