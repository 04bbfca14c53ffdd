using System.Globalization;
using System.Text.Json;
using System.Text.RegularExpressions;

namespace OtelLlm.Semantics.Pricing;

/// <summary>
/// A rule over a model (or provider) name, as the price file writes it: <c>{"starts_with": "gpt-4o"}</c>,
/// <c>equals</c>, <c>ends_with</c>, <c>contains</c>, <c>regex</c>, and <c>{"or": [...]}</c> / <c>{"and": [...]}</c> of rules,
/// or a bare string, which is a regular expression. Text rules ignore case; names are lower-cased before matching.
/// </summary>
internal abstract class ModelMatch
{
    public abstract bool IsMatch(string name);

    /// <summary>A rule that matches one name exactly (ignoring case).</summary>
    public static ModelMatch Exactly(string text) => new TextMatch(text, static (n, t) => n.Equals(t, StringComparison.OrdinalIgnoreCase));

    /// <summary>A rule that matches when any of two rules does.</summary>
    public static ModelMatch Either(ModelMatch first, ModelMatch second) => new AnyMatch([first, second]);

    public static ModelMatch Parse(JsonElement element, string where)
    {
        switch (element.ValueKind)
        {
            case JsonValueKind.String:
                return new RegexMatch(Regex(element.GetString()!, where));
            case JsonValueKind.Object:
                break;
            default:
                throw new FormatException($"{where}: a match rule must be an object or a regular-expression string.");
        }

        ModelMatch? rule = null;
        foreach (var property in element.EnumerateObject())
        {
            if (rule is not null)
            {
                throw new FormatException($"{where}: a match rule has exactly one of equals, starts_with, ends_with, contains, regex, or, and.");
            }

            rule = property.Name switch
            {
                "equals" => new TextMatch(Text(property.Value, where), static (n, t) => n.Equals(t, StringComparison.OrdinalIgnoreCase)),
                "starts_with" => new TextMatch(Text(property.Value, where), static (n, t) => n.StartsWith(t, StringComparison.OrdinalIgnoreCase)),
                "ends_with" => new TextMatch(Text(property.Value, where), static (n, t) => n.EndsWith(t, StringComparison.OrdinalIgnoreCase)),
                "contains" => new TextMatch(Text(property.Value, where), static (n, t) => n.Contains(t, StringComparison.OrdinalIgnoreCase)),
                "regex" => new RegexMatch(Regex(Text(property.Value, where), where)),
                "or" => new AnyMatch(List(property.Value, where)),
                "and" => new AllMatch(List(property.Value, where)),
                _ => throw new FormatException($"{where}: unknown match rule \"{property.Name}\"."),
            };
        }

        return rule ?? throw new FormatException($"{where}: an empty match rule.");
    }

    private static string Text(JsonElement value, string where) =>
        value.ValueKind == JsonValueKind.String && value.GetString() is { Length: > 0 } s
            ? s
            : throw new FormatException($"{where}: a match rule's text must be a non-empty string.");

    private static ModelMatch[] List(JsonElement value, string where)
    {
        if (value.ValueKind != JsonValueKind.Array || value.GetArrayLength() == 0)
        {
            throw new FormatException($"{where}: \"or\"/\"and\" take a non-empty array of rules.");
        }

        var rules = new ModelMatch[value.GetArrayLength()];
        var i = 0;
        foreach (var item in value.EnumerateArray())
        {
            rules[i] = Parse(item, string.Create(CultureInfo.InvariantCulture, $"{where}[{i}]"));
            i++;
        }

        return rules;
    }

    private static Regex Regex(string pattern, string where)
    {
        try
        {
            return new Regex(pattern, RegexOptions.IgnoreCase | RegexOptions.CultureInvariant, TimeSpan.FromMilliseconds(100));
        }
        catch (ArgumentException e)
        {
            throw new FormatException($"{where}: an invalid regular expression: {e.Message}", e);
        }
    }

    private sealed class TextMatch(string text, Func<string, string, bool> test) : ModelMatch
    {
        public override bool IsMatch(string name) => test(name, text);
    }

    private sealed class RegexMatch(Regex regex) : ModelMatch
    {
        public override bool IsMatch(string name) => regex.IsMatch(name);
    }

    private sealed class AnyMatch(ModelMatch[] rules) : ModelMatch
    {
        public override bool IsMatch(string name)
        {
            foreach (var rule in rules)
            {
                if (rule.IsMatch(name))
                {
                    return true;
                }
            }

            return false;
        }
    }

    private sealed class AllMatch(ModelMatch[] rules) : ModelMatch
    {
        public override bool IsMatch(string name)
        {
            foreach (var rule in rules)
            {
                if (!rule.IsMatch(name))
                {
                    return false;
                }
            }

            return true;
        }
    }
}
