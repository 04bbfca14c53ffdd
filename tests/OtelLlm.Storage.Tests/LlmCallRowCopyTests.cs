using System.Collections;
using System.Reflection;
using OtelLlm.Storage.ClickHouse;
using OtelLlm.Storage.Rows;

namespace OtelLlm.Storage.Tests;

/// <summary>A revision's copy of an <c>llm_calls</c> row carries every column, a column added later included, and shares no list.</summary>
public sealed class LlmCallRowCopyTests
{
    [Fact]
    public void Copy_EveryColumnEqual_NoListShared()
    {
        var row = new LlmCallRow();
        var n = 1;
        foreach (var property in typeof(LlmCallRow).GetProperties(BindingFlags.Public | BindingFlags.Instance))
        {
            if (property.SetMethod is { IsPublic: true })
            {
                property.SetValue(row, Sample(property.PropertyType, n++));
            }
        }

        row.FinishReasons.AddRange(["stop", "length"]);
        row.Attributes = new KeyValueList();
        row.Attributes.Add("k", "v");

        var copy = row.Copy(extraAttributes: 2);

        Assert.Equal(Written(row), Written(copy));
        Assert.NotSame(row.FinishReasons, copy.FinishReasons);
        Assert.NotSame(row.Attributes, copy.Attributes);
        Assert.NotSame(row.Attributes.Keys, copy.Attributes.Keys);
        Assert.True(copy.Attributes.Keys.Capacity >= 3);
        copy.FinishReasons.Add("tool_calls");
        copy.Attributes.Add("k2", "v2");
        Assert.Equal(2, row.FinishReasons.Count);
        Assert.Equal(1, row.Attributes.Count);
    }

    private static object? Sample(Type type, int n)
    {
        var t = Nullable.GetUnderlyingType(type) ?? type;
        return t == typeof(string) ? "s" + n
            : t == typeof(ulong) ? (object)(ulong)n
            : t == typeof(uint) ? (uint)n
            : t == typeof(double) ? n + 0.5
            : t == typeof(bool) ? true
            : t == typeof(KeyValueList) || typeof(IList).IsAssignableFrom(t) ? null
            : throw new InvalidOperationException("no sample value for " + type);
    }

    private static byte[] Written(LlmCallRow row)
    {
        using var w = new RowBinaryWriter(1024);
        row.Write(w);
        return w.WrittenSpan.ToArray();
    }
}
