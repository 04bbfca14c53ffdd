using System.Text.Json;
using OtelLlm.TestSupport;

namespace OtelLlm.Dashboards.Tests;

/// <summary>A panel query: where it comes from, its raw SQL and the result format the panel asks for.</summary>
internal sealed record PanelQuery(string Dashboard, int PanelId, string Title, string PanelType, string Sql, int Format)
{
    public override string ToString() => $"{Dashboard} / {Title}";
}

/// <summary>A dashboard template variable.</summary>
internal sealed record DashboardVariable(string Name, string Type, string? Sql, bool Multi, bool IncludeAll, string? Constant);

/// <summary>Reads the shipped dashboard JSON files.</summary>
internal static class DashboardFiles
{
    public static string Folder => RepoPaths.Combine("dashboards", "json");

    public static IReadOnlyList<string> Paths => [.. Directory.GetFiles(Folder, "*.json").Order(StringComparer.Ordinal)];

    public static JsonDocument Load(string path) => JsonDocument.Parse(File.ReadAllText(path));

    public static IEnumerable<JsonElement> Panels(JsonElement dashboard)
    {
        foreach (var panel in dashboard.GetProperty("panels").EnumerateArray())
        {
            yield return panel;
            if (panel.TryGetProperty("panels", out var nested))
            {
                foreach (var inner in nested.EnumerateArray())
                {
                    yield return inner;
                }
            }
        }
    }

    /// <summary>The dashboard of the receiver's own telemetry, which reads no LLM traffic (see <c>ReceiverHealthPanelTests</c>).</summary>
    public const string ReceiverHealth = "receiver-health";

    /// <summary>The panel queries of the dashboards over LLM traffic, which the demo data answers.</summary>
    public static IReadOnlyList<PanelQuery> Queries() => [.. Paths.Select(Path.GetFileNameWithoutExtension).Where(d => d != ReceiverHealth).SelectMany(d => Queries(d!))];

    /// <summary>The panel queries of one dashboard.</summary>
    public static IReadOnlyList<PanelQuery> Queries(string name)
    {
        var list = new List<PanelQuery>();
        using var doc = Load(Path.Combine(Folder, name + ".json"));
        foreach (var panel in Panels(doc.RootElement))
        {
            if (!panel.TryGetProperty("targets", out var targets))
            {
                continue;
            }

            foreach (var target in targets.EnumerateArray())
            {
                list.Add(new PanelQuery(name, panel.GetProperty("id").GetInt32(), panel.GetProperty("title").GetString()!,
                    panel.GetProperty("type").GetString()!, target.GetProperty("rawSql").GetString()!, target.GetProperty("format").GetInt32()));
            }
        }

        return list;
    }

    public static IReadOnlyList<DashboardVariable> Variables(JsonElement dashboard)
    {
        var list = new List<DashboardVariable>();
        foreach (var v in dashboard.GetProperty("templating").GetProperty("list").EnumerateArray())
        {
            var type = v.GetProperty("type").GetString()!;
            string? sql = null;
            string? constant = null;
            if (type == "query")
            {
                var q = v.GetProperty("query");
                sql = q.ValueKind == JsonValueKind.String ? q.GetString() : q.GetProperty("rawSql").GetString();
            }
            else if (type == "constant")
            {
                constant = v.GetProperty("query").GetString();
            }

            list.Add(new DashboardVariable(v.GetProperty("name").GetString()!, type, sql,
                v.TryGetProperty("multi", out var m) && m.GetBoolean(), v.TryGetProperty("includeAll", out var a) && a.GetBoolean(), constant));
        }

        return list;
    }
}
