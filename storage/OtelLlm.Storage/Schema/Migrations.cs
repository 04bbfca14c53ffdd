namespace OtelLlm.Storage.Schema;

/// <summary>
/// Every migration OtelLlm ships, in order. Statements use only what ClickHouse 18.16 and modern servers
/// both accept: no <c>Map</c>, <c>DateTime64</c>, <c>TTL</c>, <c>CODEC</c>, <c>LowCardinality</c>.
/// </summary>
/// <remarks>
/// Counting once: the raw tables are <c>ReplacingMergeTree</c> whose sort key ends in the record's identity
/// (<c>TraceId, SpanId</c> for spans and calls), so a record delivered twice collapses to one row on merge.
/// Queries that must be exact before merges have run read with <c>FINAL</c> (see docs/storage.md, "Counting once").
/// On a cluster every table with a <c>TraceId</c> is sharded by it, so a record's copies meet on one shard; logs
/// without a trace are spread by their <c>RecordHash</c>.
/// </remarks>
public static class Migrations
{
    /// <summary>All migrations, ascending by version.</summary>
    public static IReadOnlyList<Migration> All { get; } =
    [
        new(1, "initial tables: otel_traces, otel_logs, otel_metrics, llm_calls, llm_feedback", Initial),
        new(2, "rollups: llm_calls_1m, llm_latency_1m", Rollups),
        new(3, "daily rollups: llm_users_1d, llm_finish_reasons_1d, filled from existing calls", DailyRollups) { Views = DailyRollupViews },
        new(4, "hourly latency rollup: llm_latency_1h, filled from existing calls", HourlyLatency) { Views = HourlyLatencyView },
        new(5, "hourly maxima: llm_maxima_1h, filled from existing calls", HourlyMaxima) { Views = HourlyMaximaView },
        new(6, "api: llm_feedback.ResponseId, alert_rules, alert_events", ApiTables),
        new(7, "alerts: alert_rules.WebhookFormats", AlertWebhookFormats),
        new(8, "repricing: views that carry a re-priced call's change of cost into the rollups", Repricing),
        new(9, "energy: llm_calls.EnergyWh, Co2eGrams, EnergySource; minute rollup llm_energy_1m", Energy),
    ];

    /// <summary>The newest version; a database at this version has the full schema.</summary>
    public static int LatestVersion => All[^1].Version;

    private static string[] Initial(SchemaContext s) =>
    [
        $"""
        CREATE TABLE IF NOT EXISTS {s.Table("otel_traces")}{s.OnCluster}
        (
            Project String,
            Timestamp DateTime('UTC'),
            StartTimeUnixNano UInt64,
            EndTimeUnixNano UInt64,
            Duration UInt64,
            TraceId String,
            SpanId String,
            ParentSpanId String,
            TraceState String,
            TraceFlags UInt32,
            SpanName String,
            SpanKind String,
            ServiceName String,
            ResourceSchemaUrl String,
            ResourceAttributes Nested(Key String, Value String),
            ScopeName String,
            ScopeVersion String,
            ScopeSchemaUrl String,
            SpanAttributes Nested(Key String, Value String),
            StatusCode String,
            StatusMessage String,
            Events Nested(TimeUnixNano UInt64, Name String, Attributes String),
            Links Nested(TraceId String, SpanId String, TraceState String, Attributes String),
            DroppedAttributesCount UInt32,
            DroppedEventsCount UInt32,
            DroppedLinksCount UInt32
        )
        ENGINE = {s.Engine("ReplacingMergeTree", "otel_traces")}
        PARTITION BY toYYYYMMDD(Timestamp)
        ORDER BY (Project, ServiceName, SpanName, Timestamp, TraceId, SpanId)
        SETTINGS index_granularity = 8192
        """,
        $"""
        CREATE TABLE IF NOT EXISTS {s.Table("otel_traces_trace_id_ts")}{s.OnCluster}
        (
            TraceId String,
            Start DateTime('UTC'),
            End DateTime('UTC')
        )
        ENGINE = {s.Engine("MergeTree", "otel_traces_trace_id_ts")}
        PARTITION BY toYYYYMMDD(Start)
        ORDER BY (TraceId, Start)
        """,
        $"""
        CREATE MATERIALIZED VIEW IF NOT EXISTS {s.Table("otel_traces_trace_id_ts_mv")}{s.OnCluster}
        TO {s.Table("otel_traces_trace_id_ts")}
        AS SELECT TraceId, min(Timestamp) AS Start, max(Timestamp) AS End
        FROM {s.Table("otel_traces")}
        WHERE TraceId != ''
        GROUP BY TraceId
        """,
        $"""
        CREATE TABLE IF NOT EXISTS {s.Table("otel_logs")}{s.OnCluster}
        (
            Project String,
            Timestamp DateTime('UTC'),
            TimeUnixNano UInt64,
            ObservedTimeUnixNano UInt64,
            TraceId String,
            SpanId String,
            TraceFlags UInt32,
            SeverityText String,
            SeverityNumber Int32,
            ServiceName String,
            Body String,
            EventName String,
            ResourceSchemaUrl String,
            ResourceAttributes Nested(Key String, Value String),
            ScopeName String,
            ScopeVersion String,
            ScopeSchemaUrl String,
            ScopeAttributes Nested(Key String, Value String),
            LogAttributes Nested(Key String, Value String),
            DroppedAttributesCount UInt32,
            RecordHash UInt64
        )
        ENGINE = {s.Engine("ReplacingMergeTree", "otel_logs", shardingKey: "if(TraceId = '', RecordHash, cityHash64(TraceId))")}
        PARTITION BY toYYYYMMDD(Timestamp)
        ORDER BY (Project, ServiceName, Timestamp, TraceId, SpanId, RecordHash)
        SETTINGS index_granularity = 8192
        """,
        $"""
        CREATE TABLE IF NOT EXISTS {s.Table("otel_metrics")}{s.OnCluster}
        (
            Project String,
            Timestamp DateTime('UTC'),
            TimeUnixNano UInt64,
            StartTimeUnixNano UInt64,
            ServiceName String,
            MetricName String,
            MetricDescription String,
            MetricUnit String,
            MetricType String,
            AggregationTemporality String,
            IsMonotonic UInt8,
            ResourceSchemaUrl String,
            ResourceAttributes Nested(Key String, Value String),
            ScopeName String,
            ScopeVersion String,
            ScopeSchemaUrl String,
            Attributes Nested(Key String, Value String),
            Value Float64,
            Count UInt64,
            Sum Nullable(Float64),
            Min Nullable(Float64),
            Max Nullable(Float64),
            BucketCounts Array(UInt64),
            ExplicitBounds Array(Float64),
            Scale Int32,
            ZeroCount UInt64,
            ZeroThreshold Float64,
            PositiveOffset Int32,
            PositiveBucketCounts Array(UInt64),
            NegativeOffset Int32,
            NegativeBucketCounts Array(UInt64),
            Quantiles Nested(Quantile Float64, Value Float64),
            Exemplars Nested(TimeUnixNano UInt64, Value Float64, TraceId String, SpanId String, FilteredAttributes String),
            Flags UInt32,
            SeriesHash UInt64
        )
        ENGINE = {s.Engine("ReplacingMergeTree", "otel_metrics")}
        PARTITION BY toYYYYMMDD(Timestamp)
        ORDER BY (Project, ServiceName, MetricName, SeriesHash, Timestamp, TimeUnixNano)
        SETTINGS index_granularity = 8192
        """,
        $"""
        CREATE TABLE IF NOT EXISTS {s.Table("llm_calls")}{s.OnCluster}
        (
            Project String,
            Timestamp DateTime('UTC'),
            StartTimeUnixNano UInt64,
            Duration UInt64,
            TraceId String,
            SpanId String,
            ParentSpanId String,
            ServiceName String,
            Environment String,
            Operation String,
            Provider String,
            RequestModel String,
            ResponseModel String,
            InputTokens UInt64,
            OutputTokens UInt64,
            CacheReadTokens UInt64,
            CacheWriteTokens UInt64,
            ReasoningTokens UInt64,
            TotalTokens UInt64,
            CostUsd Nullable(Float64),
            CostSource String,
            Streaming UInt8,
            TimeToFirstTokenMs Nullable(Float64),
            Temperature Nullable(Float64),
            TopP Nullable(Float64),
            MaxTokens Nullable(UInt64),
            FinishReasons Array(String),
            ResponseId String,
            ConversationId String,
            UserId String,
            Workload String,
            AgentName String,
            ServerAddress String,
            StatusCode String,
            ErrorType String,
            StatusMessage String,
            InputMessages String,
            OutputMessages String,
            SystemInstructions String,
            ToolDefinitions String,
            SourceFormat String,
            Attributes Nested(Key String, Value String),
            Revision UInt32
        )
        ENGINE = {s.Engine("ReplacingMergeTree", "llm_calls", "Revision")}
        PARTITION BY toYYYYMMDD(Timestamp)
        ORDER BY (Project, Timestamp, TraceId, SpanId)
        SETTINGS index_granularity = 8192
        """,
        $"""
        CREATE TABLE IF NOT EXISTS {s.Table("llm_feedback")}{s.OnCluster}
        (
            Project String,
            Timestamp DateTime('UTC'),
            FeedbackId String,
            TraceId String,
            SpanId String,
            Name String,
            Value Nullable(Float64),
            StringValue String,
            Comment String,
            Source String,
            UserId String,
            Attributes Nested(Key String, Value String)
        )
        ENGINE = {s.Engine("ReplacingMergeTree", "llm_feedback")}
        PARTITION BY toYYYYMMDD(Timestamp)
        ORDER BY (Project, TraceId, SpanId, Name, FeedbackId)
        SETTINGS index_granularity = 8192
        """,
    ];

    // The rollups read only Revision 0, the first write of a call: later revisions carry late-arriving
    // content for the same call and would otherwise count it again. Minute buckets keep the column name
    // Timestamp so every panel filters with the same $__timeFilter(Timestamp); day partitions let
    // RetentionJob drop them with the raw tables.
    private static string[] Rollups(SchemaContext s) =>
    [
        $"""
        CREATE TABLE IF NOT EXISTS {s.Table("llm_calls_1m")}{s.OnCluster}
        (
            Project String,
            Timestamp DateTime('UTC'),
            ServiceName String,
            Environment String,
            Provider String,
            RequestModel String,
            Operation String,
            StatusCode String,
            ErrorType String,
            Calls UInt64,
            Errors UInt64,
            StreamingCalls UInt64,
            InputTokensSum UInt64,
            OutputTokensSum UInt64,
            CacheReadTokensSum UInt64,
            CacheWriteTokensSum UInt64,
            ReasoningTokensSum UInt64,
            TotalTokensSum UInt64,
            CostUsdSum Float64,
            CostedCalls UInt64,
            DurationSum UInt64,
            TimeToFirstTokenMsSum Float64,
            TimeToFirstTokenCount UInt64
        )
        ENGINE = {s.Engine("SummingMergeTree", "llm_calls_1m")}
        PARTITION BY toYYYYMMDD(Timestamp)
        ORDER BY (Project, Timestamp, ServiceName, Environment, Provider, RequestModel, Operation, StatusCode, ErrorType)
        SETTINGS index_granularity = 8192
        """,
        $"""
        CREATE MATERIALIZED VIEW IF NOT EXISTS {s.Table("llm_calls_1m_mv")}{s.OnCluster}
        TO {s.Table("llm_calls_1m")}
        AS SELECT
            Project,
            toStartOfMinute(Timestamp) AS Timestamp,
            ServiceName,
            Environment,
            Provider,
            RequestModel,
            Operation,
            StatusCode,
            ErrorType,
            count() AS Calls,
            countIf(StatusCode = 'Error') AS Errors,
            countIf(Streaming = 1) AS StreamingCalls,
            sum(InputTokens) AS InputTokensSum,
            sum(OutputTokens) AS OutputTokensSum,
            sum(CacheReadTokens) AS CacheReadTokensSum,
            sum(CacheWriteTokens) AS CacheWriteTokensSum,
            sum(ReasoningTokens) AS ReasoningTokensSum,
            sum(TotalTokens) AS TotalTokensSum,
            sum(ifNull(CostUsd, 0)) AS CostUsdSum,
            countIf(isNotNull(CostUsd)) AS CostedCalls,
            sum(Duration) AS DurationSum,
            sum(ifNull(TimeToFirstTokenMs, 0)) AS TimeToFirstTokenMsSum,
            countIf(isNotNull(TimeToFirstTokenMs)) AS TimeToFirstTokenCount
        FROM {s.Table("llm_calls")}
        WHERE Revision = 0
        GROUP BY Project, Timestamp, ServiceName, Environment, Provider, RequestModel, Operation, StatusCode, ErrorType
        """,
        $"""
        CREATE TABLE IF NOT EXISTS {s.Table("llm_latency_1m")}{s.OnCluster}
        (
            Project String,
            Timestamp DateTime('UTC'),
            ServiceName String,
            Environment String,
            Provider String,
            RequestModel String,
            Operation String,
            Streaming UInt8,
            DurationQuantiles AggregateFunction(quantilesTDigest(0.5, 0.95, 0.99), UInt64),
            TimeToFirstTokenMsQuantiles AggregateFunction(quantilesTDigest(0.5, 0.95, 0.99), Float64)
        )
        ENGINE = {s.Engine("AggregatingMergeTree", "llm_latency_1m")}
        PARTITION BY toYYYYMMDD(Timestamp)
        ORDER BY (Project, Timestamp, ServiceName, Environment, Provider, RequestModel, Operation, Streaming)
        SETTINGS index_granularity = 8192
        """,
        $"""
        CREATE MATERIALIZED VIEW IF NOT EXISTS {s.Table("llm_latency_1m_mv")}{s.OnCluster}
        TO {s.Table("llm_latency_1m")}
        AS SELECT
            Project,
            toStartOfMinute(Timestamp) AS Timestamp,
            ServiceName,
            Environment,
            Provider,
            RequestModel,
            Operation,
            Streaming,
            quantilesTDigestState(0.5, 0.95, 0.99)(Duration) AS DurationQuantiles,
            quantilesTDigestStateIf(0.5, 0.95, 0.99)(ifNull(TimeToFirstTokenMs, 0), isNotNull(TimeToFirstTokenMs)) AS TimeToFirstTokenMsQuantiles
        FROM {s.Table("llm_calls")}
        WHERE Revision = 0
        GROUP BY Project, Timestamp, ServiceName, Environment, Provider, RequestModel, Operation, Streaming
        """,
    ];

    // Daily rollups for what the minute rollups cannot answer: per-user totals (sessions are uniq states, so a user's
    // distinct sessions add up across days) and finish reasons. Dashboards read them for the whole UTC days inside a
    // range and the raw table for the partial days at its ends. SummingMergeTree sums the counters and merges the
    // AggregateFunction columns like AggregatingMergeTree would.
    private static string[] DailyRollups(SchemaContext s) =>
    [
        $"""
        CREATE TABLE IF NOT EXISTS {s.Table("llm_users_1d")}{s.OnCluster}
        (
            Project String,
            Day DateTime('UTC'),
            UserId String,
            Calls UInt64,
            Errors UInt64,
            InputTokensSum UInt64,
            OutputTokensSum UInt64,
            TotalTokensSum UInt64,
            CostUsdSum Float64,
            CostedCalls UInt64,
            DurationSum UInt64,
            Sessions AggregateFunction(uniq, String),
            FirstSeen AggregateFunction(min, DateTime('UTC')),
            LastSeen AggregateFunction(max, DateTime('UTC'))
        )
        ENGINE = {s.Engine("SummingMergeTree", "llm_users_1d")}
        PARTITION BY toYYYYMMDD(Day)
        ORDER BY (Project, Day, UserId)
        SETTINGS index_granularity = 8192
        """,
        $"""
        CREATE TABLE IF NOT EXISTS {s.Table("llm_finish_reasons_1d")}{s.OnCluster}
        (
            Project String,
            Day DateTime('UTC'),
            ServiceName String,
            Environment String,
            Provider String,
            RequestModel String,
            FinishReason String,
            Calls UInt64
        )
        ENGINE = {s.Engine("SummingMergeTree", "llm_finish_reasons_1d")}
        PARTITION BY toYYYYMMDD(Day)
        ORDER BY (Project, Day, ServiceName, Environment, Provider, RequestModel, FinishReason)
        SETTINGS index_granularity = 8192
        """,
    ];

    // Like the minute rollups, the views read only Revision 0. The bucket is named Day, not Timestamp, because the
    // users view also aggregates the raw Timestamp (first and last seen), which an alias of the same name would hide.
    private static BackfilledView[] DailyRollupViews(SchemaContext s) =>
    [
        new("llm_users_1d_mv", "llm_users_1d", "llm_calls", condition => $"""
            SELECT
                Project,
                toStartOfDay(Timestamp) AS Day,
                UserId,
                count() AS Calls,
                countIf(StatusCode = 'Error') AS Errors,
                sum(InputTokens) AS InputTokensSum,
                sum(OutputTokens) AS OutputTokensSum,
                sum(TotalTokens) AS TotalTokensSum,
                sum(ifNull(CostUsd, 0)) AS CostUsdSum,
                countIf(isNotNull(CostUsd)) AS CostedCalls,
                sum(Duration) AS DurationSum,
                uniqState(ConversationId) AS Sessions,
                minState(Timestamp) AS FirstSeen,
                maxState(Timestamp) AS LastSeen
            FROM {s.Table("llm_calls")}
            WHERE Revision = 0{And(condition)}
            GROUP BY Project, Day, UserId
            """),
        new("llm_finish_reasons_1d_mv", "llm_finish_reasons_1d", "llm_calls", condition => $"""
            SELECT
                Project,
                toStartOfDay(Timestamp) AS Day,
                ServiceName,
                Environment,
                Provider,
                RequestModel,
                FinishReason,
                count() AS Calls
            FROM {s.Table("llm_calls")}
            ARRAY JOIN FinishReasons AS FinishReason
            WHERE Revision = 0{And(condition)}
            GROUP BY Project, Day, ServiceName, Environment, Provider, RequestModel, FinishReason
            """),
    ];

    // The latency panels merge t-digest states; over long ranges llm_latency_1m holds about as many minute rows as there
    // are calls, so they read whole hours here and only the partial hours at a range's ends from the minute rollup.
    // The bucket is named Hour, like Day above, so that the fill's time range applies to the raw Timestamp.
    private static string[] HourlyLatency(SchemaContext s) =>
    [
        $"""
        CREATE TABLE IF NOT EXISTS {s.Table("llm_latency_1h")}{s.OnCluster}
        (
            Project String,
            Hour DateTime('UTC'),
            ServiceName String,
            Environment String,
            Provider String,
            RequestModel String,
            Operation String,
            Streaming UInt8,
            DurationQuantiles AggregateFunction(quantilesTDigest(0.5, 0.95, 0.99), UInt64),
            TimeToFirstTokenMsQuantiles AggregateFunction(quantilesTDigest(0.5, 0.95, 0.99), Float64)
        )
        ENGINE = {s.Engine("AggregatingMergeTree", "llm_latency_1h")}
        PARTITION BY toYYYYMMDD(Hour)
        ORDER BY (Project, Hour, ServiceName, Environment, Provider, RequestModel, Operation, Streaming)
        SETTINGS index_granularity = 8192
        """,
    ];

    private static BackfilledView[] HourlyLatencyView(SchemaContext s) =>
    [
        new("llm_latency_1h_mv", "llm_latency_1h", "llm_calls", condition => $"""
            SELECT
                Project,
                toStartOfHour(Timestamp) AS Hour,
                ServiceName,
                Environment,
                Provider,
                RequestModel,
                Operation,
                Streaming,
                quantilesTDigestState(0.5, 0.95, 0.99)(Duration) AS DurationQuantiles,
                quantilesTDigestStateIf(0.5, 0.95, 0.99)(ifNull(TimeToFirstTokenMs, 0), isNotNull(TimeToFirstTokenMs)) AS TimeToFirstTokenMsQuantiles
            FROM {s.Table("llm_calls")}
            WHERE Revision = 0{And(condition)}
            GROUP BY Project, Hour, ServiceName, Environment, Provider, RequestModel, Operation, Streaming
            """),
    ];

    // The largest cost and duration per hour and filter combination. Each is one call's value, so the 200th largest of
    // them over the whole hours of a range is at most the 200th largest value of any call in the range: a threshold
    // the top-call panels can read instead of scanning a column of every call. Calls without a cost count as 0.
    private static string[] HourlyMaxima(SchemaContext s) =>
    [
        $"""
        CREATE TABLE IF NOT EXISTS {s.Table("llm_maxima_1h")}{s.OnCluster}
        (
            Project String,
            Hour DateTime('UTC'),
            ServiceName String,
            Environment String,
            Provider String,
            RequestModel String,
            MaxCostUsd AggregateFunction(max, Float64),
            MaxDuration AggregateFunction(max, UInt64)
        )
        ENGINE = {s.Engine("AggregatingMergeTree", "llm_maxima_1h")}
        PARTITION BY toYYYYMMDD(Hour)
        ORDER BY (Project, Hour, ServiceName, Environment, Provider, RequestModel)
        SETTINGS index_granularity = 8192
        """,
    ];

    private static BackfilledView[] HourlyMaximaView(SchemaContext s) =>
    [
        new("llm_maxima_1h_mv", "llm_maxima_1h", "llm_calls", condition => $"""
            SELECT
                Project,
                toStartOfHour(Timestamp) AS Hour,
                ServiceName,
                Environment,
                Provider,
                RequestModel,
                maxState(ifNull(CostUsd, 0)) AS MaxCostUsd,
                maxState(Duration) AS MaxDuration
            FROM {s.Table("llm_calls")}
            WHERE Revision = 0{And(condition)}
            GROUP BY Project, Hour, ServiceName, Environment, Provider, RequestModel
            """),
    ];

    // What the HTTP API writes besides telemetry. Feedback may name its call by response id instead of span id. Rules and
    // events change by new revisions (ReplacingMergeTree by Revision, the highest wins; a deleted rule is a revision
    // with Deleted = 1), never by ALTER … UPDATE/DELETE. An event's Timestamp never changes between its revisions, so
    // they stay in one partition and merge.
    private static string[] ApiTables(SchemaContext s) =>
    [
        $"ALTER TABLE {s.Table("llm_feedback")}{s.OnCluster} ADD COLUMN ResponseId String AFTER SpanId",
        $"""
        CREATE TABLE IF NOT EXISTS {s.Table("alert_rules")}{s.OnCluster}
        (
            Project String,
            RuleId String,
            Revision UInt64,
            Deleted UInt8,
            Name String,
            Kind String,
            Threshold Float64,
            WindowMinutes UInt32,
            CooldownMinutes UInt32,
            FilterService String,
            FilterEnvironment String,
            FilterProvider String,
            FilterModel String,
            Webhooks Array(String),
            Enabled UInt8,
            CreatedAt DateTime('UTC'),
            UpdatedAt DateTime('UTC')
        )
        ENGINE = {s.Engine("ReplacingMergeTree", "alert_rules", "Revision")}
        ORDER BY (Project, RuleId)
        """,
        $"""
        CREATE TABLE IF NOT EXISTS {s.Table("alert_events")}{s.OnCluster}
        (
            Project String,
            EventId String,
            Revision UInt64,
            Timestamp DateTime('UTC'),
            RuleId String,
            RuleName String,
            Kind String,
            State String,
            IncidentId String,
            Value Float64,
            Threshold Float64,
            WindowStart DateTime('UTC'),
            WindowEnd DateTime('UTC'),
            Message String,
            AcknowledgedAt Nullable(DateTime('UTC')),
            AcknowledgedBy String,
            Deliveries Nested(Url String, Attempts UInt32, Delivered UInt8, LastStatus UInt32, LastError String, LastAttemptAt DateTime('UTC'))
        )
        ENGINE = {s.Engine("ReplacingMergeTree", "alert_events", "Revision")}
        PARTITION BY toYYYYMM(Timestamp)
        ORDER BY (Project, EventId)
        """,
    ];

    // The payload each webhook gets ('json' or 'slack'), one per entry of Webhooks. A rule written before this migration
    // reads as an empty array; the API then derives the format from the URL, as it does for a URL given without one.
    private static string[] AlertWebhookFormats(SchemaContext s) =>
    [
        $"ALTER TABLE {s.Table("alert_rules")}{s.OnCluster} ADD COLUMN WebhookFormats Array(String) AFTER Webhooks",
    ];

    // A re-priced call is a new revision of its row with CostSource = 'repriced' and the cost it replaces in the attribute
    // otel_llm.cost_before (empty when it had none; see docs/prices.md), so no column is added and the writers are unchanged.
    // The rollups' own views read Revision 0 only; these views read only re-priced revisions and add the change of cost to
    // the same rollup rows, counting nothing else: the revision and its change of cost reach llm_calls and every cost rollup
    // in one INSERT, so FINAL and the rollups agree without ALTER … UPDATE. A re-price never takes a price away, so
    // CostedCalls only grows. Maxima take the larger of old and new; the re-price command rebuilds a day's maxima, by
    // dropping its partition, when a cost went down.
    private static string[] Repricing(SchemaContext s) =>
    [
        $"""
        CREATE MATERIALIZED VIEW IF NOT EXISTS {s.Table("llm_calls_1m_reprice_mv")}{s.OnCluster}
        TO {s.Table("llm_calls_1m")}
        AS SELECT
            Project,
            toStartOfMinute(Timestamp) AS Timestamp,
            ServiceName,
            Environment,
            Provider,
            RequestModel,
            Operation,
            StatusCode,
            ErrorType,
            toUInt64(0) AS Calls,
            toUInt64(0) AS Errors,
            toUInt64(0) AS StreamingCalls,
            toUInt64(0) AS InputTokensSum,
            toUInt64(0) AS OutputTokensSum,
            toUInt64(0) AS CacheReadTokensSum,
            toUInt64(0) AS CacheWriteTokensSum,
            toUInt64(0) AS ReasoningTokensSum,
            toUInt64(0) AS TotalTokensSum,
            sum(ifNull(CostUsd, 0) - toFloat64OrZero(Attributes.Value[indexOf(Attributes.Key, 'otel_llm.cost_before')])) AS CostUsdSum,
            countIf(isNotNull(CostUsd) AND Attributes.Value[indexOf(Attributes.Key, 'otel_llm.cost_before')] = '') AS CostedCalls,
            toUInt64(0) AS DurationSum,
            toFloat64(0) AS TimeToFirstTokenMsSum,
            toUInt64(0) AS TimeToFirstTokenCount
        FROM {s.Table("llm_calls")}
        WHERE CostSource = 'repriced'
        GROUP BY Project, Timestamp, ServiceName, Environment, Provider, RequestModel, Operation, StatusCode, ErrorType
        """,
        $"""
        CREATE MATERIALIZED VIEW IF NOT EXISTS {s.Table("llm_users_1d_reprice_mv")}{s.OnCluster}
        TO {s.Table("llm_users_1d")}
        AS SELECT
            Project,
            toStartOfDay(Timestamp) AS Day,
            UserId,
            toUInt64(0) AS Calls,
            toUInt64(0) AS Errors,
            toUInt64(0) AS InputTokensSum,
            toUInt64(0) AS OutputTokensSum,
            toUInt64(0) AS TotalTokensSum,
            sum(ifNull(CostUsd, 0) - toFloat64OrZero(Attributes.Value[indexOf(Attributes.Key, 'otel_llm.cost_before')])) AS CostUsdSum,
            countIf(isNotNull(CostUsd) AND Attributes.Value[indexOf(Attributes.Key, 'otel_llm.cost_before')] = '') AS CostedCalls,
            toUInt64(0) AS DurationSum,
            uniqState(ConversationId) AS Sessions,
            minState(Timestamp) AS FirstSeen,
            maxState(Timestamp) AS LastSeen
        FROM {s.Table("llm_calls")}
        WHERE CostSource = 'repriced'
        GROUP BY Project, Day, UserId
        """,
        $"""
        CREATE MATERIALIZED VIEW IF NOT EXISTS {s.Table("llm_maxima_1h_reprice_mv")}{s.OnCluster}
        TO {s.Table("llm_maxima_1h")}
        AS SELECT
            Project,
            toStartOfHour(Timestamp) AS Hour,
            ServiceName,
            Environment,
            Provider,
            RequestModel,
            maxState(ifNull(CostUsd, 0)) AS MaxCostUsd,
            maxState(Duration) AS MaxDuration
        FROM {s.Table("llm_calls")}
        WHERE CostSource = 'repriced'
        GROUP BY Project, Hour, ServiceName, Environment, Provider, RequestModel
        """,
    ];

    // Energy per call (docs/energy.md). ClickHouse 18.16 refuses an insert whose materialized view writes to a table with a
    // column the view's SELECT does not give ("Expected column …"), and a view's query cannot be altered, so the minute
    // rollup llm_calls_1m keeps its columns and energy has a minute rollup of its own with the same keys, counting
    // Revision 0 like the others. Calls stored before this migration have no energy (NULL) and nothing to fill.
    private static string[] Energy(SchemaContext s) =>
    [
        $"""
        ALTER TABLE {s.Table("llm_calls")}{s.OnCluster}
            ADD COLUMN EnergyWh Nullable(Float64) AFTER CostSource,
            ADD COLUMN Co2eGrams Nullable(Float64) AFTER EnergyWh,
            ADD COLUMN EnergySource String AFTER Co2eGrams
        """,
        $"""
        CREATE TABLE IF NOT EXISTS {s.Table("llm_energy_1m")}{s.OnCluster}
        (
            Project String,
            Timestamp DateTime('UTC'),
            ServiceName String,
            Environment String,
            Provider String,
            RequestModel String,
            Operation String,
            StatusCode String,
            ErrorType String,
            EnergyCalls UInt64,
            EnergyWhSum Float64,
            Co2eGramsSum Float64
        )
        ENGINE = {s.Engine("SummingMergeTree", "llm_energy_1m")}
        PARTITION BY toYYYYMMDD(Timestamp)
        ORDER BY (Project, Timestamp, ServiceName, Environment, Provider, RequestModel, Operation, StatusCode, ErrorType)
        SETTINGS index_granularity = 8192
        """,
        $"""
        CREATE MATERIALIZED VIEW IF NOT EXISTS {s.Table("llm_energy_1m_mv")}{s.OnCluster}
        TO {s.Table("llm_energy_1m")}
        AS SELECT
            Project,
            toStartOfMinute(Timestamp) AS Timestamp,
            ServiceName,
            Environment,
            Provider,
            RequestModel,
            Operation,
            StatusCode,
            ErrorType,
            count() AS EnergyCalls,
            sum(ifNull(EnergyWh, 0)) AS EnergyWhSum,
            sum(ifNull(Co2eGrams, 0)) AS Co2eGramsSum
        FROM {s.Table("llm_calls")}
        WHERE Revision = 0 AND isNotNull(EnergyWh)
        GROUP BY Project, Timestamp, ServiceName, Environment, Provider, RequestModel, Operation, StatusCode, ErrorType
        """,
    ];

    private static string And(string? condition) => condition is null ? string.Empty : $" AND ({condition})";
}
