using OtelLlm.Instrumentation.Telemetry;

namespace OtelLlm.Instrumentation.Tests;

[Collection(Collection)]
public sealed class NumberBoxesTests
{
    /// <summary>The tests that fill the shared number boxes, or count allocations that depend on them.</summary>
    public const string Collection = "Shared number boxes";

    [Fact]
    public void Box_SameValue_ReusesOneBoxOfTheRightType()
    {
        var tokens = NumberBoxes.Box(31_337L);
        var dimensions = NumberBoxes.Box(1_536);
        var cost = NumberBoxes.Box(0.000_412_5);

        Assert.Same(tokens, NumberBoxes.Box(31_337L));
        Assert.Same(dimensions, NumberBoxes.Box(1_536));
        Assert.Same(cost, NumberBoxes.Box(0.000_412_5));
        Assert.Equal(31_337L, Assert.IsType<long>(tokens));
        Assert.Equal(1_536, Assert.IsType<int>(dimensions));
        Assert.Equal(0.000_412_5, Assert.IsType<double>(cost));
    }

    [Fact]
    public void Box_ValuesSharingASlot_EachComeBackWithTheirOwnValue()
    {
        // Same low bits, so the same long/int slot: each value evicts the other and must never get the other's box.
        for (var i = 0; i < 10; i++)
        {
            Assert.Equal(77L, NumberBoxes.Box(77L));
            Assert.Equal(77L + NumberBoxes.Slots, NumberBoxes.Box(77L + NumberBoxes.Slots));
            Assert.Equal(77, NumberBoxes.Box(77));
            Assert.Equal(77 + (NumberBoxes.Slots * 3), NumberBoxes.Box(77 + (NumberBoxes.Slots * 3)));
        }
    }

    [Fact]
    public void Box_NegativeAndPositiveZero_KeepTheirSign()
    {
        var positive = (double)NumberBoxes.Box(0.0);
        var negative = (double)NumberBoxes.Box(-0.0);
        var positiveAgain = (double)NumberBoxes.Box(0.0);

        Assert.False(double.IsNegative(positive));
        Assert.True(double.IsNegative(negative));
        Assert.False(double.IsNegative(positiveAgain));
        Assert.True(double.IsNaN((double)NumberBoxes.Box(double.NaN)));
    }

    [Fact]
    public void Box_UnboundedDistinctValues_HoldsAtMostTheSlots()
    {
        for (var i = 0; i < 50_000; i++)
        {
            Assert.Equal(1_000_000L + i, NumberBoxes.Box(1_000_000L + i));
            Assert.Equal(i * 0.000_001, NumberBoxes.Box(i * 0.000_001));
            Assert.Equal(2_000_000 + i, NumberBoxes.Box(2_000_000 + i));
        }

        Assert.InRange(NumberBoxes.Count, 1, 3 * NumberBoxes.Slots);
    }

    [Fact]
    public void Box_ThreadsRacingOnTheSameSlots_NeverGetAnotherValuesBox()
    {
        // Four longs per slot, boxed from several threads at once: a slot read twice (once to check, once to return)
        // could hand out another thread's value.
        var failures = 0;
        Parallel.For(0, 8, worker =>
        {
            for (var i = 0; i < 100_000; i++)
            {
                var value = 5L + (((i + worker) & 3) * NumberBoxes.Slots);
                if ((long)NumberBoxes.Box(value) != value)
                {
                    Interlocked.Increment(ref failures);
                }

                var cost = (((i + worker) & 3) + 1) * 0.25;
                if ((double)NumberBoxes.Box(cost) != cost)
                {
                    Interlocked.Increment(ref failures);
                }
            }
        });

        Assert.Equal(0, failures);
    }
}
