using System.Globalization;
using System.Text;
using System.Text.Json;
using OtelLlm.Dashboards.Tests;
using OtelLlm.Demo.Summary;
using OtelLlm.TestSupport;

namespace OtelLlm.Cluster.Tests;

/// <summary>The dashboard tests' calls (three hours, and four days with probe latencies) in a database of its own.</summary>
public class SameCallsDatabase : DemoDatabase
{
    public SameCallsDatabase()
        : this(new ClickHouseDatabase())
    {
    }

    protected SameCallsDatabase(ClickHouseDatabase db)
        : base(db)
    {
    }

    protected override async Task WriteAsync()
    {
        await DemoData.WriteAsync(Db.Client, Calls);
        await DemoData.WriteAsync(Db.Client, MultiDayDemoDatabase.MultiDayCalls, seed: 7, MultiDayDemoDatabase.Start, MultiDayDemoDatabase.Span);
    }
}

/// <summary>The same calls on the local cluster, read once every replica holds them.</summary>
public sealed class SameCallsOnCluster : SameCallsDatabase
{
    public SameCallsOnCluster()
        : base(new ClusterDatabase())
    {
    }

    protected override async Task WriteAsync()
    {
        await base.WriteAsync();
        await ((ClusterDatabase)Db).SyncReplicasAsync();
    }
}

/// <summary>Both databases, written once for the class.</summary>
public sealed class SingleAndCluster : IAsyncLifetime
{
    public SameCallsDatabase OneServer { get; } = new();

    public SameCallsOnCluster Cluster { get; } = new();

    public Task InitializeAsync() => Task.WhenAll(OneServer.InitializeAsync(), Cluster.InitializeAsync());

    public Task DisposeAsync() => Task.WhenAll(OneServer.DisposeAsync(), Cluster.DisposeAsync());
}

/// <summary>
/// Every shipped dashboard panel and variable query, and the demo summary, give the same answers on the cluster as on
/// a single server holding the same calls: over three hours, over days with partial days at both ends, over twelve days
/// (hourly latency rollups), with every variable at All and with one value of each.
/// </summary>
public sealed class ClusterDashboardTests(SingleAndCluster data) : IClassFixture<SingleAndCluster>
{
    public static TheoryData<string, int> Ranges => new()
    {
        { "three-hours", 60 },
        { "partial-days", 600 },
        { "twelve-days", 3600 },
    };

    [Theory]
    [MemberData(nameof(Ranges))]
    public async Task EveryPanelQuery_AllSelected_SameAnswerOnClusterAsOnOneServer(string range, int interval)
    {
        var (from, to) = Range(range);
        var failures = new StringBuilder();
        var checkedQueries = 0;
        foreach (var dashboard in DashboardFiles.Queries().Select(q => q.Dashboard).Distinct())
        {
            var single = await data.OneServer.AllSelectedAsync(dashboard, from, to, interval);
            var cluster = await data.Cluster.AllSelectedAsync(dashboard, from, to, interval);
            CompareVariables(dashboard, single, cluster, failures);
            checkedQueries += await CompareDashboardAsync(dashboard, single, cluster, from, to, interval, failures);
        }

        Assert.True(checkedQueries >= 30, $"only {checkedQueries} panel queries compared");
        Assert.True(failures.Length == 0, failures.ToString());
    }

    [Theory]
    [MemberData(nameof(Ranges))]
    public async Task EveryPanelQuery_OneValueOfEachVariable_SameAnswerOnClusterAsOnOneServer(string range, int interval)
    {
        var (from, to) = Range(range);
        var failures = new StringBuilder();
        foreach (var dashboard in DashboardFiles.Queries().Select(q => q.Dashboard).Distinct())
        {
            var single = OneOfEach(await data.OneServer.AllSelectedAsync(dashboard, from, to, interval));
            var cluster = OneOfEach(await data.Cluster.AllSelectedAsync(dashboard, from, to, interval));
            CompareVariables(dashboard, single, cluster, failures);
            await CompareDashboardAsync(dashboard, single, cluster, from, to, interval, failures);
        }

        Assert.True(failures.Length == 0, failures.ToString());
    }

    [Fact]
    public async Task DemoSummary_SameTableOnClusterAsOnOneServer()
    {
        var filters = new[]
        {
            new SummaryFilter { Since = null },
            new SummaryFilter { Since = null, Project = "research" },
            new SummaryFilter { Since = null, From = DemoData.Start.UtcDateTime, To = (DemoData.Start + TimeSpan.FromHours(1)).UtcDateTime },
        };
        foreach (var filter in filters)
        {
            var single = await SummaryQuery.RunAsync(data.OneServer.Db.Client, filter);
            var cluster = await SummaryQuery.RunAsync(data.Cluster.Db.Client, filter);

            Assert.True(single.Total.Calls > 0);
            Assert.Equal(single.Models.Count, cluster.Models.Count);
            foreach (var (a, b) in single.Models.Append(single.Total).Zip(cluster.Models.Append(cluster.Total)))
            {
                // Sums of doubles come out in another order over shards: equal to the last few bits.
                Assert.Equal(a with { CostUsd = 0, EnergyWh = 0, Co2eGrams = 0 }, b with { CostUsd = 0, EnergyWh = 0, Co2eGrams = 0 });
                Assert.Equal(a.CostUsd, b.CostUsd, 9);
                Assert.Equal(a.EnergyWh, b.EnergyWh, 6);
                Assert.Equal(a.Co2eGrams, b.Co2eGrams, 6);
            }

            Assert.Equal(await SummaryQuery.CountAsync(data.OneServer.Db.Client, filter), await SummaryQuery.CountAsync(data.Cluster.Db.Client, filter));
        }
    }

    private static (DateTimeOffset From, DateTimeOffset To) Range(string name) => name switch
    {
        "three-hours" => (DemoData.Start.AddMinutes(-5), DemoData.Start + DemoData.Span + TimeSpan.FromMinutes(5)),
        "partial-days" => (new DateTimeOffset(2025, 11, 11, 10, 20, 0, TimeSpan.Zero), new DateTimeOffset(2025, 11, 12, 14, 39, 59, TimeSpan.Zero)),
        "twelve-days" => (MultiDayDemoDatabase.Start.AddDays(-1), DemoData.Start + DemoData.Span + TimeSpan.FromDays(1)),
        _ => throw new ArgumentOutOfRangeException(nameof(name)),
    };

    private static Dictionary<string, VariableValue> OneOfEach(Dictionary<string, VariableValue> variables)
    {
        foreach (var name in variables.Keys.ToList())
        {
            if (variables[name].IsAll && variables[name].Values.Count > 0)
            {
                var options = variables[name].Values;
                variables[name] = VariableValue.Of(options[options.Count / 2]);
            }
        }

        return variables;
    }

    private static void CompareVariables(string dashboard, Dictionary<string, VariableValue> single, Dictionary<string, VariableValue> cluster, StringBuilder failures)
    {
        foreach (var (name, value) in single)
        {
            if (name != "database" && !value.Values.SequenceEqual(cluster[name].Values))
            {
                failures.AppendLine(CultureInfo.InvariantCulture, $"{dashboard} variable {name}: [{string.Join(", ", value.Values)}] on one server, [{string.Join(", ", cluster[name].Values)}] on the cluster");
            }
        }
    }

    private async Task<int> CompareDashboardAsync(
        string dashboard, Dictionary<string, VariableValue> single, Dictionary<string, VariableValue> cluster, DateTimeOffset from, DateTimeOffset to, int interval, StringBuilder failures)
    {
        var count = 0;
        foreach (var query in DashboardFiles.Queries().Where(q => q.Dashboard == dashboard))
        {
            QueryResult a, b;
            try
            {
                a = await data.OneServer.RunAsync(GrafanaMacros.Expand(query.Sql, single, from, to, interval));
                b = await data.Cluster.RunAsync(GrafanaMacros.Expand(query.Sql, cluster, from, to, interval));
            }
            catch (Exception e) when (e is OtelLlm.Storage.ClickHouse.ClickHouseException or JsonException)
            {
                failures.AppendLine(CultureInfo.InvariantCulture, $"{query}: {e.Message}");
                continue;
            }

            count++;
            if (ResultComparer.Difference(query.Sql, a, b) is { } difference)
            {
                failures.AppendLine(CultureInfo.InvariantCulture, $"{query}: {difference}");
            }
        }

        return count;
    }
}
