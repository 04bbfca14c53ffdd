using System.Diagnostics.Tracing;

namespace OtelLlm.Demo.Traffic;

/// <summary>
/// Counts errors the OTLP exporter reports through its EventSource (collector unreachable, rejected request, …), which
/// is the only place the SDK tells about a failed export; <c>ForceFlush</c> only says whether it finished in time.
/// </summary>
internal sealed class ExportFailureListener : EventListener
{
    private int _failures;
    private string? _firstMessage;

    public int Failures => Volatile.Read(ref _failures);

    public string? FirstMessage => Volatile.Read(ref _firstMessage);

    protected override void OnEventSourceCreated(EventSource eventSource)
    {
        if (eventSource.Name == DemoNames.OtlpExporterEventSource)
        {
            EnableEvents(eventSource, EventLevel.Error);
        }
    }

    protected override void OnEventWritten(EventWrittenEventArgs eventData)
    {
        if (eventData.EventSource.Name != DemoNames.OtlpExporterEventSource || eventData.Level > EventLevel.Error)
        {
            return;
        }

        Interlocked.Increment(ref _failures);
        if (Volatile.Read(ref _firstMessage) is null)
        {
            var payload = eventData.Payload is { Count: > 0 } p ? string.Join("; ", p) : string.Empty;
            var message = eventData.Message is { Length: > 0 } format && eventData.Payload is { } args
                ? SafeFormat(format, args)
                : eventData.EventName + ": " + payload;
            Interlocked.CompareExchange(ref _firstMessage, message, null);
        }
    }

    private static string SafeFormat(string format, IReadOnlyCollection<object?> args)
    {
        try
        {
            return string.Format(System.Globalization.CultureInfo.InvariantCulture, format, [.. args]);
        }
        catch (FormatException)
        {
            return format + " " + string.Join("; ", args);
        }
    }
}
