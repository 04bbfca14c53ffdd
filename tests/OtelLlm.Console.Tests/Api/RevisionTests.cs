namespace OtelLlm.Console.Tests.Api;

/// <summary>
/// A later revision of a call (here a re-price, written as the re-price command writes it) replaces the first one
/// everywhere the read API looks, also after ClickHouse merged the first one away.
/// </summary>
public sealed class RevisionTests(ConsoleReceiverFixture receiver) : IClassFixture<ConsoleReceiverFixture>
{
    [Fact]
    public async Task RepricedCall_IsReadWithItsNewCostOnce_BeforeAndAfterMerges()
    {
        var report = receiver.Seed["quarterly-report"];
        const double newCost = 0.5;
        var client = receiver.Database.Client;
        var names = (await client.QueryAsync("DESCRIBE TABLE llm_calls", "list llm_calls columns")).Select(r => r[0]).ToList();
        var select = string.Join(", ", names.Select(n => n switch
        {
            "CostUsd" => $"toNullable(toFloat64({newCost})) AS CostUsd",
            "CostSource" => "'repriced' AS CostSource",
            "Attributes.Key" => "arrayPushBack(`Attributes.Key`, 'otel_llm.cost_before') AS `Attributes.Key`",
            "Attributes.Value" => $"arrayPushBack(`Attributes.Value`, '{report.CostUsd.ToString(System.Globalization.CultureInfo.InvariantCulture)}') AS `Attributes.Value`",
            "Revision" => "toUInt32(1) AS Revision",
            _ => $"`{n}`",
        }));
        await client.ExecuteAsync(
            $"INSERT INTO llm_calls ({string.Join(", ", names.Select(n => $"`{n}`"))}) SELECT {select} FROM llm_calls WHERE SpanId = '{report.SpanId}'",
            "write a re-priced revision");

        Assert.Equal("0,1", await client.ScalarAsync($"SELECT arrayStringConcat(arraySort(groupArray(toString(Revision))), ',') FROM llm_calls WHERE SpanId = '{report.SpanId}'", "read the call's revisions"));
        await AssertNewCostAsync(report, newCost);
        await client.ExecuteAsync("OPTIMIZE TABLE llm_calls FINAL", "merge away the first revision");
        Assert.Equal("1", await client.ScalarAsync($"SELECT count() FROM llm_calls WHERE SpanId = '{report.SpanId}'", "count the call's rows"));
        await AssertNewCostAsync(report, newCost);
    }

    private async Task AssertNewCostAsync(SeededCall report, double newCost)
    {
        var total = receiver.Seed.TotalCostUsd - report.CostUsd + newCost;

        // The list: once, with the new cost, first by cost, found by a cost bound the old cost missed.
        var byCost = (await receiver.GetJsonAsync("/api/v1/calls?sort=cost")).GetProperty("items").EnumerateArray().ToList();
        Assert.Equal(receiver.Seed.Calls.Count, byCost.Count);
        Assert.Equal(report.SpanId, byCost[0].GetProperty("spanId").GetString());
        Assert.Equal(newCost, byCost[0].GetProperty("costUsd").GetDouble());
        var bound = Assert.Single((await receiver.GetJsonAsync("/api/v1/calls?minCost=0.3")).GetProperty("items").EnumerateArray());
        Assert.Equal(report.SpanId, bound.GetProperty("spanId").GetString());
        Assert.Empty((await receiver.GetJsonAsync("/api/v1/calls?maxCost=0.3&minCost=0.2")).GetProperty("items").EnumerateArray());

        // Totals from the rollups and from llm_calls agree.
        Assert.Equal(total, (await receiver.GetJsonAsync("/api/v1/overview")).GetProperty("figures").GetProperty("costUsd").GetDouble(), 9);
        var bob = (await receiver.GetJsonAsync("/api/v1/overview?userId=u-bob")).GetProperty("figures");
        Assert.Equal(2, bob.GetProperty("calls").GetInt64());
        Assert.Equal(newCost, bob.GetProperty("costUsd").GetDouble(), 9);
        var users = (await receiver.GetJsonAsync("/api/v1/users")).GetProperty("items").EnumerateArray().ToList();
        Assert.Equal(newCost, users.Single(u => u.GetProperty("id").GetString() == "u-bob").GetProperty("costUsd").GetDouble(), 9);
        var one = await receiver.GetJsonAsync($"/api/v1/calls/{report.TraceId}/{report.SpanId}");
        Assert.Equal(newCost, one.GetProperty("call").GetProperty("costUsd").GetDouble());
        Assert.Equal("repriced", one.GetProperty("costSource").GetString());
    }
}
