namespace OtelLlm.Instrumentation.Telemetry;

/// <summary>
/// Boxes the numbers put on spans through small process-wide caches, so a value seen recently reuses its box.
/// </summary>
/// <remarks>
/// <para>
/// Activity tags are objects, so without this every numeric attribute costs a 24-byte box per call. Request parameters
/// (temperature, max tokens, seed) and embedding dimensions are the same on almost every call; token counts and costs
/// repeat whenever prompts and answers have the same length (fixed templates, classifications, short tool calls).
/// </para>
/// <para>
/// Each cache is direct-mapped: a value has exactly one slot, chosen from its bits. A hit hands back the box stored
/// there; a miss boxes the value, which is what happens without the cache, and stores it in the slot, replacing
/// whatever was there. So a miss allocates nothing extra, and the memory held is bounded by the slot count however
/// many distinct values callers send. Boxes are immutable and a slot is a single reference read once, so threads
/// racing on a slot can at worst box the same value twice, never hand out a box holding another value.
/// </para>
/// <para>
/// Doubles match on their bits, so <c>-0.0</c> and <c>0.0</c> keep their own boxes. Values that never repeat (time to
/// first chunk) should be boxed directly: they would only evict values that do.
/// </para>
/// </remarks>
internal static class NumberBoxes
{
    /// <summary>The number of slots per type.</summary>
    internal const int Slots = 1 << SlotBits;

    private const int SlotBits = 8;

    private static readonly object?[] s_longs = new object?[Slots];
    private static readonly object?[] s_ints = new object?[Slots];
    private static readonly object?[] s_doubles = new object?[Slots];

    /// <summary>Gets how many slots of all types hold a box (for tests).</summary>
    internal static int Count => Used(s_longs) + Used(s_ints) + Used(s_doubles);

    public static object Box(long value)
    {
        // Token counts below the slot count never collide with each other.
        ref var slot = ref s_longs[(int)value & (Slots - 1)];
        var boxed = Volatile.Read(ref slot);
        if (boxed is long cached && cached == value)
        {
            return boxed;
        }

        boxed = value;
        Volatile.Write(ref slot, boxed);
        return boxed;
    }

    public static object Box(int value)
    {
        ref var slot = ref s_ints[value & (Slots - 1)];
        var boxed = Volatile.Read(ref slot);
        if (boxed is int cached && cached == value)
        {
            return boxed;
        }

        boxed = value;
        Volatile.Write(ref slot, boxed);
        return boxed;
    }

    public static object Box(double value)
    {
        // The low bits of a double's mantissa say little (0.2 and 0.7 share them), so the slot comes from all 64 bits.
        var bits = BitConverter.DoubleToInt64Bits(value);
        ref var slot = ref s_doubles[(int)(((ulong)bits * 0x9E3779B97F4A7C15UL) >> (64 - SlotBits))];
        var boxed = Volatile.Read(ref slot);
        if (boxed is double cached && BitConverter.DoubleToInt64Bits(cached) == bits)
        {
            return boxed;
        }

        boxed = value;
        Volatile.Write(ref slot, boxed);
        return boxed;
    }

    private static int Used(object?[] slots)
    {
        var used = 0;
        foreach (var slot in slots)
        {
            if (slot is not null)
            {
                used++;
            }
        }

        return used;
    }
}
