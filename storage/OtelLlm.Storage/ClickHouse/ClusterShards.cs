using System.Globalization;

namespace OtelLlm.Storage.ClickHouse;

/// <summary>
/// Finds the servers of the configured cluster among a client's endpoints, for the statements that must not run
/// <c>ON CLUSTER</c> on ClickHouse 18.16: an <c>ALTER</c> of a replicated table runs on one server of each shard (its
/// other replicas follow through replication; <c>ON CLUSTER</c> takes a per-shard lock in ZooKeeper that, when two
/// replicas race for it, left the task unfinished here and stopped every later <c>ON CLUSTER</c> statement on that
/// server), an <c>ALTER</c> of a <c>Distributed</c> table runs on every server (18.16 refuses it <c>ON CLUSTER</c> when
/// shards replicate internally), and partitions are dropped on one server of each shard.
/// </summary>
internal static class ClusterShards
{
    /// <summary>One reachable endpoint per shard, as clients of their own (dispose them).</summary>
    /// <exception cref="ClickHouseException">Some shard has no reachable endpoint (retryable: a node may come back).</exception>
    public static async Task<IReadOnlyList<ClickHouseClient>> OnePerShardAsync(ClickHouseClient client, CancellationToken cancellationToken)
    {
        var nodes = await NodesAsync(client, cancellationToken);
        var shards = await CountAsync(client, "uniqExact(shard_num)", cancellationToken);
        var perShard = nodes.GroupBy(n => n.Shard).Select(g => g.First()).ToList();
        return Keep(nodes, perShard, shards, "shards", client);
    }

    /// <summary>Every server of the cluster, as clients of their own (dispose them).</summary>
    /// <exception cref="ClickHouseException">Some server is not among the reachable endpoints (retryable).</exception>
    public static async Task<IReadOnlyList<ClickHouseClient>> EveryServerAsync(ClickHouseClient client, CancellationToken cancellationToken)
    {
        var nodes = await NodesAsync(client, cancellationToken);
        var servers = await CountAsync(client, "count()", cancellationToken);
        return Keep(nodes, nodes, servers, "servers", client);
    }

    private static IReadOnlyList<ClickHouseClient> Keep(List<Node> all, List<Node> keep, int expected, string what, ClickHouseClient client)
    {
        foreach (var node in all.Except(keep))
        {
            node.Client.Dispose();
        }

        if (keep.Count < expected)
        {
            foreach (var node in keep)
            {
                node.Client.Dispose();
            }

            throw new ClickHouseException(
                0,
                $"only {keep.Count} of the {expected} {what} of cluster {client.Options.Cluster} answer among the endpoints {string.Join(", ", client.Endpoints)}; "
                + "list every server of the cluster in OtelLlm:ClickHouse:Endpoints and check that they are up",
                $"reach every {what[..^1]} of the cluster");
        }

        return [.. keep.Select(n => n.Client)];
    }

    private static async Task<int> CountAsync(ClickHouseClient client, string what, CancellationToken cancellationToken) => int.Parse(
        await client.ScalarAsync($"SELECT {what} FROM system.clusters WHERE cluster = {SqlLiteral.Quote(client.Options.Cluster)}", "count the cluster's servers", cancellationToken),
        CultureInfo.InvariantCulture);

    // Each reachable endpoint once per server, told apart by the server's shard and replica macros.
    private static async Task<List<Node>> NodesAsync(ClickHouseClient client, CancellationToken cancellationToken)
    {
        var nodes = new List<Node>();
        foreach (var endpoint in client.Endpoints)
        {
            var node = client.ForEndpoint(endpoint);
            try
            {
                var macros = await node.QueryAsync("SELECT macro, substitution FROM system.macros WHERE macro IN ('shard', 'replica') ORDER BY macro", "read the server's shard and replica", cancellationToken);
                var shard = macros.FirstOrDefault(m => m[0] == "shard")?[1] ?? string.Empty;
                var replica = macros.FirstOrDefault(m => m[0] == "replica")?[1] ?? endpoint.ToString();
                if (!nodes.Any(n => n.Shard == shard && n.Replica == replica))
                {
                    nodes.Add(new Node(shard, replica, node));
                    continue;
                }
            }
            catch (ClickHouseException e) when (e.IsRetryable)
            {
                // Down or unreachable: another endpoint of its shard may answer.
            }

            node.Dispose();
        }

        return nodes;
    }

    private sealed record Node(string Shard, string Replica, ClickHouseClient Client);
}
