using System.Globalization;
using System.Text.Json;
using System.Text.RegularExpressions;
using OtelLlm.Dashboards.Tests;

namespace OtelLlm.Cluster.Tests;

/// <summary>
/// Compares two query results cell by cell: text and integers exactly, floating-point numbers to a relative 1e-9 (sums
/// added in another order differ in their last bits), t-digest estimates to a relative 0.5 % (merging the shards'
/// digests compresses them in another order; one server's answer moves the same way as its parts merge), and not the
/// columns an <c>any(…)</c> picks (any row's value is a right answer, on one server too).
/// </summary>
internal static partial class ResultComparer
{
    private const double FloatTolerance = 1e-9;
    private const double DigestTolerance = 5e-3;

    public static string? Difference(string sql, QueryResult single, QueryResult cluster)
    {
        var arbitrary = AnyColumn().Matches(sql).Select(m => m.Groups[1].Value).ToHashSet(StringComparer.Ordinal);
        var digest = sql.Contains("TDigest", StringComparison.Ordinal);
        if (!single.Columns.SequenceEqual(cluster.Columns))
        {
            return $"columns [{string.Join(", ", single.Columns)}] on one server, [{string.Join(", ", cluster.Columns)}] on the cluster";
        }

        if (single.Rows.Count != cluster.Rows.Count)
        {
            return $"{single.Rows.Count} rows on one server, {cluster.Rows.Count} on the cluster";
        }

        // Rows that tie on a query's ORDER BY come back in any order (on one server too), so both sides are sorted by
        // their cells first; numbers in the sort key are rounded so that last-bit differences do not reorder rows.
        var compared = single.Columns.Where(c => !arbitrary.Contains(c.Name)).ToList();
        var a = Sorted(single.Rows, compared);
        var b = Sorted(cluster.Rows, compared);
        for (var i = 0; i < a.Count; i++)
        {
            foreach (var (name, type) in compared)
            {
                var x = a[i].GetProperty(name);
                var y = b[i].GetProperty(name);
                var tolerance = !type.Contains("Float", StringComparison.Ordinal) ? 0 : digest ? DigestTolerance : FloatTolerance;
                if (!Same(x, y, tolerance))
                {
                    return $"row {i} (sorted) column {name}: {x} on one server, {y} on the cluster";
                }
            }
        }

        return null;
    }

    private static List<JsonElement> Sorted(IReadOnlyList<JsonElement> rows, List<(string Name, string Type)> columns) =>
        [.. rows.OrderBy(r => string.Join('\u0001', columns.Select(c => Key(r.GetProperty(c.Name), c.Type))), StringComparer.Ordinal)];

    // Estimates and float sums round away their noise in the sort key, so equal answers sort alike on both sides.
    private static string Key(JsonElement e, string type) =>
        type.Contains("Float", StringComparison.Ordinal) && Number(e) is { } d ? d.ToString("G2", CultureInfo.InvariantCulture) : e.ToString();

    [GeneratedRegex(@"\bany\((?:[^()]|\([^()]*\))*\)\s+AS\s+(\w+)", RegexOptions.IgnoreCase)]
    private static partial Regex AnyColumn();

    private static bool Same(JsonElement a, JsonElement b, double tolerance)
    {
        if (a.ValueKind == JsonValueKind.Array && b.ValueKind == JsonValueKind.Array)
        {
            return a.GetArrayLength() == b.GetArrayLength() && a.EnumerateArray().Zip(b.EnumerateArray()).All(p => Same(p.First, p.Second, tolerance));
        }

        if (Number(a) is { } x && Number(b) is { } y)
        {
            return x == y || Math.Abs(x - y) <= tolerance * Math.Max(1, Math.Max(Math.Abs(x), Math.Abs(y)));
        }

        return a.ValueKind == b.ValueKind && a.ToString() == b.ToString();
    }

    private static double? Number(JsonElement e) => e.ValueKind switch
    {
        JsonValueKind.Number => e.GetDouble(),
        JsonValueKind.String when double.TryParse(e.GetString(), NumberStyles.Float, CultureInfo.InvariantCulture, out var d) && !e.GetString()!.Contains('-', StringComparison.Ordinal) => d,
        _ => null,
    };
}
