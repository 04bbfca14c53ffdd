using System.Globalization;
using System.Text;
using System.Text.Json;
using OtelLlm.LoadGen;
using OtelLlm.LoadGen.Dashboards;
using OtelLlm.LoadGen.Exports;
using OtelLlm.LoadGen.Ingest;
using OtelLlm.LoadGen.Measurement;
using OtelLlm.LoadGen.Payloads;
using OtelLlm.Storage.ClickHouse;

LoadGenOptions options;
try
{
    options = LoadGenOptions.Parse(args);
}
catch (ArgumentException e)
{
    Console.Error.WriteLine(e.Message);
    Console.Error.WriteLine(LoadGenOptions.Usage);
    return 2;
}

if (options.Mode is "help" or "--help")
{
    Console.WriteLine(LoadGenOptions.Usage);
    return 0;
}

var machine = MachineInfo.Read();
using var admin = new ClickHouseClient(new ClickHouseOptions { Url = options.ClickHouse, Database = "default", Timeout = TimeSpan.FromMinutes(5) });
var version = await admin.GetServerVersionAsync();
var clickHousePids = ProcessStats.FindClickHouseServer(options.ClickHouse);
var report = new StringBuilder();
report.AppendLine(CultureInfo.InvariantCulture, $"Measured {DateTime.UtcNow:yyyy-MM-dd HH:mm} UTC on {machine.Cpu}, {machine.Cores} cores, {machine.MemoryGiB} GiB, {machine.Runtime}, ClickHouse {version} (CPU of process {string.Join(", ", clickHousePids)}); load average at start {machine.LoadAverage}.");
report.AppendLine();
object result;

if (options.Mode == "dashboards")
{
    using var bench = new ClickHouseClient(new ClickHouseOptions { Url = options.ClickHouse, Database = options.DashboardDatabase, Timeout = TimeSpan.FromMinutes(10) });
    var folder = FindDashboards();
    using var dashboardBench = new DashboardBench(bench, folder, options.DashboardRows, options.DashboardRuns, options.Regenerate);
    var dashboards = await dashboardBench.RunAsync();
    report.AppendLine(CultureInfo.InvariantCulture, $"{dashboards.Rows:N0} llm_calls rows in `{options.DashboardDatabase}` ({(dashboards.Reused ? "reused" : $"inserted in {dashboards.InsertSeconds} s")}); median of {options.DashboardRuns} runs after one warm-up run; every variable All.");
    if (dashboards.Migrated.Count > 0)
    {
        report.AppendLine(CultureInfo.InvariantCulture, $"Schema migrations {string.Join(", ", dashboards.Migrated)} applied to the existing data (views and backfill) in {dashboards.MigrateSeconds} s.");
    }

    report.AppendLine();
    report.AppendLine("| dashboard | panel | range | median ms (client) | ms (server) | server CPU ms | rows returned | rows read |");
    report.AppendLine("|---|---|---|---:|---:|---:|---:|---:|");
    foreach (var t in dashboards.Timings)
    {
        report.AppendLine(CultureInfo.InvariantCulture, $"| {t.Dashboard} | {t.Panel} | {t.Range} | {(t.Error is null ? t.MedianMs.ToString(CultureInfo.InvariantCulture) : "ERROR: " + t.Error.Replace('|', '/').Replace('\n', ' '))} | {t.ServerMs} | {t.ServerCpuMs} | {t.RowsReturned:N0} | {t.RowsRead:N0} |");
    }

    var slowest = dashboards.Timings.Where(t => t.Error is null).OrderByDescending(t => t.MedianMs).FirstOrDefault();
    report.AppendLine();
    report.AppendLine(CultureInfo.InvariantCulture, $"Queries: {dashboards.Timings.Count}; over 1 s: {dashboards.Timings.Count(t => t.MedianMs >= 1000)}; errors: {dashboards.Timings.Count(t => t.Error is not null)}; slowest: {slowest?.Dashboard} / {slowest?.Panel} ({slowest?.Range}) {slowest?.MedianMs} ms.");
    result = new { machine, clickHouse = version, dashboards };
}
else if (options.Mode == "read-api")
{
    using var bench = new ClickHouseClient(new ClickHouseOptions { Url = options.ClickHouse, Database = options.DashboardDatabase, Timeout = TimeSpan.FromMinutes(10) });
    using var data = new DashboardBench(bench, FindDashboards(), options.DashboardRows, options.DashboardRuns, options.Regenerate);
    var (end, insertSeconds, reused, _, _) = await data.PrepareAsync();
    var read = await new ReadApiBench(bench, options.ReceiverDll!, options.DashboardRuns).RunAsync(end, options.DashboardRows);
    report.AppendLine(CultureInfo.InvariantCulture, $"{read.Rows:N0} llm_calls rows in `{options.DashboardDatabase}` ({(reused ? "reused" : $"inserted in {insertSeconds} s")}), {read.Spans:N0} otel_traces rows ({(read.SpansSeconds == 0 ? "reused" : $"made from the calls in {read.SpansSeconds} s")}); {options.DashboardRuns} timed runs per request after one unmeasured run; ranges end at the data's last call.");
    report.AppendLine();
    report.AppendLine("| page | request | range | p50 ms | p95 ms |");
    report.AppendLine("|---|---|---|---:|---:|");
    foreach (var t in read.Timings)
    {
        report.AppendLine(CultureInfo.InvariantCulture, $"| {t.Page} | `{t.Request}` | {t.Range} | {(t.Error is null ? t.P50Ms.ToString(CultureInfo.InvariantCulture) : "ERROR: " + t.Error.Replace('|', '/').Replace('\n', ' '))} | {t.P95Ms} |");
    }

    report.AppendLine();
    report.AppendLine(CultureInfo.InvariantCulture, $"Requests: {read.Timings.Count}; p95 over 500 ms: {read.Timings.Count(t => t.P95Ms >= 500)}; errors: {read.Timings.Count(t => t.Error is not null)}.");
    result = new { machine, clickHouse = version, readApi = read };
}
else if (options.Mode == "export")
{
    using var bench = new ClickHouseClient(new ClickHouseOptions { Url = options.ClickHouse, Database = options.DashboardDatabase, Timeout = TimeSpan.FromMinutes(30) });
    var exports = await new ExportBench(bench, options.Receivers, options.DashboardRows, options.Regenerate).RunAsync();
    report.AppendLine(CultureInfo.InvariantCulture, $"{exports.Rows:N0} llm_calls rows in `{options.DashboardDatabase}` ({(exports.InsertSeconds == 0 ? "reused" : $"inserted in {exports.InsertSeconds} s")}), {exports.ContentBytes / 1048576.0:N0} MiB of captured content; the receiver as a child process, every export once after a warm-up, streamed to a counting sink on loopback. Receiver RSS: resident memory before the request, and its peak during it (VmHWM, reset before each request).");
    report.AppendLine();
    report.AppendLine(CultureInfo.InvariantCulture, $"Receivers: {string.Join("; ", options.Receivers.Select(r => $"{r.Label} = {r.Dll}"))}.");
    report.AppendLine();
    report.AppendLine("| receiver | export | lines | MiB | first byte ms | seconds | MiB/s | receiver RSS before MiB | peak RSS during MiB | growth MiB |");
    report.AppendLine("|---|---|---:|---:|---:|---:|---:|---:|---:|---:|");
    foreach (var t in exports.Timings)
    {
        report.AppendLine(CultureInfo.InvariantCulture, $"| {t.Receiver} | `{t.Export}` | {t.Lines:N0} | {t.Bytes / 1048576.0:N1} | {t.FirstByteMs} | {(t.Error is null ? t.Seconds.ToString(CultureInfo.InvariantCulture) : "ERROR: " + t.Error.Replace('|', '/').Replace('\n', ' '))} | {t.MiBPerSecond} | {t.RssBeforeMiB} | {t.PeakRssMiB} | {t.GrowthMiB} |");
    }

    report.AppendLine();
    report.AppendLine("What ClickHouse itself needs to read every call of the range with FINAL (`SELECT * … FORMAT Null`, memory from `system.query_log`):");
    report.AppendLine();
    report.AppendLine("| read | queries | peak memory of one query MiB | seconds | result |");
    report.AppendLine("|---|---:|---:|---:|---|");
    foreach (var r in exports.ServerReads)
    {
        report.AppendLine(CultureInfo.InvariantCulture, $"| {r.Read} | {r.Queries} | {r.PeakMemoryMiB} | {r.Seconds} | {(r.Error is null ? "ok" : r.Error.Replace('|', '/').Replace('\n', ' '))} |");
    }

    result = new { machine, clickHouse = version, exports };
}
else if (options.Mode == "ingest")
{
    var ingests = new List<IngestResult>();
    var ceilings = new List<CeilingResult>();
    var runId = DateTime.UtcNow.ToString("MMddHHmmss", CultureInfo.InvariantCulture);
    var phase = 0;
    for (var round = 1; round <= options.Rounds; round++)
    {
        foreach (var profile in options.Profiles)
        {
            var profileName = profile == PayloadProfile.ContentOn ? "on" : "off";
            var databases = new List<string>();
            ClickHouseClient? lastClient = null;
            IngestResult? last = null;
            foreach (var protocol in options.Protocols)
            {
                foreach (var (label, dll) in Alternate(options.Receivers, round))
                {
                    // A fresh database per phase: no phase inherits another's parts, merges or rows.
                    var database = $"otel_llm_loadgen_{runId}_{++phase}_{profileName}";
                    databases.Add(database);
                    lastClient?.Dispose();
                    lastClient = new ClickHouseClient(new ClickHouseOptions { Url = options.ClickHouse, Database = database, Timeout = TimeSpan.FromMinutes(2) });
                    Console.Error.WriteLine($"ingest round {round}: {label}, {protocol}, content {profileName}, {options.SpansPerRequest} spans/request, {options.Concurrency} in flight, load average {MachineInfo.LoadAverageNow()}");
                    await using var receiver = await ReceiverProcess.StartAsync(dll, options.ClickHouse, database, options.ApiKey, options.ReceiverArgs, options.ReceiverEnvironment);
                    var settings = new IngestSettings(protocol, profile, options.SpansPerRequest, options.Concurrency, options.Connections,
                        TimeSpan.FromSeconds(options.WarmupSeconds), TimeSpan.FromSeconds(options.DurationSeconds), options.MaxSpans, options.Rate,
                        TimeSpan.FromMilliseconds(options.ProbeIntervalMs), options.ApiKey);
                    last = await new IngestPhase(settings, receiver, lastClient, clickHousePids, label, round).RunAsync();
                    ingests.Add(last);
                    Console.Error.WriteLine($"  {last.SpansPerSecond:N0} spans/s, ack p50 {last.AckP50Ms} ms p99 {last.AckP99Ms} ms, {last.SpansPerReceiverCpuSecond:N0} spans per receiver CPU-s ({last.SpansPerReceiverCpuSecondToDrained:N0} until drained), queryable p50 {last.LatencyP50Ms} ms p99 {last.LatencyP99Ms} ms, peak {last.ReceiverPeakMiB} MiB, log {last.LogBytesPerSpan} B/span");
                }
            }

            if (options.Ceiling && last is not null && last.StoredSpans > 0 && lastClient is not null)
            {
                Console.Error.WriteLine($"ceiling round {round}: direct RowBinary inserts, content {profileName}, load average {MachineInfo.LoadAverageNow()}");
                var ceiling = await new CeilingPhase(lastClient, clickHousePids, last.Profile, options.CeilingBatch, options.CeilingConcurrency, TimeSpan.FromSeconds(options.DurationSeconds)).RunAsync(last.StoredSpans, last.StoredLlmCalls);
                ceilings.Add(ceiling with { Round = round });
                Console.Error.WriteLine($"  {ceiling.SpansPerSecond:N0} spans/s");
            }

            lastClient?.Dispose();
            if (!options.KeepDatabases)
            {
                foreach (var database in databases)
                {
                    await admin.ExecuteAsync($"DROP DATABASE IF EXISTS {SqlLiteral.Identifier(database)}", "drop the phase database", useDatabase: false);
                }
            }
        }
    }

    report.AppendLine(CultureInfo.InvariantCulture, $"{options.SpansPerRequest} spans per request (traces of 1 invoke_agent + 4 chat spans), {options.Concurrency} requests in flight, {options.Connections} HTTP/2 connections for gRPC, {options.WarmupSeconds} s warm-up then {options.DurationSeconds} s measured per phase, {(options.Rate > 0 ? $"target {options.Rate:N0} spans/s" : "flat out")}, {options.Rounds} round(s){(options.ReceiverEnvironment.Count > 0 ? "; receiver environment " + string.Join(' ', options.ReceiverEnvironment.Select(e => $"{e.Key}={e.Value}")) : string.Empty)}{(options.ReceiverArgs.Count > 0 ? "; receiver arguments " + string.Join(' ', options.ReceiverArgs) : string.Empty)}.");
    report.AppendLine(CultureInfo.InvariantCulture, $"Receivers: {string.Join("; ", options.Receivers.Select(r => $"{r.Label} = {r.Dll}"))}.");
    report.AppendLine();
    report.AppendLine("| round | receiver | protocol | content | spans/s acked | spans/s stored (window + drain) | ack p50 / p99 ms (n) | receiver CPU-s | spans per receiver CPU-s (window) | backlog at start, drain s | spans per receiver CPU-s (until drained) | ClickHouse CPU-s (until drained) | queryable p50 / p99 ms (n) | receiver peak RSS MiB | log bytes per span (peak MiB) | storage write bytes per span | refused / failed | vs ceiling | load average start → end |");
    report.AppendLine("|---:|---|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|");
    foreach (var r in ingests)
    {
        var ceiling = ceilings.FirstOrDefault(c => c.Profile == r.Profile && c.Round == r.Round);
        var ratio = ceiling is { SpansPerSecond: > 0 } ? (r.SpansStoredPerSecond / ceiling.SpansPerSecond).ToString("P0", CultureInfo.InvariantCulture) : "n/a";
        report.AppendLine(CultureInfo.InvariantCulture, $"| {r.Round} | {r.Receiver} | {r.Protocol} | {r.Profile} | {r.SpansPerSecond:N0} | {r.SpansStoredPerSecond:N0} | {r.AckP50Ms} / {r.AckP99Ms} ({r.AckSamples}) | {r.ReceiverCpuSeconds} | {r.SpansPerReceiverCpuSecond:N0} | {r.BacklogAtWindowStart:N0}, {r.DrainSeconds} | {r.SpansPerReceiverCpuSecondToDrained:N0} | {r.ClickHouseCpuToDrainedSeconds} | {r.LatencyP50Ms} / {r.LatencyP99Ms} ({r.LatencySamples}) | {r.ReceiverPeakMiB} | {r.LogBytesPerSpan:N0} ({r.LogPeakBytes / 1048576.0:N1}) | {r.StorageWriteBytesPerSpan:N0} | {r.Refused} / {r.Failed} | {ratio} | {r.LoadAverageStart} → {r.LoadAverageEnd} |");
    }

    if (ingests.Any(r => r.SpansAcked == 0))
    {
        report.AppendLine();
        report.AppendLine("A phase had no acknowledgement inside its window: the first batches were still being written. Lengthen --warmup and --duration.");
    }

    if (ceilings.Count > 0)
    {
        report.AppendLine();
        report.AppendLine("Ceiling: the receiver's own rows read back as RowBinary and inserted straight into ClickHouse (no receiver).");
        report.AppendLine();
        report.AppendLine("| round | content | spans + llm_calls per insert | bytes per insert | concurrent inserts | spans/s | ClickHouse CPU-s | spans per ClickHouse CPU-s |");
        report.AppendLine("|---:|---|---:|---:|---:|---:|---:|---:|");
        foreach (var c in ceilings)
        {
            report.AppendLine(CultureInfo.InvariantCulture, $"| {c.Round} | {c.Profile} | {c.BatchSpans:N0} + {c.BatchLlmCalls:N0} | {c.BatchBytes:N0} | {c.Concurrency} | {c.SpansPerSecond:N0} | {c.ClickHouseCpuSeconds} | {c.SpansPerClickHouseCpuSecond:N0} |");
        }
    }

    report.AppendLine();
    report.AppendLine(CultureInfo.InvariantCulture, $"Stored check: {string.Join("; ", ingests.Select(r => $"{r.Round}/{r.Receiver}/{r.Protocol}/{r.Profile}: {r.AckedTotal:N0} spans acknowledged, {r.StoredSpans:N0} rows in otel_traces{(r.StoredSpans < r.AckedTotal ? " (SHORT)" : string.Empty)}"))}. Load average at end {MachineInfo.LoadAverageNow()}.");
    result = new { machine, clickHouse = version, ingests, ceilings };
}
else if (options.Mode == "sdk")
{
    var runId = DateTime.UtcNow.ToString("MMddHHmmss", CultureInfo.InvariantCulture);
    var tools = SdkDeliveryPhase.FindTools();
    var deliveries = new List<SdkDeliveryResult>();
    var phase = 0;
    for (var round = 1; round <= options.Rounds; round++)
    {
        foreach (var sdk in options.Sdks)
        {
            foreach (var (label, dll) in Alternate(options.Receivers, round))
            {
                var database = $"otel_llm_sdk_{runId}_{++phase}";
                using var client = new ClickHouseClient(new ClickHouseOptions { Url = options.ClickHouse, Database = database, Timeout = TimeSpan.FromMinutes(2) });
                Console.Error.WriteLine($"sdk round {round}: {label}, {sdk}, {options.Rate:N0} spans/s over {options.Processes} process(es) for {options.DurationSeconds} s, load average {MachineInfo.LoadAverageNow()}");
                try
                {
                    await using var receiver = await ReceiverProcess.StartAsync(dll, options.ClickHouse, database, options.ApiKey, options.ReceiverArgs, options.ReceiverEnvironment);
                    var delivery = await new SdkDeliveryPhase(tools, receiver, client, sdk, options.Rate, options.Processes, options.DurationSeconds, label, round).RunAsync();
                    deliveries.Add(delivery);
                    Console.Error.WriteLine($"  produced {delivery.Produced:N0}, stored {delivery.Stored:N0} ({delivery.StoredShare:P1}), per process {string.Join(", ", delivery.PerProcess)}");
                }
                finally
                {
                    if (!options.KeepDatabases)
                    {
                        await admin.ExecuteAsync($"DROP DATABASE IF EXISTS {SqlLiteral.Identifier(database)}", "drop the phase database", useDatabase: false);
                    }
                }
            }
        }
    }

    report.AppendLine(CultureInfo.InvariantCulture, $"Stock OpenTelemetry SDKs with default batch settings, {options.Rate:N0} spans/s in all over {options.Processes} process(es), {options.DurationSeconds} s, {options.Rounds} round(s); stored = count() FROM otel_traces FINAL per service once it stopped growing.");
    report.AppendLine(CultureInfo.InvariantCulture, $"Receivers: {string.Join("; ", options.Receivers.Select(r => $"{r.Label} = {r.Dll}"))}.");
    report.AppendLine();
    report.AppendLine("| round | receiver | SDK | processes | produced | stored | stored % | per process stored/produced | receiver CPU-s | load average start → end |");
    report.AppendLine("|---:|---|---|---:|---:|---:|---:|---|---:|---|");
    foreach (var d in deliveries)
    {
        report.AppendLine(CultureInfo.InvariantCulture, $"| {d.Round} | {d.Receiver} | {d.Sdk} | {d.Processes} | {d.Produced:N0} | {d.Stored:N0} | {d.StoredShare:P1} | {string.Join(", ", d.PerProcess)} | {d.ReceiverCpuSeconds} | {d.LoadAverageStart} → {d.LoadAverageEnd} |");
    }

    result = new { machine, clickHouse = version, deliveries };
}
else
{
    Console.Error.WriteLine($"unknown mode {options.Mode}");
    Console.Error.WriteLine(LoadGenOptions.Usage);
    return 2;
}

var markdown = report.ToString();
Console.WriteLine(markdown);
await File.WriteAllTextAsync(options.OutputPrefix + ".md", markdown);
await File.WriteAllTextAsync(options.OutputPrefix + ".json", JsonSerializer.Serialize(result, new JsonSerializerOptions { WriteIndented = true }));
return 0;

// Round 1 runs the receivers in the given order, round 2 reversed, and so on (A B, B A, ...), so a drift of the
// machine's load over the run does not favour the one that always goes first.
static IEnumerable<(string Label, string Dll)> Alternate(List<(string Label, string Dll)> receivers, int round)
    => round % 2 == 1 ? receivers : Enumerable.Reverse(receivers);

static string FindDashboards()
{
    for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
    {
        var candidate = Path.Combine(dir.FullName, "dashboards", "json");
        if (Directory.Exists(candidate))
        {
            return candidate;
        }
    }

    var fromCwd = Path.Combine(Directory.GetCurrentDirectory(), "dashboards", "json");
    return Directory.Exists(fromCwd) ? fromCwd : throw new DirectoryNotFoundException("dashboards/json not found; run from the repository root.");
}
