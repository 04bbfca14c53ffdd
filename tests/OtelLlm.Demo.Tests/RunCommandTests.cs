using System.Globalization;
using OtelLlm.Demo.Traffic;
using OtelLlm.TestSupport;

namespace OtelLlm.Demo.Tests;

/// <summary>The commands end to end: <c>run</c> over OTLP/HTTP into a fresh database, and failures that must not pass silently.</summary>
[Collection(DemoTrafficGroup.Name)]
public sealed class RunCommandTests(DemoReceiver receiver) : IClassFixture<DemoReceiver>
{
    [Fact]
    public async Task Run_OverHttpProtobuf_GeneratesWaitsAndPrintsEveryModel()
    {
        var (exit, output, error) = await GeneratedTrafficTests.RunAsync(
        [
            "run", "--endpoint", $"http://127.0.0.1:{receiver.HttpPort}", "--protocol", "http/protobuf",
            "--calls", "30", "--seed", "11", "--latency-scale", "0.01", .. receiver.ClickHouseArgs,
        ]);
        Assert.True(exit == 0, output + error);
        Assert.Contains("Waiting up to 1m for ", output, StringComparison.Ordinal);
        var printed = GeneratedTrafficTests.TableLines(output);
        var stored = await receiver.Database.QueryAsync("SELECT RequestModel, count() FROM llm_calls FINAL GROUP BY RequestModel");
        Assert.Equal(ModelCatalog.AllModels.Order(StringComparer.Ordinal), stored.Select(r => r[0]).Order(StringComparer.Ordinal));
        foreach (var row in stored)
        {
            Assert.Equal(row[1], Assert.Single(printed, l => l[1] == row[0])[2]);
        }

        var total = Assert.Single(printed, l => l[0] == "total");
        Assert.True(int.Parse(total[1], CultureInfo.InvariantCulture) >= 30);
        Assert.Equal(await receiver.Database.CountAsync("SELECT count() FROM llm_calls FINAL"), long.Parse(total[1], CultureInfo.InvariantCulture));
    }

    [Fact]
    public async Task Generate_ReceiverUnreachable_ExitsNonZeroAndSaysWhy()
    {
        var port = FreePort.NextOutsideEphemeralRange();
        var (exit, _, error) = await GeneratedTrafficTests.RunAsync(
            ["generate", "--endpoint", $"http://127.0.0.1:{port}", "--calls", "1", "--latency-scale", "0"]);
        Assert.Equal(1, exit);
        Assert.Contains($"Export to http://127.0.0.1:{port}/ failed", error, StringComparison.Ordinal);
    }
}
