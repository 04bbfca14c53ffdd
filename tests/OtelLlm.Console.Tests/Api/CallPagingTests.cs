using System.Net;

namespace OtelLlm.Console.Tests.Api;

/// <summary>Cursor pagination while calls arrive (its own receiver: the calls it adds would change the other tests' totals).</summary>
public sealed class CallPagingTests(ConsoleReceiverFixture receiver) : IClassFixture<ConsoleReceiverFixture>
{
    private SeedData Seed => receiver.Seed;

    [Theory]
    [InlineData("time")]
    [InlineData("cost")]
    [InlineData("duration")]
    public async Task Calls_CursorPagesCoverEveryCallOnce_WhileCallsArrive(string sort)
    {
        var seen = new List<string>();
        var first = await receiver.GetJsonAsync($"/api/v1/calls?sort={sort}&limit=3&service={SeedData.ShopService}");
        seen.AddRange(first.GetProperty("items").EnumerateArray().Select(i => i.GetProperty("spanId").GetString()!));
        var cursor = first.GetProperty("nextCursor").GetString();

        // A call stored between pages (newer than all, cheaper and shorter than all) must not shift the pages: every
        // call listed once, none skipped; the new call may be listed where it sorts after the cursor.
        var late = SeedData.NewId(8);
        using (var response = await receiver.SendAsync(HttpMethod.Post, "/api/v1/ingest/llm", receiver.IngestKey,
            $$"""{"model":"gpt-4o-mini","provider":"openai","service":"{{SeedData.ShopService}}","durationMs":1,"costUsd":0,"spanId":"{{late}}"}"""))
        {
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        }

        while (cursor is not null)
        {
            var page = await receiver.GetJsonAsync($"/api/v1/calls?sort={sort}&limit=3&service={SeedData.ShopService}&cursor={cursor}");
            seen.AddRange(page.GetProperty("items").EnumerateArray().Select(i => i.GetProperty("spanId").GetString()!));
            cursor = page.TryGetProperty("nextCursor", out var next) ? next.GetString() : null;
        }

        Assert.All(Seed.Calls.Where(c => c.Service == SeedData.ShopService), c => Assert.Contains(c.SpanId, seen));
        Assert.Equal(seen.Count, seen.Distinct().Count());
        Assert.Equal(sort != "time", seen.Contains(late));
    }
}
