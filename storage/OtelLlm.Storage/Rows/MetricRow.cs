using OtelLlm.Storage.ClickHouse;

namespace OtelLlm.Storage.Rows;

/// <summary>
/// One metric data point of any type (gauge, sum, histogram, exponential histogram, summary), as stored in
/// <c>otel_metrics</c>. Fields that a type does not have stay at their defaults.
/// </summary>
public sealed class MetricRow
{
    /// <summary>The insert column list, in the order <see cref="Write"/> writes them.</summary>
    public const string Columns =
        "Project, Timestamp, TimeUnixNano, StartTimeUnixNano, ServiceName, MetricName, MetricDescription, MetricUnit, MetricType, " +
        "AggregationTemporality, IsMonotonic, ResourceSchemaUrl, ResourceAttributes.Key, ResourceAttributes.Value, ScopeName, ScopeVersion, ScopeSchemaUrl, " +
        "Attributes.Key, Attributes.Value, Value, Count, Sum, Min, Max, BucketCounts, ExplicitBounds, Scale, ZeroCount, ZeroThreshold, " +
        "PositiveOffset, PositiveBucketCounts, NegativeOffset, NegativeBucketCounts, Quantiles.Quantile, Quantiles.Value, " +
        "Exemplars.TimeUnixNano, Exemplars.Value, Exemplars.TraceId, Exemplars.SpanId, Exemplars.FilteredAttributes, Flags, SeriesHash";

    /// <summary>The table name.</summary>
    public const string Table = "otel_metrics";

#pragma warning disable CS1591 // Column properties are documented by the schema section of docs/storage.md.
    public string Project { get; set; } = string.Empty;
    public ulong TimeUnixNano { get; set; }
    public ulong StartTimeUnixNano { get; set; }
    public string ServiceName { get; set; } = string.Empty;
    public string MetricName { get; set; } = string.Empty;
    public string MetricDescription { get; set; } = string.Empty;
    public string MetricUnit { get; set; } = string.Empty;
    public string MetricType { get; set; } = string.Empty;
    public string AggregationTemporality { get; set; } = string.Empty;
    public bool IsMonotonic { get; set; }
    public string ResourceSchemaUrl { get; set; } = string.Empty;
    public KeyValueList ResourceAttributes { get; set; } = KeyValueList.Empty;
    public string ScopeName { get; set; } = string.Empty;
    public string ScopeVersion { get; set; } = string.Empty;
    public string ScopeSchemaUrl { get; set; } = string.Empty;
    public KeyValueList Attributes { get; set; } = KeyValueList.Empty;
    public double Value { get; set; }
    public ulong Count { get; set; }
    public double? Sum { get; set; }
    public double? Min { get; set; }
    public double? Max { get; set; }
    public List<ulong> BucketCounts { get; } = [];
    public List<double> ExplicitBounds { get; } = [];
    public int Scale { get; set; }
    public ulong ZeroCount { get; set; }
    public double ZeroThreshold { get; set; }
    public int PositiveOffset { get; set; }
    public List<ulong> PositiveBucketCounts { get; } = [];
    public int NegativeOffset { get; set; }
    public List<ulong> NegativeBucketCounts { get; } = [];
    public List<double> QuantileQuantiles { get; } = [];
    public List<double> QuantileValues { get; } = [];
    public List<ulong> ExemplarTimes { get; } = [];
    public List<double> ExemplarValues { get; } = [];
    public List<string> ExemplarTraceIds { get; } = [];
    public List<string> ExemplarSpanIds { get; } = [];
    public List<string> ExemplarFilteredAttributes { get; } = [];
    public uint Flags { get; set; }
    public ulong SeriesHash { get; set; }
#pragma warning restore CS1591

    /// <summary>Writes the row in <see cref="Columns"/> order.</summary>
    public void Write(RowBinaryWriter w)
    {
        ArgumentNullException.ThrowIfNull(w);
        w.WriteString(Project);
        w.WriteDateTimeFromUnixNano(TimeUnixNano);
        w.WriteUInt64(TimeUnixNano);
        w.WriteUInt64(StartTimeUnixNano);
        w.WriteString(ServiceName);
        w.WriteString(MetricName);
        w.WriteString(MetricDescription);
        w.WriteString(MetricUnit);
        w.WriteString(MetricType);
        w.WriteString(AggregationTemporality);
        w.WriteBool(IsMonotonic);
        w.WriteString(ResourceSchemaUrl);
        w.WriteStringArray(ResourceAttributes.Keys);
        w.WriteStringArray(ResourceAttributes.Values);
        w.WriteString(ScopeName);
        w.WriteString(ScopeVersion);
        w.WriteString(ScopeSchemaUrl);
        w.WriteStringArray(Attributes.Keys);
        w.WriteStringArray(Attributes.Values);
        w.WriteFloat64(Value);
        w.WriteUInt64(Count);
        w.WriteNullableFloat64(Sum);
        w.WriteNullableFloat64(Min);
        w.WriteNullableFloat64(Max);
        w.WriteUInt64Array(BucketCounts);
        w.WriteFloat64Array(ExplicitBounds);
        w.WriteInt32(Scale);
        w.WriteUInt64(ZeroCount);
        w.WriteFloat64(ZeroThreshold);
        w.WriteInt32(PositiveOffset);
        w.WriteUInt64Array(PositiveBucketCounts);
        w.WriteInt32(NegativeOffset);
        w.WriteUInt64Array(NegativeBucketCounts);
        w.WriteFloat64Array(QuantileQuantiles);
        w.WriteFloat64Array(QuantileValues);
        w.WriteUInt64Array(ExemplarTimes);
        w.WriteFloat64Array(ExemplarValues);
        w.WriteStringArray(ExemplarTraceIds);
        w.WriteStringArray(ExemplarSpanIds);
        w.WriteStringArray(ExemplarFilteredAttributes);
        w.WriteUInt32(Flags);
        w.WriteUInt64(SeriesHash);
    }
}
