using OtelLlm.Storage.Schema;
using OtelLlm.TestSupport;
using YamlDotNet.RepresentationModel;

namespace OtelLlm.Dashboards.Tests;

/// <summary>The compose stack, the Grafana provisioning and the dashboard files hold together.</summary>
public sealed class ProvisioningTests
{
    private static readonly string[] s_portableMacros = ["$__timeFilter", "$__conditionalAll", "$__interval_s", "$__fromTime", "$__toTime"];

    [Fact]
    public void Compose_DefinesTheDocumentedServicesPortsHealthChecksAndVolumes()
    {
        var root = LoadYaml("docker-compose.yml");
        var services = (YamlMappingNode)root["services"];

        foreach (var name in new[] { "clickhouse", "receiver", "grafana", "schema-overlay", "demo" })
        {
            Assert.True(services.Children.ContainsKey(name), $"service {name} is missing");
        }

        Assert.StartsWith("clickhouse/clickhouse-server:24.", Scalar(services, "clickhouse", "image"), StringComparison.Ordinal);
        Assert.Matches(@"^grafana/grafana:\d+\.\d+\.\d+$", Scalar(services, "grafana", "image"));
        Assert.Contains("grafana-clickhouse-datasource", Scalar(services, "grafana", "environment", "GF_INSTALL_PLUGINS"), StringComparison.Ordinal);
        Assert.Contains("8123:8123", Sequence(services, "clickhouse", "ports"));
        Assert.Contains("4317:4317", Sequence(services, "receiver", "ports"));
        Assert.Contains("4318:4318", Sequence(services, "receiver", "ports"));
        Assert.Contains("3000:3000", Sequence(services, "grafana", "ports"));
        foreach (var name in new[] { "clickhouse", "receiver", "grafana" })
        {
            Assert.True(((YamlMappingNode)services[name]).Children.ContainsKey("healthcheck"), $"{name} has no health check");
        }

        Assert.Equal("service_healthy", Scalar(services, "receiver", "depends_on", "clickhouse", "condition"));
        Assert.Equal("service_healthy", Scalar(services, "grafana", "depends_on", "clickhouse", "condition"));
        Assert.Equal("service_healthy", Scalar(services, "schema-overlay", "depends_on", "receiver", "condition"));
        Assert.Equal("http://clickhouse:8123", Scalar(services, "receiver", "environment", "OtelLlm__ClickHouse__Url"));
        Assert.Equal("0.0.0.0", Scalar(services, "receiver", "environment", "OtelLlm__Receiver__ListenAddress"));

        // A receiver on all interfaces refuses to start without API keys; the demo must send one of them.
        var keys = Scalar(services, "receiver", "environment", "OtelLlm__Receiver__Auth__Keys");
        var demoKey = Scalar(services, "demo", "environment", "OTELLLM_API_KEY");
        // The demo key also opens the HTTP API: it has every scope, ingest (what the demo sends) among them.
        Assert.Matches(@"^\$\{OTELLLM_API_KEY:-[^}]+\}=\w+:ingest\+feedback\+read\+admin$", keys);
        Assert.Equal(keys[..keys.LastIndexOf('=')], demoKey);
        Assert.Equal("service_healthy", Scalar(services, "demo", "depends_on", "receiver", "condition"));
        Assert.Equal("http://receiver:4317", Scalar(services, "demo", "environment", "OTEL_EXPORTER_OTLP_ENDPOINT"));

        var volumes = (YamlMappingNode)root["volumes"];
        foreach (var (serviceName, service) in services.Children)
        {
            var s = (YamlMappingNode)service;
            if (s.Children.TryGetValue("build", out var build))
            {
                Assert.True(File.Exists(RepoPaths.Combine(Scalar((YamlMappingNode)build, "dockerfile").Split('/'))), $"{serviceName}: Dockerfile missing");
            }

            if (!s.Children.TryGetValue("volumes", out var mounts))
            {
                continue;
            }

            foreach (var mount in ((YamlSequenceNode)mounts).Children.Select(m => ((YamlScalarNode)m).Value!))
            {
                var source = mount.Split(':')[0];
                if (source.StartsWith("./", StringComparison.Ordinal))
                {
                    Assert.True(Directory.Exists(RepoPaths.Combine(source[2..].Split('/'))), $"{serviceName}: {source} does not exist");
                }
                else
                {
                    Assert.True(volumes.Children.ContainsKey(source), $"{serviceName}: volume {source} is not declared");
                }
            }
        }
    }

    [Fact]
    public void Provisioning_DatasourceMapsExistingTraceColumnsAndTheProviderPathIsMounted()
    {
        var datasource = (YamlMappingNode)((YamlSequenceNode)LoadYaml("dashboards", "provisioning", "datasources", "clickhouse.yaml")["datasources"])[0];
        Assert.Equal("grafana-clickhouse-datasource", Scalar(datasource, "type"));
        Assert.Equal("otel-llm-clickhouse", Scalar(datasource, "uid"));
        Assert.Equal("http", Scalar(datasource, "jsonData", "protocol"));
        Assert.Equal("8123", Scalar(datasource, "jsonData", "port"));

        var traces = (YamlMappingNode)((YamlMappingNode)datasource["jsonData"])["traces"];
        Assert.Equal("otel_traces", Scalar(traces, "defaultTable"));
        Assert.Equal("nanoseconds", Scalar(traces, "durationUnit"));
        var schema = string.Join("\n", Migrations.All.SelectMany(m => m.Statements(new SchemaContext("otel_llm"))));
        foreach (var (key, value) in traces.Children.Select(c => (((YamlScalarNode)c.Key).Value!, c.Value)))
        {
            if (key.EndsWith("Column", StringComparison.Ordinal) && key != "startTimeColumn")
            {
                Assert.Contains($"    {((YamlScalarNode)value).Value} ", schema, StringComparison.Ordinal);
            }
        }

        var compose = File.ReadAllText(RepoPaths.Combine("docker-compose.yml"));
        Assert.Contains($"ADD COLUMN IF NOT EXISTS {Scalar(traces, "startTimeColumn")} DateTime64", compose, StringComparison.Ordinal);

        var provider = (YamlMappingNode)((YamlSequenceNode)LoadYaml("dashboards", "provisioning", "dashboards", "otel-llm.yaml")["providers"])[0];
        var path = Scalar(provider, "options", "path");
        Assert.Contains($"./dashboards/json:{path}:ro", compose, StringComparison.Ordinal);
        Assert.Contains("./dashboards/provisioning:/etc/grafana/provisioning:ro", compose, StringComparison.Ordinal);
    }

    [Fact]
    public void Dashboards_AreValidWithUniqueIdsAndOnlyPortableSql()
    {
        var uids = new HashSet<string>();
        Assert.Equal(5, DashboardFiles.Paths.Count);
        foreach (var file in DashboardFiles.Paths)
        {
            using var doc = DashboardFiles.Load(file);
            var dashboard = doc.RootElement;
            Assert.True(uids.Add(dashboard.GetProperty("uid").GetString()!), $"{file}: duplicate uid");
            var ids = new HashSet<int>();
            foreach (var panel in DashboardFiles.Panels(dashboard))
            {
                Assert.True(ids.Add(panel.GetProperty("id").GetInt32()), $"{file}: duplicate panel id {panel.GetProperty("id")}");
                if (!panel.TryGetProperty("targets", out var targets))
                {
                    continue;
                }

                foreach (var target in targets.EnumerateArray())
                {
                    Assert.Equal("sql", target.GetProperty("editorType").GetString());
                    Assert.Equal("${datasource}", target.GetProperty("datasource").GetProperty("uid").GetString());
                    var sql = target.GetProperty("rawSql").GetString()!;
                    AssertPortable(file, sql);
                }
            }

            foreach (var variable in DashboardFiles.Variables(dashboard).Where(v => v.Sql is not null))
            {
                AssertPortable(file, variable.Sql!);
            }

            var datasource = DashboardFiles.Variables(dashboard).Single(v => v.Name == "datasource");
            Assert.Equal("datasource", datasource.Type);
            Assert.Equal("otel_llm", DashboardFiles.Variables(dashboard).Single(v => v.Name == "database").Constant);
        }
    }

    private static void AssertPortable(string file, string sql)
    {
        var at = 0;
        while ((at = sql.IndexOf("$__", at, StringComparison.Ordinal)) >= 0)
        {
            var end = at + 3;
            while (end < sql.Length && (char.IsLetterOrDigit(sql[end]) || sql[end] == '_'))
            {
                end++;
            }

            Assert.True(s_portableMacros.Contains(sql[at..end]), $"{file}: {sql[at..end]} is not portable to ClickHouse 18.16");
            at = end;
        }

        foreach (var banned in new[] { "toStartOfInterval", "DateTime64", "JSONExtract", "map(", "mapKeys", "{param" })
        {
            Assert.DoesNotContain(banned, sql, StringComparison.Ordinal);
        }

        foreach (var table in new[] { "llm_calls", "llm_calls_1m", "llm_latency_1m", "otel_traces", "otel_traces_trace_id_ts" })
        {
            Assert.DoesNotContain($"FROM {table}", sql, StringComparison.Ordinal);
        }
    }

    private static YamlMappingNode LoadYaml(params string[] path)
    {
        using var reader = new StreamReader(RepoPaths.Combine(path));
        var stream = new YamlStream();
        stream.Load(reader);
        return (YamlMappingNode)stream.Documents[0].RootNode;
    }

    private static string Scalar(YamlMappingNode node, params string[] path)
    {
        YamlNode current = node;
        foreach (var key in path)
        {
            current = ((YamlMappingNode)current)[key];
        }

        return ((YamlScalarNode)current).Value!;
    }

    private static List<string> Sequence(YamlMappingNode node, params string[] path)
    {
        YamlNode current = node;
        foreach (var key in path)
        {
            current = ((YamlMappingNode)current)[key];
        }

        return [.. ((YamlSequenceNode)current).Children.Select(c => ((YamlScalarNode)c).Value!)];
    }
}
