using OtelLlm.Receiver.TestHost;

namespace OtelLlm.Demo.Tests;

/// <summary>A fresh migrated database and the real receiver writing to it on free loopback ports, started in-process.</summary>
public class DemoReceiver : ReceiverFixture
{
    /// <summary>The ClickHouse options for the demo's summary commands.</summary>
    public string[] ClickHouseArgs => ["--clickhouse", Database.Url.ToString(), "--database", Database.Name];

    protected override IEnumerable<KeyValuePair<string, string>> Settings => [new("OtelLlm:Receiver:BatchMaxDelayMilliseconds", "200")];
}

/// <summary>Tests that generate traffic share the process-wide ActivitySource names of the demo services, so they run one at a time.</summary>
[CollectionDefinition(Name)]
public sealed class DemoTrafficGroup
{
    public const string Name = "demo traffic";
}
