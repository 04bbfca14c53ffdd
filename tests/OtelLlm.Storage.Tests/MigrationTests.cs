using OtelLlm.Storage.ClickHouse;
using OtelLlm.Storage.Rows;
using OtelLlm.Storage.Schema;
using OtelLlm.TestSupport;

namespace OtelLlm.Storage.Tests;

public sealed class MigrationTests
{
    private static readonly string[] s_contractTables = ["otel_traces", "otel_logs", "otel_metrics", "llm_calls", "llm_feedback", "schema_migrations"];

    [Fact]
    public async Task Apply_OnEmptyServer_CreatesEveryContractTableAndRecordsVersions()
    {
        await using var db = await NewDatabaseAsync();

        var applied = await new MigrationRunner(db.Client).ApplyAsync();

        Assert.Equal(Migrations.All.Select(m => m.Version), applied);
        var tables = (await db.QueryAsync($"SELECT name FROM system.tables WHERE database = '{db.Name}'")).Select(r => r[0]).ToHashSet();
        Assert.Superset(s_contractTables.ToHashSet(), tables);
        Assert.True(await new MigrationRunner(db.Client).IsUpToDateAsync());
    }

    [Fact]
    public async Task Apply_Twice_SecondRunAppliesNothingAndSchemaIsUnchanged()
    {
        await using var db = await NewDatabaseAsync();
        var runner = new MigrationRunner(db.Client);
        await runner.ApplyAsync();
        var before = await SchemaOfAsync(db);

        var second = await runner.ApplyAsync();

        Assert.Empty(second);
        Assert.Equal(before, await SchemaOfAsync(db));
        Assert.Equal(Migrations.All.Count, await db.CountAsync("SELECT count() FROM schema_migrations FINAL"));
    }

    [Fact]
    public async Task Apply_FourRunnersAtOnce_NoErrorAndSameSchemaAsOneRunner()
    {
        await using var single = await NewDatabaseAsync();
        await new MigrationRunner(single.Client).ApplyAsync();
        await using var db = await NewDatabaseAsync();

        await Task.WhenAll(Enumerable.Range(0, 4).Select(_ => new MigrationRunner(db.Client).ApplyAsync()));

        Assert.Equal(await SchemaOfAsync(single), await SchemaOfAsync(db));
        Assert.True(await new MigrationRunner(db.Client).IsUpToDateAsync());
    }

    [Theory]
    [InlineData(TraceRow.Table, TraceRow.Columns)]
    [InlineData(LogRow.Table, LogRow.Columns)]
    [InlineData(MetricRow.Table, MetricRow.Columns)]
    [InlineData(LlmCallRow.Table, LlmCallRow.Columns)]
    [InlineData(FeedbackRow.Table, FeedbackRow.Columns)]
    public async Task RowWriterColumns_MatchTheTableExactly(string table, string columns)
    {
        await using var db = await NewDatabaseAsync();
        await new MigrationRunner(db.Client).ApplyAsync();

        var described = (await db.QueryAsync($"SELECT name FROM system.columns WHERE database = '{db.Name}' AND table = '{table}'")).Select(r => r[0]);

        Assert.Equal(described, columns.Split(',', StringSplitOptions.TrimEntries));
    }

    [Fact]
    public void SchemaContext_Cluster_GeneratesReplicatedEngineAndOnCluster()
    {
        var s = new SchemaContext("otel_llm", "prod");

        Assert.Equal(" ON CLUSTER prod", s.OnCluster);
        Assert.Equal("ReplicatedReplacingMergeTree('/clickhouse/tables/{shard}/otel_llm_local/llm_calls', '{replica}', Revision)", s.Engine("ReplacingMergeTree", "llm_calls", "Revision"));
        Assert.Equal("ReplacingMergeTree(Revision)", new SchemaContext("otel_llm").Engine("ReplacingMergeTree", "llm_calls", "Revision"));
        Assert.All(Migrations.All.SelectMany(m => m.Statements(s)), sql => Assert.Contains(" ON CLUSTER prod", sql, StringComparison.Ordinal));
    }

    [Fact]
    public async Task Apply_OverExistingCalls_FourRunnersBackfillTheNewRollupsOnce_AndTheViewsCountNewCalls()
    {
        await using var db = await NewDatabaseAsync();
        await new MigrationRunner(db.Client, migrations: [.. Migrations.All.Where(m => m.Version < 3)]).ApplyAsync();
        var start = new DateTimeOffset(2026, 3, 1, 20, 0, 0, TimeSpan.Zero);
        await WriteCallsAsync(db, start, 0, 300);

        await Task.WhenAll(Enumerable.Range(0, 4).Select(_ => new MigrationRunner(db.Client).ApplyAsync()));

        Assert.True(await new MigrationRunner(db.Client).IsUpToDateAsync());
        Assert.True(await db.CountAsync("SELECT count() FROM llm_users_1d") > 0, "the rollup was backfilled");
        await AssertRollupsEqualRawAsync(db);

        // Calls written after the migration reach the rollups through the views, on top of the backfilled ones.
        await WriteCallsAsync(db, start, 300, 120);
        Assert.Equal(420, await db.CountAsync("SELECT sum(Calls) FROM llm_users_1d"));
        await AssertRollupsEqualRawAsync(db);
    }

    [Fact]
    public async Task Energy_OverCallsOfTheSchemaBefore_OldCallsHaveNone_OldWritersStillWork_NewCallsReachTheEnergyRollupOnce()
    {
        await using var db = await NewDatabaseAsync();
        await new MigrationRunner(db.Client, migrations: [.. Migrations.All.Where(m => m.Version < 9)]).ApplyAsync();
        var start = new DateTimeOffset(2026, 3, 1, 20, 0, 0, TimeSpan.Zero);
        await WriteCallsAsync(db, start, 0, 100);

        await Task.WhenAll(Enumerable.Range(0, 3).Select(_ => new MigrationRunner(db.Client).ApplyAsync()));

        Assert.Equal(100, await db.CountAsync("SELECT count() FROM llm_calls FINAL WHERE isNull(EnergyWh) AND isNull(Co2eGrams) AND EnergySource = ''"));
        Assert.Equal(0, await db.CountAsync("SELECT count() FROM llm_energy_1m"));

        // A receiver of the version before names its columns, without the energy ones: its rows still go in, and through every view.
        await db.Client.ExecuteAsync(
            $"INSERT INTO llm_calls (Project, Timestamp, StartTimeUnixNano, TraceId, SpanId, RequestModel, InputTokens, Revision) VALUES ('p-old', toDateTime({start.ToUnixTimeSeconds()}), {start.ToUnixTimeSeconds()}000000000, 'old', 'old', 'gpt-4o', 7, 0)",
            "write as the receiver before energy did");
        Assert.Equal(101, await db.CountAsync("SELECT sum(Calls) FROM llm_calls_1m"));
        Assert.Equal(1, await db.CountAsync("SELECT count() FROM llm_calls WHERE TraceId = 'old' AND isNull(EnergyWh)"));

        using (var calls = new RowBinaryWriter())
        {
            for (var i = 0; i < 60; i++)
            {
                var call = new LlmCallRow
                {
                    Project = i % 3 == 0 ? "research" : "default",
                    StartTimeUnixNano = (ulong)start.AddMinutes(i % 7).ToUnixTimeMilliseconds() * 1_000_000UL,
                    TraceId = $"e{i:x31}",
                    SpanId = $"{i:x16}",
                    ServiceName = "svc",
                    Provider = "openai",
                    RequestModel = i % 2 == 0 ? "gpt-4o" : "gpt-4o-mini",
                    StatusCode = i % 5 == 0 ? "Error" : "Unset",
                    EnergyWh = i % 4 == 0 ? null : 0.125 * i,
                    Co2eGrams = i % 4 == 0 ? null : 0.05 * i,
                    EnergySource = i % 4 == 0 ? string.Empty : "energy_factors",
                };
                call.Write(calls);
                if (i % 6 == 0)
                {
                    // A later revision (content that arrived after the span) repeats the energy: counted once.
                    call.Revision = 1;
                    call.OutputMessages = "[]";
                    call.Write(calls);
                }
            }

            await db.Client.InsertRowBinaryAsync(LlmCallRow.Table, LlmCallRow.Columns, calls.WrittenMemory, "write calls with energy");
        }

        var rollup = await db.QueryAsync(
            "SELECT Project, Timestamp, RequestModel, StatusCode, sum(EnergyCalls), round(sum(EnergyWhSum), 6), round(sum(Co2eGramsSum), 6) " +
            "FROM llm_energy_1m GROUP BY Project, Timestamp, RequestModel, StatusCode ORDER BY Project, Timestamp, RequestModel, StatusCode");
        var raw = await db.QueryAsync(
            "SELECT Project, toStartOfMinute(Timestamp) AS Minute, RequestModel, StatusCode, count(), round(sum(EnergyWh), 6), round(sum(Co2eGrams), 6) " +
            "FROM llm_calls FINAL WHERE isNotNull(EnergyWh) GROUP BY Project, Minute, RequestModel, StatusCode ORDER BY Project, Minute, RequestModel, StatusCode");
        Assert.Equal(45, raw.Sum(r => long.Parse(r[4], System.Globalization.CultureInfo.InvariantCulture)));
        Assert.Equal(raw, rollup);
    }

    private static async Task WriteCallsAsync(ClickHouseDatabase db, DateTimeOffset start, int first, int count)
    {
        using var calls = new RowBinaryWriter();
        for (var i = first; i < first + count; i++)
        {
            // Ten-minute steps from 20:00 cross two UTC midnights; every fifth call has a later content revision.
            var call = new LlmCallRow
            {
                Project = i % 4 == 0 ? "research" : "default",
                StartTimeUnixNano = (ulong)start.AddMinutes(10 * (i % 300)).ToUnixTimeMilliseconds() * 1_000_000UL + (ulong)i,
                Duration = (ulong)(100 + i) * 1_000_000UL,
                TraceId = $"{i:x32}",
                SpanId = $"{i:x16}",
                ServiceName = "svc",
                Provider = "openai",
                RequestModel = i % 3 == 0 ? "gpt-4o" : "gpt-4o-mini",
                InputTokens = (ulong)(10 + i),
                OutputTokens = (ulong)i,
                TotalTokens = (ulong)(10 + (2 * i)),
                CostUsd = i % 7 == 0 ? null : i * 0.001,
                ConversationId = $"conv-{i % 11}",
                UserId = i % 10 == 0 ? string.Empty : $"user-{i % 6}",
                StatusCode = i % 9 == 0 ? "Error" : "Unset",
            };
            if (i % 9 != 0)
            {
                call.FinishReasons.Add(i % 2 == 0 ? "stop" : "length");
            }

            call.Write(calls);
            if (i % 5 == 0)
            {
                call.Revision = 1;
                call.InputMessages = "[]";
                call.Write(calls);
            }
        }

        await LlmCallInserts.InsertAsync(db.Client, calls.WrittenMemory, "write calls");
    }

    private static async Task AssertRollupsEqualRawAsync(ClickHouseDatabase db)
    {
        var users = await db.QueryAsync(
            "SELECT Project, Day, UserId, sum(Calls), sum(Errors), sum(TotalTokensSum), round(sum(CostUsdSum), 6), sum(CostedCalls), uniqMerge(Sessions), minMerge(FirstSeen), maxMerge(LastSeen) " +
            "FROM llm_users_1d GROUP BY Project, Day, UserId ORDER BY Project, Day, UserId");
        var usersRaw = await db.QueryAsync(
            "SELECT Project, toStartOfDay(Timestamp) AS Day, UserId, count(), countIf(StatusCode = 'Error'), sum(TotalTokens), round(sum(ifNull(CostUsd, 0)), 6), count(CostUsd), uniqExact(ConversationId), min(Timestamp), max(Timestamp) " +
            "FROM llm_calls FINAL GROUP BY Project, Day, UserId ORDER BY Project, Day, UserId");
        Assert.Equal(3, usersRaw.Select(r => r[1]).Distinct().Count());
        Assert.Equal(usersRaw, users);

        var reasons = await db.QueryAsync(
            "SELECT Project, Day, RequestModel, FinishReason, sum(Calls) FROM llm_finish_reasons_1d GROUP BY Project, Day, RequestModel, FinishReason ORDER BY Project, Day, RequestModel, FinishReason");
        var reasonsRaw = await db.QueryAsync(
            "SELECT Project, toStartOfDay(Timestamp) AS Day, RequestModel, reason, count() FROM llm_calls FINAL ARRAY JOIN FinishReasons AS reason " +
            "GROUP BY Project, Day, RequestModel, reason ORDER BY Project, Day, RequestModel, reason");
        Assert.NotEmpty(reasonsRaw);
        Assert.Equal(reasonsRaw, reasons);

        var hours = await db.QueryAsync(
            "SELECT Project, Hour, RequestModel, quantilesTDigestMerge(0.5, 0.95, 0.99)(DurationQuantiles)[1] > 0 FROM llm_latency_1h GROUP BY Project, Hour, RequestModel ORDER BY Project, Hour, RequestModel");
        var hoursRaw = await db.QueryAsync(
            "SELECT Project, toStartOfHour(Timestamp) AS Hour, RequestModel, 1 FROM llm_calls FINAL GROUP BY Project, Hour, RequestModel ORDER BY Project, Hour, RequestModel");
        Assert.Equal(hoursRaw, hours);

        var maxima = await db.QueryAsync(
            "SELECT Project, Hour, RequestModel, round(maxMerge(MaxCostUsd), 6), maxMerge(MaxDuration) FROM llm_maxima_1h GROUP BY Project, Hour, RequestModel ORDER BY Project, Hour, RequestModel");
        var maximaRaw = await db.QueryAsync(
            "SELECT Project, toStartOfHour(Timestamp) AS Hour, RequestModel, round(max(ifNull(CostUsd, 0)), 6), max(Duration) FROM llm_calls FINAL GROUP BY Project, Hour, RequestModel ORDER BY Project, Hour, RequestModel");
        Assert.Equal(maximaRaw, maxima);
    }

    private static async Task<ClickHouseDatabase> NewDatabaseAsync()
    {
        var db = new ClickHouseDatabase { Migrate = false };
        await db.InitializeAsync();
        return db;
    }

    private static async Task<string> SchemaOfAsync(ClickHouseDatabase db)
    {
        var rows = await db.QueryAsync($"SELECT table, name, type FROM system.columns WHERE database = '{db.Name}' ORDER BY table, name");
        var engines = await db.QueryAsync($"SELECT name, engine, sorting_key, partition_key FROM system.tables WHERE database = '{db.Name}' ORDER BY name");
        return string.Join('\n', rows.Concat(engines).Select(r => string.Join('|', r)));
    }
}
