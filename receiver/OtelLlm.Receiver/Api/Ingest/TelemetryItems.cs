using System.Text.Json;
using OtelLlm.Receiver.Decoding;
using OtelLlm.Receiver.RowEncoding;
using OtelLlm.Storage.Rows;

namespace OtelLlm.Receiver.Api.Ingest;

/// <summary>
/// Items of <c>POST /api/v1/ingest/logs</c> and <c>/ingest/metrics</c> read into <c>otel_logs</c> and
/// <c>otel_metrics</c> rows, with the same identity hashes as OTLP records so a re-sent item counts once.
/// </summary>
internal static class TelemetryItems
{
    public const string ScopeName = "otel_llm.ingest_api";

    /// <summary>Severity names and their OTLP numbers (the first of each range).</summary>
    private static readonly (string Name, int Number)[] s_levels = [("trace", 1), ("debug", 5), ("info", 9), ("warn", 13), ("error", 17), ("fatal", 21)];
    private static readonly string[] s_levelNames = [.. s_levels.Select(l => l.Name)];
    private static readonly string[] s_kinds = ["gauge", "counter", "histogram"];

    /// <summary>OpenTelemetry's default explicit histogram bounds.</summary>
    private static readonly double[] s_defaultBounds = [0, 5, 10, 25, 50, 75, 100, 250, 500, 750, 1000, 2500, 5000, 7500, 10000];

    public static LogRow? ReadLog(JsonItem item, string project, DateTimeOffset now)
    {
        if (!item.IsObject)
        {
            return null;
        }

        var time = item.Time("timestamp") ?? now;
        var level = item.OneOf("level", s_levelNames) ?? "info";
        var message = item.String("message", required: true, maxLength: 1024 * 1024);
        var eventName = item.String("eventName", maxLength: 256);
        var (service, resource) = Resource(item);
        var traceId = item.HexId("traceId", 32);
        var spanId = item.HexId("spanId", 16);
        var attributes = Attributes(item);
        item.RejectUnknown();
        if (spanId is not null && traceId is null)
        {
            item.Error("spanId", "Needs traceId too.");
        }

        if (message is null)
        {
            return null;
        }

        var row = new LogRow
        {
            Project = project,
            TimeUnixNano = Nanos(time),
            ObservedTimeUnixNano = Nanos(now),
            TraceId = traceId ?? string.Empty,
            SpanId = spanId ?? string.Empty,
            SeverityText = level.ToUpperInvariant(),
            SeverityNumber = s_levels.First(l => l.Name == level).Number,
            ServiceName = service,
            Body = message,
            EventName = eventName ?? string.Empty,
            ResourceAttributes = resource,
            ScopeName = ScopeName,
            LogAttributes = attributes,
        };

        // The same identity OTLP log records get, so a re-sent item collapses into one row.
        row.RecordHash = LogRows.RecordHash(row);
        return row;
    }

    public static MetricRow? ReadMetric(JsonItem item, string project, DateTimeOffset now)
    {
        if (!item.IsObject)
        {
            return null;
        }

        var name = item.String("name", required: true, maxLength: 256);
        var kind = item.OneOf("kind", s_kinds, required: true);
        var unit = item.String("unit", maxLength: 64);
        var description = item.String("description", maxLength: 1024);
        var time = item.Time("timestamp") ?? now;
        var (service, resource) = Resource(item);
        var attributes = Attributes(item);
        var value = item.Number("value");
        var values = Numbers(item, "values");
        var bounds = Numbers(item, "bounds");
        item.RejectUnknown();

        if (kind is "gauge" or "counter")
        {
            if (value is null && item.Value("value") is null)
            {
                item.Error("value", $"Required for a {kind}: a number.");
            }

            if (values is not null)
            {
                item.Error("values", $"Only a histogram takes 'values'; a {kind} takes one 'value'.");
            }

            if (kind == "counter" && value < 0)
            {
                item.Error("value", "A counter's increment cannot be negative; use a gauge.");
            }
        }
        else if (kind == "histogram")
        {
            if (values is null && value is null && item.Value("values") is null && item.Value("value") is null)
            {
                item.Error("values", "Required for a histogram: the observed values (or one 'value').");
            }

            if (bounds is not null && (bounds.Count == 0 || bounds.Zip(bounds.Skip(1)).Any(p => p.First >= p.Second)))
            {
                item.Error("bounds", "Expected increasing bucket bounds, at least one.");
            }
        }

        if (name is null || kind is null)
        {
            return null;
        }

        var row = new MetricRow
        {
            Project = project,
            TimeUnixNano = Nanos(time),
            StartTimeUnixNano = Nanos(time),
            ServiceName = service,
            MetricName = name,
            MetricDescription = description ?? string.Empty,
            MetricUnit = unit ?? string.Empty,
            ResourceAttributes = resource,
            ScopeName = ScopeName,
            Attributes = attributes,
        };
        switch (kind)
        {
            case "gauge":
                row.MetricType = "Gauge";
                row.Value = value ?? 0;
                break;
            case "counter":
                row.MetricType = "Sum";
                row.AggregationTemporality = "Delta";
                row.IsMonotonic = true;
                row.Value = value ?? 0;
                break;
            default:
                var observed = values ?? (value is { } one ? [one] : []);
                var edges = bounds ?? [.. s_defaultBounds];
                row.MetricType = "Histogram";
                row.AggregationTemporality = "Delta";
                row.Count = (ulong)observed.Count;
                row.Sum = observed.Sum();
                row.Min = observed.Count > 0 ? observed.Min() : null;
                row.Max = observed.Count > 0 ? observed.Max() : null;
                row.ExplicitBounds.AddRange(edges);
                var counts = new ulong[edges.Count + 1];
                foreach (var v in observed)
                {
                    // OTLP buckets are (bound[i-1], bound[i]]: a value equal to a bound falls in the bucket it closes.
                    var bucket = 0;
                    while (bucket < edges.Count && v > edges[bucket])
                    {
                        bucket++;
                    }

                    counts[bucket]++;
                }

                row.BucketCounts.AddRange(counts);
                break;
        }

        var hash = new StableHash();
        RowValues.AddToHash(ref hash, row.ResourceAttributes);
        hash.Add(row.MetricName);
        RowValues.AddToHash(ref hash, row.Attributes);
        row.SeriesHash = hash.Value;
        return row;
    }

    private static (string Service, StoredKeyValueList Resource) Resource(JsonItem item)
    {
        var service = item.String("service", maxLength: 256) ?? string.Empty;
        var environment = item.String("environment", maxLength: 128);
        var resource = new StoredKeyValueList();
        if (service.Length > 0)
        {
            resource.Add(Semantics.Otel.ServiceName, service);
        }

        if (environment is { Length: > 0 })
        {
            resource.Add(Semantics.Otel.DeploymentEnvironmentName, environment);
        }

        return (service, resource);
    }

    private static StoredKeyValueList Attributes(JsonItem item)
    {
        var list = new StoredKeyValueList();
        foreach (var (key, value) in item.StringMap("attributes", maxEntries: 128) ?? [])
        {
            list.Add(key, value);
        }

        return list;
    }

    private static List<double>? Numbers(JsonItem item, string name)
    {
        if (item.Value(name) is not { } v)
        {
            return null;
        }

        if (v.ValueKind != JsonValueKind.Array || v.GetArrayLength() > 100_000
            || v.EnumerateArray().Any(e => e.ValueKind != JsonValueKind.Number || !double.IsFinite(e.GetDouble())))
        {
            item.Error(name, $"Expected an array of at most 100,000 numbers, found {JsonItem.Describe(v)}.");
            return null;
        }

        return [.. v.EnumerateArray().Select(e => e.GetDouble())];
    }

    private static ulong Nanos(DateTimeOffset time) => (ulong)(time.ToUniversalTime() - DateTimeOffset.UnixEpoch).Ticks * 100;
}
