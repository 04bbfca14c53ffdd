using System.Globalization;
using System.Text;
using OtelLlm.Semantics.Pricing;
using OtelLlm.Storage.ClickHouse;

namespace OtelLlm.Receiver.Repricing;

/// <summary>
/// Re-prices stored calls with the current price table, without <c>ALTER … UPDATE</c> (which loses rows on ClickHouse
/// 18.16): every call whose cost changes gets a new revision of its row (<c>Revision + 1</c>, <c>CostSource = repriced</c>,
/// the old cost in the attribute <c>otel_llm.cost_before</c>), so <c>FINAL</c> reads the new cost; the views of migration 8 carry the change of cost
/// from that same insert into <c>llm_calls_1m</c> and <c>llm_users_1d</c>, and raise <c>llm_maxima_1h</c>. A day whose
/// costs went down gets its maxima rebuilt (partition dropped and filled again from <c>FINAL</c>; a maximum is the same
/// however often a call is counted, so calls arriving meanwhile do no harm).
/// </summary>
/// <remarks>
/// Calls that carry their own cost (<c>CostSource = span</c>) are never re-priced; a call the new table cannot price keeps
/// its old cost (a re-price never takes a price away, so the rollups' priced-call counts only grow). The range is read an
/// hour at a time. Running it again changes nothing: a call whose cost already matches gets no revision. Calls younger than
/// <see cref="MinimumAge"/> are left alone, so a late content revision of the receiver cannot collide with a re-price revision.
/// </remarks>
internal sealed class Repricer(ClickHouseClient client, ModelPriceTable prices, TimeProvider time)
{
    /// <summary>Calls younger than this are not re-priced: the receiver may still write content revisions of them.</summary>
    public static readonly TimeSpan MinimumAge = TimeSpan.FromMinutes(10);

    // Attributes that carry usage details the token columns do not (1-hour cache writes, audio and image tokens).
    private static readonly string[] s_detailAttributes =
    [
        OtelLlmNames.CacheWrite1hInputTokens, GenAi.Usage.AudioInputTokens, GenAi.Usage.InputAudioTokens, OpenInference.TokenCountPromptAudio,
        GenAi.Usage.AudioCacheReadInputTokens, GenAi.Usage.ImageInputTokens, GenAi.Usage.AudioOutputTokens, GenAi.Usage.OutputAudioTokens,
        OpenInference.TokenCountCompletionAudio, GenAi.Usage.ImageOutputTokens,
    ];

    public async Task<RepriceReport> RunAsync(DateTime fromUtc, DateTime toUtc, string? project, bool dryRun, CancellationToken cancellationToken = default)
    {
        var latest = time.GetUtcNow().UtcDateTime - MinimumAge;
        var end = toUtc > latest ? latest : toUtc;
        var report = new RepriceReport { FromUtc = fromUtc, ToUtc = end };
        var loweredDays = new SortedSet<uint>();
        for (var hour = fromUtc; hour < end; hour = NextHour(hour))
        {
            var hourEnd = NextHour(hour) < end ? NextHour(hour) : end;
            var changes = await ScanAsync(hour, hourEnd, project, report, loweredDays, cancellationToken);
            if (changes.Count > 0 && !dryRun)
            {
                await WriteRevisionsAsync(hour, hourEnd, project, changes, cancellationToken);
            }
        }

        if (!dryRun)
        {
            foreach (var day in loweredDays)
            {
                await RebuildMaximaAsync(day, cancellationToken);
                report.MaximaDaysRebuilt++;
            }
        }

        return report;
    }

    private static DateTime NextHour(DateTime t) => new DateTime(t.Year, t.Month, t.Day, t.Hour, 0, 0, DateTimeKind.Utc).AddHours(1);

    private async Task<List<Change>> ScanAsync(DateTime from, DateTime to, string? project, RepriceReport report, SortedSet<uint> loweredDays, CancellationToken cancellationToken)
    {
        var details = new StringBuilder();
        foreach (var name in s_detailAttributes)
        {
            details.Append(CultureInfo.InvariantCulture, $", `Attributes.Value`[indexOf(`Attributes.Key`, {SqlLiteral.Quote(name)})]");
        }

        var rows = await client.QueryAsync(
            $"""
            SELECT Project, TraceId, SpanId, Revision, StartTimeUnixNano, toYYYYMMDD(Timestamp), Provider, RequestModel, ResponseModel,
                InputTokens, OutputTokens, CacheReadTokens, CacheWriteTokens, ReasoningTokens, isNull(CostUsd), ifNull(CostUsd, 0), CostSource{details}
            FROM llm_calls FINAL
            WHERE {Range(from, to, project)}
            """,
            "read the calls to re-price",
            cancellationToken);
        var changes = new List<Change>();
        foreach (var r in rows)
        {
            report.Scanned++;
            if (r[16] == CostSources.Span)
            {
                report.SpanCosts++;
                continue;
            }

            var usage = UsageReport.WithDetails(
                new TokenUsage(Long(r[9]), Long(r[10]), Long(r[11]), Long(r[12]), Long(r[13])),
                new StoredCounts(r, 17));
            var at = DateTimeOffset.UnixEpoch.AddTicks((long)(ulong.Parse(r[4], CultureInfo.InvariantCulture) / 100));
            double? before = r[14] == "1" ? null : double.Parse(r[15], CultureInfo.InvariantCulture);
            var after = prices.PriceCall(r[6], r[8], r[7], usage, at, out _);
            report.CostBeforeUsd += before ?? 0;
            if (after is null)
            {
                report.CostAfterUsd += before ?? 0;
                report.AddUnpriced(r[6], r[8].Length > 0 ? r[8] : r[7], before is not null);
                continue;
            }

            report.CostAfterUsd += after.Value;
            if (before is { } old && Math.Abs(old - after.Value) <= 1e-12 * Math.Max(1, Math.Abs(old)))
            {
                report.Unchanged++;
                continue;
            }

            report.Repriced++;
            if (before is { } previous && after.Value < previous)
            {
                loweredDays.Add(uint.Parse(r[5], CultureInfo.InvariantCulture));
            }

            changes.Add(new Change(r[0], r[1], r[2], uint.Parse(r[3], CultureInfo.InvariantCulture), after.Value));
        }

        return changes;
    }

    // The new revisions are written by the server from the rows it holds, joined with the new costs, so every column is
    // copied exactly; a call whose revision moved on since it was read is not joined and waits for the next run.
    private async Task WriteRevisionsAsync(DateTime from, DateTime to, string? project, List<Change> changes, CancellationToken cancellationToken)
    {
        var staging = "reprice_" + Guid.NewGuid().ToString("N");
        await client.ExecuteAsync(
            $"CREATE TABLE {staging} (Project String, TraceId String, SpanId String, Revision UInt32, NewCostUsd Float64) ENGINE = Memory",
            "create the re-price staging table",
            cancellationToken: cancellationToken);
        try
        {
            using (var writer = new RowBinaryWriter())
            {
                foreach (var c in changes)
                {
                    writer.WriteString(c.Project);
                    writer.WriteString(c.TraceId);
                    writer.WriteString(c.SpanId);
                    writer.WriteUInt32(c.Revision);
                    writer.WriteFloat64(c.NewCostUsd);
                }

                await client.InsertRowBinaryAsync(staging, "Project, TraceId, SpanId, Revision, NewCostUsd", writer.WrittenMemory, "stage the new costs", cancellationToken);
            }

            // DESCRIBE lists the columns in table order (system.columns has no position on 18.16); computed ones are not written.
            var columns = await client.QueryAsync("DESCRIBE TABLE llm_calls", "read the columns of llm_calls", cancellationToken);
            var names = columns.Where(c => c.Length < 3 || (c[2] != "MATERIALIZED" && c[2] != "ALIAS")).Select(c => c[0]).ToList();
            // INSERT … SELECT maps columns by position; the changed ones get names of their own so that CostUsd and
            // Revision still mean the stored values everywhere in the statement.
            var before = SqlLiteral.Quote(OtelLlmNames.CostBefore);
            var select = string.Join(", ", names.Select(name => name switch
            {
                "CostUsd" => "toNullable(NewCostUsd) AS RepricedCostUsd",
                "CostSource" => $"{SqlLiteral.Quote(CostSources.Repriced)} AS RepricedCostSource",
                "Revision" => "Revision + 1 AS NextRevision",
                "Attributes.Key" => $"arrayConcat(arrayFilter(k -> k != {before}, `Attributes.Key`), [{before}]) AS RepricedKeys",
                "Attributes.Value" => $"arrayConcat(arrayFilter((v, k) -> k != {before}, `Attributes.Value`, `Attributes.Key`), [ifNull(toString(CostUsd), '')]) AS RepricedValues",
                _ => $"`{name}`",
            }));
            await client.ExecuteAsync(
                $"""
                INSERT INTO llm_calls ({string.Join(", ", names.Select(n => $"`{n}`"))})
                SELECT {select}
                FROM (SELECT * FROM llm_calls FINAL WHERE {Range(from, to, project)})
                ANY INNER JOIN {staging} USING (Project, TraceId, SpanId, Revision)
                """,
                "write the re-priced revisions",
                cancellationToken: cancellationToken);
        }
        finally
        {
            await client.ExecuteAsync($"DROP TABLE IF EXISTS {staging}", "drop the re-price staging table", cancellationToken: CancellationToken.None);
        }
    }

    private async Task RebuildMaximaAsync(uint day, CancellationToken cancellationToken)
    {
        var partition = day.ToString(CultureInfo.InvariantCulture);
        await client.ExecuteAsync($"ALTER TABLE llm_maxima_1h DROP PARTITION {partition}", "drop a day of hourly maxima to rebuild it", cancellationToken: cancellationToken);
        await client.ExecuteAsync(
            $"""
            INSERT INTO llm_maxima_1h
            SELECT Project, toStartOfHour(Timestamp) AS Hour, ServiceName, Environment, Provider, RequestModel,
                maxState(ifNull(CostUsd, 0)) AS MaxCostUsd, maxState(Duration) AS MaxDuration
            FROM llm_calls FINAL
            WHERE toYYYYMMDD(Timestamp) = {partition}
            GROUP BY Project, Hour, ServiceName, Environment, Provider, RequestModel
            """,
            "rebuild a day of hourly maxima",
            cancellationToken: cancellationToken);
    }

    private static string Range(DateTime from, DateTime to, string? project) =>
        $"Timestamp >= toDateTime({Seconds(from)}) AND Timestamp < toDateTime({Seconds(to)})"
        + (string.IsNullOrEmpty(project) ? string.Empty : $" AND Project = {SqlLiteral.Quote(project)}");

    private static string Seconds(DateTime utc) => ((long)(utc - DateTime.UnixEpoch).TotalSeconds).ToString(CultureInfo.InvariantCulture);

    private static long Long(string text) => long.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var v) ? v : long.MaxValue;

    private sealed record Change(string Project, string TraceId, string SpanId, uint Revision, double NewCostUsd);

    // The detail attributes, read as the columns after the fixed ones, in s_detailAttributes order.
    private readonly struct StoredCounts(string[] row, int first) : ITokenCountSource
    {
        public long? GetCount(string attribute)
        {
            var i = Array.IndexOf(s_detailAttributes, attribute);
            return i >= 0 && long.TryParse(row[first + i], NumberStyles.Integer, CultureInfo.InvariantCulture, out var v) ? v : null;
        }
    }
}

/// <summary>What a re-price did: calls read, re-priced, unchanged, carrying their own cost, and those the table cannot price.</summary>
internal sealed class RepriceReport
{
    private readonly Dictionary<(string Provider, string Model), (long Calls, bool KeptOldCost)> _unpriced = [];

    public DateTime FromUtc { get; init; }

    public DateTime ToUtc { get; init; }

    public long Scanned { get; set; }

    public long Repriced { get; set; }

    public long Unchanged { get; set; }

    public long SpanCosts { get; set; }

    public long Unpriced => _unpriced.Values.Sum(v => v.Calls);

    public double CostBeforeUsd { get; set; }

    public double CostAfterUsd { get; set; }

    public int MaximaDaysRebuilt { get; set; }

    public IEnumerable<(string Provider, string Model, long Calls, bool KeptOldCost)> UnpricedModels =>
        _unpriced.OrderByDescending(kv => kv.Value.Calls).Select(kv => (kv.Key.Provider, kv.Key.Model, kv.Value.Calls, kv.Value.KeptOldCost));

    public void AddUnpriced(string provider, string model, bool keptOldCost)
    {
        _unpriced.TryGetValue((provider, model), out var seen);
        _unpriced[(provider, model)] = (seen.Calls + 1, seen.KeptOldCost || keptOldCost);
    }
}
