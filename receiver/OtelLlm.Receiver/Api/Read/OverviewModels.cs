namespace OtelLlm.Receiver.Api.Read;

/// <summary>Latency percentiles in milliseconds (t-digest estimates); <see langword="null"/> when no call had the value.</summary>
/// <param name="P50">Median.</param>
/// <param name="P95">95th percentile.</param>
/// <param name="P99">99th percentile.</param>
public sealed record Percentiles(double? P50, double? P95, double? P99);

/// <summary>Totals of the calls a filter covers.</summary>
/// <param name="Calls">Model calls.</param>
/// <param name="Errors">Calls that failed (status <c>Error</c>).</param>
/// <param name="ErrorRate">Errors ÷ calls (0 without calls).</param>
/// <param name="InputTokens">Input tokens, cache reads included.</param>
/// <param name="OutputTokens">Output tokens, reasoning included.</param>
/// <param name="CacheReadTokens">Input tokens read from the provider's cache.</param>
/// <param name="ReasoningTokens">Output tokens spent on reasoning.</param>
/// <param name="TotalTokens">All tokens.</param>
/// <param name="CostUsd">Cost in US dollars (calls without a price count as 0).</param>
/// <param name="EnergyWh">Estimated energy in watt-hours (calls without an estimate count as 0); <see langword="null"/> while the database has no energy column.</param>
/// <param name="Co2eGrams">Estimated grams of CO₂-equivalent of that energy; <see langword="null"/> like <paramref name="EnergyWh"/>.</param>
/// <param name="AvgDurationMs">Mean duration in milliseconds (<see langword="null"/> without calls).</param>
/// <param name="LatencyMs">Duration percentiles in milliseconds.</param>
/// <param name="TimeToFirstTokenMs">Time-to-first-token percentiles of streamed calls, in milliseconds.</param>
public sealed record OverviewFigures(
    long Calls,
    long Errors,
    double ErrorRate,
    long InputTokens,
    long OutputTokens,
    long CacheReadTokens,
    long ReasoningTokens,
    long TotalTokens,
    double CostUsd,
    double? EnergyWh,
    double? Co2eGrams,
    double? AvgDurationMs,
    Percentiles LatencyMs,
    Percentiles TimeToFirstTokenMs);

/// <summary>The totals of one value of a dimension (a model, a provider, an error type…).</summary>
/// <param name="Key">The value (empty when the calls did not say).</param>
/// <param name="Calls">Model calls.</param>
/// <param name="Errors">Failed calls.</param>
/// <param name="ErrorRate">Errors ÷ calls.</param>
/// <param name="InputTokens">Input tokens.</param>
/// <param name="OutputTokens">Output tokens.</param>
/// <param name="TotalTokens">All tokens.</param>
/// <param name="CostUsd">Cost in US dollars.</param>
/// <param name="EnergyWh">Estimated energy in watt-hours, when stored.</param>
/// <param name="Co2eGrams">Estimated grams of CO₂-equivalent, when stored.</param>
/// <param name="AvgDurationMs">Mean duration in milliseconds.</param>
/// <param name="LatencyMs">Duration percentiles; absent for dimensions the latency rollups do not keep (error type, status).</param>
public sealed record BreakdownGroup(
    string Key,
    long Calls,
    long Errors,
    double ErrorRate,
    long InputTokens,
    long OutputTokens,
    long TotalTokens,
    double CostUsd,
    double? EnergyWh,
    double? Co2eGrams,
    double? AvgDurationMs,
    Percentiles? LatencyMs);

/// <summary>The answer of <c>GET /api/v1/overview</c>.</summary>
/// <param name="From">Start of the range (UTC).</param>
/// <param name="To">End of the range (UTC).</param>
/// <param name="Figures">Totals of the range.</param>
/// <param name="TopModels">The 10 models with the highest cost (then the most calls).</param>
/// <param name="ErrorTypes">Failed calls per error type, most first (up to 20).</param>
public sealed record Overview(string From, string To, OverviewFigures Figures, IReadOnlyList<BreakdownGroup> TopModels, IReadOnlyList<BreakdownGroup> ErrorTypes);

/// <summary>The answer of <c>GET /api/v1/overview/breakdown</c>.</summary>
/// <param name="By">The dimension: <c>model</c>, <c>provider</c>, <c>service</c>, <c>environment</c>, <c>project</c>, <c>errorType</c> or <c>status</c>.</param>
/// <param name="Groups">One group per value, highest cost first (then most calls).</param>
public sealed record Breakdown(string By, IReadOnlyList<BreakdownGroup> Groups);

/// <summary>One time bucket of a series.</summary>
/// <param name="Time">The bucket's start (UTC).</param>
/// <param name="Calls">Model calls.</param>
/// <param name="Errors">Failed calls.</param>
/// <param name="InputTokens">Input tokens.</param>
/// <param name="OutputTokens">Output tokens.</param>
/// <param name="TotalTokens">All tokens.</param>
/// <param name="CostUsd">Cost in US dollars.</param>
/// <param name="EnergyWh">Energy in watt-hours, when stored.</param>
/// <param name="AvgDurationMs">Mean duration in milliseconds.</param>
public sealed record SeriesPoint(string Time, long Calls, long Errors, long InputTokens, long OutputTokens, long TotalTokens, double CostUsd, double? EnergyWh, double? AvgDurationMs);

/// <summary>The points of one group (the whole filter when not grouped) with calls; buckets without calls are left out.</summary>
/// <param name="Key">The group's value; empty when not grouped, <c>(other)</c> for the groups past the top ones.</param>
/// <param name="Points">Buckets in time order.</param>
public sealed record Series(string Key, IReadOnlyList<SeriesPoint> Points);

/// <summary>The answer of <c>GET /api/v1/overview/series</c>.</summary>
/// <param name="From">Start of the range.</param>
/// <param name="To">End of the range.</param>
/// <param name="StepSeconds">The bucket width.</param>
/// <param name="GroupBy">The dimension the series are split by, or <c>none</c>.</param>
/// <param name="Series">One series per group: the 8 with the highest cost, then <c>(other)</c>.</param>
public sealed record SeriesSet(string From, string To, int StepSeconds, string GroupBy, IReadOnlyList<Series> Series);

/// <summary>Latency percentiles of one time bucket.</summary>
/// <param name="Time">The bucket's start (UTC).</param>
/// <param name="LatencyMs">Duration percentiles.</param>
/// <param name="TimeToFirstTokenMs">Time to first token of streamed calls.</param>
public sealed record LatencyPoint(string Time, Percentiles LatencyMs, Percentiles TimeToFirstTokenMs);

/// <summary>The latency points of one group.</summary>
/// <param name="Key">The group's value (empty when not grouped).</param>
/// <param name="Points">Buckets in time order.</param>
public sealed record LatencySeries(string Key, IReadOnlyList<LatencyPoint> Points);

/// <summary>The answer of <c>GET /api/v1/overview/latency</c>.</summary>
/// <param name="From">Start of the range.</param>
/// <param name="To">End of the range.</param>
/// <param name="StepSeconds">The bucket width.</param>
/// <param name="GroupBy">The dimension, or <c>none</c>.</param>
/// <param name="Series">One series per group (the 8 with the most calls).</param>
public sealed record LatencySeriesSet(string From, string To, int StepSeconds, string GroupBy, IReadOnlyList<LatencySeries> Series);
