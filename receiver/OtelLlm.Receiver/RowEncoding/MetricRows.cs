using Google.Protobuf.Collections;
using OpenTelemetry.Proto.Collector.Metrics.V1;
using OpenTelemetry.Proto.Metrics.V1;
using OtelLlm.Receiver.Configuration;
using OtelLlm.Receiver.Decoding;
using OtelLlm.Receiver.Pipeline;
using OtelLlm.Storage.Rows;

namespace OtelLlm.Receiver.RowEncoding;

/// <summary>Metric data points of every type (gauge, sum, histogram, exponential histogram, summary) into <c>otel_metrics</c> rows.</summary>
internal sealed class MetricRows(int maxValueBytes)
{
    private static readonly Resource s_emptyResource = new();
    private static readonly InstrumentationScope s_emptyScope = new();

    public MetricRows(IOptions<ReceiverOptions> options)
        : this(options.Value.MaxAttributeValueBytes)
    {
    }

    public EncodedCounts Encode(string project, ExportMetricsServiceRequest request, EncodedRequest output)
    {
        long total = 0, rejected = 0;
        string? error = null;
        var row = new MetricRow { Project = project };
        foreach (var rm in request.ResourceMetrics)
        {
            var resource = rm.Resource ?? s_emptyResource;
            row.ResourceAttributes = AnyValueText.Flatten(resource.Attributes, maxValueBytes);
            row.ServiceName = RowValues.ServiceName(resource);
            row.ResourceSchemaUrl = rm.SchemaUrl;
            var resourceHash = new StableHash();
            RowValues.AddToHash(ref resourceHash, row.ResourceAttributes);
            foreach (var sm in rm.ScopeMetrics)
            {
                var scope = sm.Scope ?? s_emptyScope;
                row.ScopeName = scope.Name;
                row.ScopeVersion = scope.Version;
                row.ScopeSchemaUrl = sm.SchemaUrl;
                foreach (var metric in sm.Metrics)
                {
                    row.MetricName = metric.Name;
                    row.MetricDescription = metric.Description;
                    row.MetricUnit = metric.Unit;
                    var written = metric.DataCase switch
                    {
                        Metric.DataOneofCase.Gauge => WriteNumberPoints(row, "Gauge", AggregationTemporality.Unspecified, false, metric.Gauge.DataPoints, resourceHash, output),
                        Metric.DataOneofCase.Sum => WriteNumberPoints(row, "Sum", metric.Sum.AggregationTemporality, metric.Sum.IsMonotonic, metric.Sum.DataPoints, resourceHash, output),
                        Metric.DataOneofCase.Histogram => WriteHistogramPoints(row, metric.Histogram, resourceHash, output),
                        Metric.DataOneofCase.ExponentialHistogram => WriteExponentialPoints(row, metric.ExponentialHistogram, resourceHash, output),
                        Metric.DataOneofCase.Summary => WriteSummaryPoints(row, metric.Summary, resourceHash, output),
                        _ => -1,
                    };
                    if (written < 0)
                    {
                        // A metric without data has no points to count; say so without failing the request.
                        error ??= $"metric '{metric.Name}' has no data (gauge, sum, histogram, exponential histogram or summary)";
                        continue;
                    }

                    total += written;
                }
            }
        }

        return new EncodedCounts(total, rejected, error ?? string.Empty);
    }

    private void StartPoint(MetricRow row, string type, AggregationTemporality temporality, bool monotonic, RepeatedField<KeyValue> attributes, ulong start, ulong time, uint flags, StableHash resourceHash)
    {
        row.MetricType = type;
        row.AggregationTemporality = temporality switch
        {
            AggregationTemporality.Delta => "Delta",
            AggregationTemporality.Cumulative => "Cumulative",
            _ => string.Empty,
        };
        row.IsMonotonic = monotonic;
        row.Attributes = AnyValueText.Flatten(attributes, maxValueBytes);
        row.StartTimeUnixNano = start;
        row.TimeUnixNano = time;
        row.Flags = flags;
        row.Value = 0;
        row.Count = 0;
        row.Sum = null;
        row.Min = null;
        row.Max = null;
        row.BucketCounts.Clear();
        row.ExplicitBounds.Clear();
        row.Scale = 0;
        row.ZeroCount = 0;
        row.ZeroThreshold = 0;
        row.PositiveOffset = 0;
        row.PositiveBucketCounts.Clear();
        row.NegativeOffset = 0;
        row.NegativeBucketCounts.Clear();
        row.QuantileQuantiles.Clear();
        row.QuantileValues.Clear();
        row.ExemplarTimes.Clear();
        row.ExemplarValues.Clear();
        row.ExemplarTraceIds.Clear();
        row.ExemplarSpanIds.Clear();
        row.ExemplarFilteredAttributes.Clear();

        var hash = resourceHash;
        hash.Add(row.MetricName);
        RowValues.AddToHash(ref hash, row.Attributes);
        row.SeriesHash = hash.Value;
    }

    private void AddExemplars(MetricRow row, RepeatedField<Exemplar> exemplars)
    {
        foreach (var e in exemplars)
        {
            row.ExemplarTimes.Add(e.TimeUnixNano);
            row.ExemplarValues.Add(e.ValueCase == Exemplar.ValueOneofCase.AsInt ? e.AsInt : e.AsDouble);
            row.ExemplarTraceIds.Add(OtlpIds.Hex(e.TraceId));
            row.ExemplarSpanIds.Add(OtlpIds.Hex(e.SpanId));
            row.ExemplarFilteredAttributes.Add(AnyValueText.ToJsonObject(e.FilteredAttributes, maxValueBytes));
        }
    }

    private static void EndPoint(MetricRow row, EncodedRequest output)
    {
        row.Write(output.Writer(TableId.Metrics));
        output.RowWritten(TableId.Metrics);
    }

    private int WriteNumberPoints(MetricRow row, string type, AggregationTemporality temporality, bool monotonic, RepeatedField<NumberDataPoint> points, StableHash resourceHash, EncodedRequest output)
    {
        foreach (var p in points)
        {
            StartPoint(row, type, temporality, monotonic, p.Attributes, p.StartTimeUnixNano, p.TimeUnixNano, p.Flags, resourceHash);
            row.Value = p.ValueCase == NumberDataPoint.ValueOneofCase.AsInt ? p.AsInt : p.AsDouble;
            AddExemplars(row, p.Exemplars);
            EndPoint(row, output);
        }

        return points.Count;
    }

    private int WriteHistogramPoints(MetricRow row, Histogram histogram, StableHash resourceHash, EncodedRequest output)
    {
        foreach (var p in histogram.DataPoints)
        {
            StartPoint(row, "Histogram", histogram.AggregationTemporality, false, p.Attributes, p.StartTimeUnixNano, p.TimeUnixNano, p.Flags, resourceHash);
            SetStatistics(row, p.Count, p.HasSum ? p.Sum : null, p.HasMin ? p.Min : null, p.HasMax ? p.Max : null);
            row.BucketCounts.AddRange(p.BucketCounts);
            row.ExplicitBounds.AddRange(p.ExplicitBounds);
            AddExemplars(row, p.Exemplars);
            EndPoint(row, output);
        }

        return histogram.DataPoints.Count;
    }

    private int WriteExponentialPoints(MetricRow row, ExponentialHistogram histogram, StableHash resourceHash, EncodedRequest output)
    {
        foreach (var p in histogram.DataPoints)
        {
            StartPoint(row, "ExponentialHistogram", histogram.AggregationTemporality, false, p.Attributes, p.StartTimeUnixNano, p.TimeUnixNano, p.Flags, resourceHash);
            SetStatistics(row, p.Count, p.HasSum ? p.Sum : null, p.HasMin ? p.Min : null, p.HasMax ? p.Max : null);
            row.Scale = p.Scale;
            row.ZeroCount = p.ZeroCount;
            row.ZeroThreshold = p.ZeroThreshold;
            if (p.Positive is { } positive)
            {
                row.PositiveOffset = positive.Offset;
                row.PositiveBucketCounts.AddRange(positive.BucketCounts);
            }

            if (p.Negative is { } negative)
            {
                row.NegativeOffset = negative.Offset;
                row.NegativeBucketCounts.AddRange(negative.BucketCounts);
            }

            AddExemplars(row, p.Exemplars);
            EndPoint(row, output);
        }

        return histogram.DataPoints.Count;
    }

    /// <summary>The count and the optional sum, min and max both kinds of histogram point carry.</summary>
    private static void SetStatistics(MetricRow row, ulong count, double? sum, double? min, double? max)
    {
        row.Count = count;
        row.Sum = sum;
        row.Min = min;
        row.Max = max;
    }

    private int WriteSummaryPoints(MetricRow row, Summary summary, StableHash resourceHash, EncodedRequest output)
    {
        foreach (var p in summary.DataPoints)
        {
            StartPoint(row, "Summary", AggregationTemporality.Unspecified, false, p.Attributes, p.StartTimeUnixNano, p.TimeUnixNano, p.Flags, resourceHash);
            row.Count = p.Count;
            row.Sum = p.Sum;
            foreach (var q in p.QuantileValues)
            {
                row.QuantileQuantiles.Add(q.Quantile);
                row.QuantileValues.Add(q.Value);
            }

            EndPoint(row, output);
        }

        return summary.DataPoints.Count;
    }
}
