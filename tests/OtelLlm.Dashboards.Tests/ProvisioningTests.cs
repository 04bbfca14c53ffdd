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
        Assert.Contains("4320:4320", Sequence(services, "receiver", "ports"));
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
        // The receiver exports its own telemetry to itself, with the key, for the Receiver health dashboard.
        Assert.Equal("http://127.0.0.1:4318", Scalar(services, "receiver", "environment", "OtelLlm__Receiver__SelfTelemetryEndpoint"));
        Assert.Equal(keys[..keys.LastIndexOf('=')], Scalar(services, "receiver", "environment", "OtelLlm__Receiver__SelfTelemetryApiKey"));
        // The grid intensity for CO2e is the user's to set, defaulting to the receiver's own default.
        Assert.Equal(
            $"${{OTELLLM_GRID_INTENSITY:-{OtelLlm.Semantics.Energy.GridIntensity.WorldAverageGramsPerKwh}}}",
            Scalar(services, "receiver", "environment", "OtelLlm__Receiver__Normalization__GridCarbonIntensity"));
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
        Assert.Equal(6, DashboardFiles.Paths.Count);
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

    [Fact]
    public void ClusterCompose_FourServersAsTheClusterTheyDescribe_ReceiversKnowEveryServerAndKeepTheirOwnLogs()
    {
        var services = (YamlMappingNode)LoadYaml("docker-compose.cluster.yml")["services"];
        var cluster = System.Xml.Linq.XDocument.Load(RepoPaths.Combine("deploy", "clickhouse-cluster", "cluster.xml")).Root!;
        var shards = cluster.Element("remote_servers")!.Element("otel_llm_cluster")!.Elements("shard").ToList();

        Assert.Equal(2, shards.Count);
        Assert.All(shards, s => Assert.Equal("true", s.Element("internal_replication")!.Value));
        var servers = shards.SelectMany((s, i) => s.Elements("replica").Select(r => (Host: r.Element("host")!.Value, Shard: i + 1))).ToList();
        Assert.Equal(4, servers.Count);
        Assert.Equal("keeper", cluster.Element("zookeeper")!.Element("node")!.Element("host")!.Value);
        Assert.True(services.Children.ContainsKey("keeper"), "no keeper service");
        Assert.StartsWith("clickhouse/clickhouse-keeper:24.", Scalar(services, "keeper", "image"), StringComparison.Ordinal);
        foreach (var (host, shard) in servers)
        {
            // Each server of remote_servers is a service whose shard macro matches its place, with a replica of its own.
            Assert.StartsWith("clickhouse/clickhouse-server:24.", Scalar(services, host, "image"), StringComparison.Ordinal);
            Assert.Equal(host, Scalar(services, host, "hostname"));
            Assert.Equal(shard, int.Parse(Scalar(services, host, "environment", "CH_SHARD"), System.Globalization.CultureInfo.InvariantCulture));
            Assert.Equal("service_healthy", Scalar(services, host, "depends_on", "keeper", "condition"));
        }

        Assert.Equal(4, servers.Select(s => (s.Shard, Scalar(services, s.Host, "environment", "CH_REPLICA"))).Distinct().Count());
        var users = System.Xml.Linq.XDocument.Load(RepoPaths.Combine("deploy", "clickhouse-cluster", "users.xml")).Root!.Element("profiles")!.Element("default")!;
        Assert.Equal("global", users.Element("distributed_product_mode")!.Value);

        var logs = new HashSet<string>();
        foreach (var receiver in new[] { "receiver-1", "receiver-2" })
        {
            Assert.Equal("otel_llm_cluster", Scalar(services, receiver, "environment", "OtelLlm__ClickHouse__Cluster"));
            var endpoints = Scalar(services, receiver, "environment", "OtelLlm__ClickHouse__Endpoints").Split(',');
            Assert.Equal(servers.Select(s => $"http://{s.Host}:8123").Order(StringComparer.Ordinal), endpoints.Order(StringComparer.Ordinal));
            var log = Sequence(services, receiver, "volumes").Single(v => v.EndsWith(":/var/lib/otel-llm", StringComparison.Ordinal));
            Assert.True(logs.Add(log.Split(':')[0]), $"{receiver} shares its log volume");
        }

        var volumes = (YamlMappingNode)LoadYaml("docker-compose.cluster.yml")["volumes"];
        foreach (var (name, service) in services.Children)
        {
            if (((YamlMappingNode)service).Children.TryGetValue("volumes", out var mounts))
            {
                foreach (var source in ((YamlSequenceNode)mounts).Children.Select(m => ((YamlScalarNode)m).Value!.Split(':')[0]))
                {
                    Assert.True(
                        source.StartsWith("./", StringComparison.Ordinal) ? Path.Exists(RepoPaths.Combine(source[2..].Split('/'))) : volumes.Children.ContainsKey(source),
                        $"{name}: {source} does not exist");
                }
            }
        }
    }

    // Merge keys (<<: *anchor) are resolved, as docker compose resolves them.
    private static YamlMappingNode LoadYaml(params string[] path)
    {
        using var reader = new StreamReader(RepoPaths.Combine(path));
        var stream = new YamlStream();
        stream.Load(new YamlDotNet.Core.MergingParser(new YamlDotNet.Core.Parser(reader)));
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
