using System.Collections.Concurrent;
using System.Diagnostics;
using System.Diagnostics.Metrics;

namespace OtelLlm.Instrumentation.Tests;

/// <summary>
/// Collects the spans and measurements of one source name, so tests can run in parallel; OtelLlm's process-wide cost
/// meter on request, whose measurements tests tell apart by a model name of their own.
/// </summary>
internal sealed class TelemetryCapture : IDisposable
{
    private readonly ActivityListener _activityListener;
    private readonly MeterListener _meterListener;

    public TelemetryCapture(bool spans = true, bool metrics = true, bool costMeter = false)
    {
        SourceName = "test-" + Guid.NewGuid().ToString("N");
        _activityListener = new ActivityListener
        {
            ShouldListenTo = s => spans && s.Name == SourceName,
            Sample = (ref ActivityCreationOptions<ActivityContext> _) => ActivitySamplingResult.AllDataAndRecorded,
            ActivityStopped = a => Spans.Enqueue(a),
        };
        ActivitySource.AddActivityListener(_activityListener);
        _meterListener = new MeterListener
        {
            InstrumentPublished = (instrument, listener) =>
            {
                if ((metrics && instrument.Meter.Name == SourceName) || (costMeter && instrument.Meter.Name == OtelLlmInstrumentationOptions.MeterName))
                {
                    Instruments[instrument.Name] = instrument;
                    listener.EnableMeasurementEvents(instrument);
                }
            },
        };
        _meterListener.SetMeasurementEventCallback<long>((i, v, t, _) => Record(i, v, t));
        _meterListener.SetMeasurementEventCallback<int>((i, v, t, _) => Record(i, v, t));
        _meterListener.SetMeasurementEventCallback<double>((i, v, t, _) => Record(i, v, t));
        _meterListener.Start();
    }

    public string SourceName { get; }

    public ConcurrentQueue<Activity> Spans { get; } = new();

    public ConcurrentQueue<Measurement> Measurements { get; } = new();

    public ConcurrentDictionary<string, Instrument> Instruments { get; } = new();

    public Activity Single()
    {
        Assert.Single(Spans);
        return Spans.First();
    }

    public List<Measurement> Of(string name) => Measurements.Where(m => m.Instrument == name).ToList();

    public void Dispose()
    {
        _activityListener.Dispose();
        _meterListener.Dispose();
    }

    private void Record(Instrument instrument, double value, ReadOnlySpan<KeyValuePair<string, object?>> tags) =>
        Measurements.Enqueue(new Measurement(instrument.Name, value, tags.ToArray().ToDictionary(t => t.Key, t => t.Value)));

    internal sealed record Measurement(string Instrument, double Value, Dictionary<string, object?> Tags);
}
