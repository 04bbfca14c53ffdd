namespace OtelLlm.Dashboards.Tests;

/// <summary>The macro expansion the panel tests rely on behaves like Grafana and the ClickHouse data source.</summary>
public sealed class GrafanaMacrosTests
{
    private static readonly DateTimeOffset s_from = DateTimeOffset.FromUnixTimeSeconds(1_763_629_200);
    private static readonly DateTimeOffset s_to = DateTimeOffset.FromUnixTimeSeconds(1_763_640_000);

    [Fact]
    public void Expand_TimeFilterAndInterval_EmitWholeSecondsLikeTheDataSource()
    {
        var sql = GrafanaMacros.Expand("SELECT intDiv(toUInt32(Timestamp), $__interval_s) FROM t WHERE $__timeFilter(Timestamp) AND x > $__fromTime AND x < $__toTime",
            new Dictionary<string, VariableValue>(), s_from, s_to, 300);

        Assert.Equal(
            "SELECT intDiv(toUInt32(Timestamp), 300) FROM t WHERE Timestamp >= toDateTime(1763629200) AND Timestamp <= toDateTime(1763640000) AND x > toDateTime(1763629200) AND x < toDateTime(1763640000)",
            sql);
    }

    [Fact]
    public void Expand_ConditionalAllWithAll_BecomesTrue()
    {
        var variables = new Dictionary<string, VariableValue> { ["model"] = VariableValue.All(["a", "b"]) };

        var sql = GrafanaMacros.Expand("WHERE $__conditionalAll(RequestModel IN (${model:singlequote}), $model) AND 1", variables, s_from, s_to, 60);

        Assert.Equal("WHERE 1=1 AND 1", sql);
    }

    [Fact]
    public void Expand_ConditionalAllWithValues_KeepsTheQuotedCondition()
    {
        var variables = new Dictionary<string, VariableValue> { ["model"] = VariableValue.Of("gpt-4o", "o'brien") };

        var sql = GrafanaMacros.Expand("WHERE $__conditionalAll(RequestModel IN (${model:singlequote}), ${model})", variables, s_from, s_to, 60);

        Assert.Equal("WHERE RequestModel IN ('gpt-4o','o\\'brien')", sql);
    }

    [Fact]
    public void Expand_NestedConditionalAlls_ExpandEachOne()
    {
        var variables = new Dictionary<string, VariableValue> { ["a"] = VariableValue.Of(string.Empty), ["b"] = VariableValue.Of("x") };

        var sql = GrafanaMacros.Expand("$__conditionalAll(f(A) IN (${a:singlequote}), $a) AND $__conditionalAll(B = ${b:singlequote}, $b)", variables, s_from, s_to, 60);

        Assert.Equal("1=1 AND B = 'x'", sql);
    }

    [Fact]
    public void ReplaceVariables_UnknownNamesAndBuiltinsStay()
    {
        var sql = GrafanaMacros.ReplaceVariables("$db.t $__interval_s $other", new Dictionary<string, VariableValue> { ["db"] = VariableValue.Of("otel_llm") });

        Assert.Equal("otel_llm.t $__interval_s $other", sql);
    }

    [Theory]
    [InlineData("$__timeInterval(Timestamp)")]
    [InlineData("$__timeGroup(Timestamp, 5m)")]
    [InlineData("$__timeFilter_ms(Timestamp)")]
    [InlineData("$__fromTime_ms")]
    public void Expand_MacroMissingOnClickHouse1816_IsRefused(string macro)
    {
        Assert.Throws<NotSupportedException>(() => GrafanaMacros.Expand("SELECT " + macro, new Dictionary<string, VariableValue>(), s_from, s_to, 60));
    }
}
