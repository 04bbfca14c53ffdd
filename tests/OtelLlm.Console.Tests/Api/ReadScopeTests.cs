using System.Net;
using System.Text.Json;

namespace OtelLlm.Console.Tests.Api;

/// <summary>The read API behind keys: the <c>read</c> scope, and a key's own project only.</summary>
public sealed class ReadScopeTests(KeyedConsoleReceiverFixture receiver) : IClassFixture<KeyedConsoleReceiverFixture>
{
    public static TheoryData<string> ReadPaths => new()
    {
        "/api/v1/overview",
        "/api/v1/overview/breakdown",
        "/api/v1/overview/series",
        "/api/v1/overview/latency",
        "/api/v1/calls",
        "/api/v1/sessions",
        "/api/v1/users",
    };

    [Theory]
    [MemberData(nameof(ReadPaths))]
    public async Task KeyWithoutReadScope_Gets403NamingIt(string path)
    {
        foreach (var key in new[] { KeyedConsoleReceiverFixture.Ingest, KeyedConsoleReceiverFixture.Feedback })
        {
            using var response = await receiver.SendAsync(HttpMethod.Get, path, key);
            Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
            using var doc = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
            Assert.Contains("'read' scope", doc.RootElement.GetProperty("errors")[0].GetProperty("message").GetString(), StringComparison.Ordinal);
        }

        using var anonymous = await receiver.SendAsync(HttpMethod.Get, path, null);
        Assert.Equal(HttpStatusCode.Unauthorized, anonymous.StatusCode);
    }

    [Fact]
    public async Task ReadKey_SeesItsProjectOnly()
    {
        var help = receiver.Seed["order-help"];
        var alpha = await receiver.GetJsonAsync("/api/v1/calls");
        Assert.Equal(receiver.Seed.Calls.Count, alpha.GetProperty("items").GetArrayLength());
        Assert.All(alpha.GetProperty("items").EnumerateArray(), i => Assert.Equal("alpha", i.GetProperty("project").GetString()));

        using (var other = await receiver.SendAsync(HttpMethod.Get, "/api/v1/calls?project=beta", KeyedConsoleReceiverFixture.Read))
        {
            Assert.Equal(HttpStatusCode.Forbidden, other.StatusCode);
        }

        // Project beta's key finds nothing of alpha's, even by id.
        foreach (var path in new[] { $"/api/v1/calls/{help.TraceId}/{help.SpanId}", $"/api/v1/traces/{help.TraceId}", "/api/v1/sessions/s-checkout" })
        {
            using var response = await receiver.SendAsync(HttpMethod.Get, path, KeyedConsoleReceiverFixture.Beta);
            Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        }

        using var overview = await receiver.SendAsync(HttpMethod.Get, "/api/v1/overview", KeyedConsoleReceiverFixture.Beta);
        using var doc = JsonDocument.Parse(await overview.Content.ReadAsStringAsync());
        Assert.Equal(0, doc.RootElement.GetProperty("figures").GetProperty("calls").GetInt64());
    }
}
