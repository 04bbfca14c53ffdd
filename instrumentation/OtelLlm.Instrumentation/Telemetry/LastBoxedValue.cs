namespace OtelLlm.Instrumentation.Telemetry;

/// <summary>
/// Keeps the boxed form of the last value seen, for span attributes whose value is application configuration
/// (request temperature, max tokens, ...) and therefore the same on almost every call of a client. Activity tags
/// are objects, so without this each such attribute boxes once per call.
/// </summary>
/// <typeparam name="T">The value type.</typeparam>
/// <remarks>Not for per-call values such as token counts: those rarely repeat, and a miss costs an extra holder.</remarks>
internal sealed class LastBoxedValue<T>
    where T : struct, IEquatable<T>
{
    private Entry? _last;

    public object Box(T value)
    {
        // The entry is immutable and replaced as a whole, so concurrent callers see either the old or the new pair.
        var last = Volatile.Read(ref _last);
        if (last is not null && last.Value.Equals(value))
        {
            return last.Boxed;
        }

        last = new Entry(value, value);
        Volatile.Write(ref _last, last);
        return last.Boxed;
    }

    private sealed class Entry(T value, object boxed)
    {
        public T Value { get; } = value;

        public object Boxed { get; } = boxed;
    }
}
