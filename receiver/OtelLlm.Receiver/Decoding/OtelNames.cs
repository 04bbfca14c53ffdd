namespace OtelLlm.Receiver.Decoding;

/// <summary>OpenTelemetry semantic-convention names the receiver itself reads.</summary>
internal static class OtelNames
{
    /// <summary>Resource attributes.</summary>
    public static class Resource
    {
        public const string ServiceName = "service.name";
    }

    /// <summary>Log record attributes.</summary>
    public static class Log
    {
        /// <summary>Where older SDKs put a log event's name before <c>LogRecord.event_name</c> existed.</summary>
        public const string EventName = "event.name";
    }
}
