using System.Net;

namespace OtelLlm.Api.Tests;

public sealed class FeedbackTests(ApiReceiverFixture receiver) : IClassFixture<ApiReceiverFixture>
{
    private static readonly DateTimeOffset s_recent = DateTimeOffset.UtcNow.AddHours(-1);

    [Fact]
    public async Task Post_OneObject_IsStoredWithEveryField()
    {
        var call = StoredCalls.Call("alpha", s_recent, "gpt-4o", "support-bot");
        var id = "fb-" + Guid.NewGuid().ToString("N");
        var body = new
        {
            id,
            traceId = call.TraceId.ToUpperInvariant(),
            spanId = call.SpanId,
            name = "thumbs",
            value = 1,
            comment = "spot on ✓",
            userId = "u-42",
            source = "user",
            metadata = new { page = "chat", attempt = 2, beta = true },
        };
        using var response = await receiver.PostJsonAsync("/api/v1/feedback", ApiReceiverFixture.FeedbackKey, body);
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        var answer = await response.JsonAsync();
        Assert.Equal(1, answer.GetProperty("stored").GetInt32());
        Assert.Equal(0, answer.GetProperty("duplicates").GetInt32());
        Assert.Equal(id, answer.GetProperty("ids")[0].GetString());

        var rows = await receiver.Database.Client.QueryJsonAsync(
            $"SELECT Project, TraceId, SpanId, ResponseId, Name, Value, StringValue, Comment, Source, UserId, Attributes.Key AS K, Attributes.Value AS V FROM llm_feedback WHERE FeedbackId = '{id}'",
            "read back");
        var row = Assert.Single(rows);
        Assert.Equal("alpha", row.GetProperty("Project").GetString());
        Assert.Equal(call.TraceId, row.GetProperty("TraceId").GetString());
        Assert.Equal(call.SpanId, row.GetProperty("SpanId").GetString());
        Assert.Equal("thumbs", row.GetProperty("Name").GetString());
        Assert.Equal(1.0, row.GetProperty("Value").GetDouble());
        Assert.Equal("spot on ✓", row.GetProperty("Comment").GetString());
        Assert.Equal("user", row.GetProperty("Source").GetString());
        Assert.Equal("u-42", row.GetProperty("UserId").GetString());
        Assert.Equal(["page", "attempt", "beta"], row.GetProperty("K").EnumerateArray().Select(k => k.GetString()!));
        Assert.Equal(["chat", "2", "true"], row.GetProperty("V").EnumerateArray().Select(k => k.GetString()!));
    }

    [Fact]
    public async Task Post_SameIdsTwice_AreStoredOnce()
    {
        var trace = Convert.ToHexStringLower(Guid.NewGuid().ToByteArray());
        var a = "idem-a-" + Guid.NewGuid().ToString("N");
        var b = "idem-b-" + Guid.NewGuid().ToString("N");
        var batch = $$"""[{"id":"{{a}}","traceId":"{{trace}}","value":1},{"id":"{{b}}","traceId":"{{trace}}","name":"score","value":0.5},{"id":"{{a}}","traceId":"{{trace}}","value":1}]""";

        using var first = await receiver.PostJsonAsync("/api/v1/feedback", ApiReceiverFixture.FeedbackKey, batch);
        Assert.Equal(HttpStatusCode.Created, first.StatusCode);
        var one = await first.JsonAsync();
        Assert.Equal(2, one.GetProperty("stored").GetInt32());
        Assert.Equal(1, one.GetProperty("duplicates").GetInt32());

        using var again = await receiver.PostJsonAsync("/api/v1/feedback", ApiReceiverFixture.FeedbackKey, batch);
        Assert.Equal(HttpStatusCode.OK, again.StatusCode);
        var two = await again.JsonAsync();
        Assert.Equal(0, two.GetProperty("stored").GetInt32());
        Assert.Equal(3, two.GetProperty("duplicates").GetInt32());

        Assert.Equal(2, await receiver.Database.CountAsync($"SELECT count() FROM llm_feedback WHERE TraceId = '{trace}'"));

        // Another project may use the same id: ids are per project.
        using var beta = await receiver.PostJsonAsync("/api/v1/feedback", ApiReceiverFixture.BetaKey, $$"""{"id":"{{a}}","traceId":"{{trace}}","value":0}""");
        Assert.Equal(HttpStatusCode.Created, beta.StatusCode);
        Assert.Equal(1, await receiver.Database.CountAsync($"SELECT count() FROM llm_feedback WHERE TraceId = '{trace}' AND Project = 'beta'"));
    }

    [Fact]
    public async Task Post_InvalidBatch_ListsEveryErrorAndStoresNothing()
    {
        var trace = Convert.ToHexStringLower(Guid.NewGuid().ToByteArray());
        var batch = $$"""
            [
              {"traceId":"{{trace}}","value":1},
              {"spanId":"00f067aa0ba902b7","value":1},
              {"traceId":"xyz","value":2},
              {"traceId":"{{trace}}","name":"thumbs","value":3},
              {"traceId":"{{trace}}","value":"yes"},
              {"traceId":"{{trace}}","name":"bad name!","value":1,"source":"robot","tumbs":1},
              {"traceId":"{{trace}}","name":"score"},
              {"traceId":"{{trace}}","spanId":"123","value":1,"comment":7},
              {"traceId":"00000000000000000000000000000000","value":1},
              {"traceId":"{{trace}}","value":1,"id":"","metadata":{"nested":{"a":1} } },
              "not an object"
            ]
            """;
        using var response = await receiver.PostJsonAsync("/api/v1/feedback", ApiReceiverFixture.FeedbackKey, batch);
        var errors = await response.ErrorsAsync(HttpStatusCode.BadRequest);
        errors.AssertHas(1, "traceId", "Required");
        errors.AssertHas(2, "traceId", "32-digit hex id");
        errors.AssertHas(3, "value", "Thumbs are 1 (up) or 0 (down)");
        errors.AssertHas(4, "value", "Expected a number");
        errors.AssertHas(5, "name", "not a feedback name");
        errors.AssertHas(5, "source", "user, api, eval");
        errors.AssertHas(5, "tumbs", "Unknown field");
        errors.AssertHas(6, "value", "Required");
        errors.AssertHas(7, "spanId", "16-digit hex id");
        errors.AssertHas(7, "comment", "Expected a string");
        errors.AssertHas(8, "traceId", "not all zeros");
        errors.AssertHas(9, "id", "Must not be empty");
        errors.AssertHas(9, "metadata.nested", "Expected a string, number or boolean");
        errors.AssertHas(10, null, "Expected a JSON object");
        Assert.DoesNotContain(errors, e => e.Index == 0);
        Assert.Equal(0, await receiver.Database.CountAsync($"SELECT count() FROM llm_feedback WHERE TraceId = '{trace}'"));
    }

    [Theory]
    [InlineData("text/plain", "{}", HttpStatusCode.UnsupportedMediaType, "application/json")]
    [InlineData("application/json", "{\"traceId\":", HttpStatusCode.BadRequest, "not valid JSON")]
    [InlineData("application/json", "", HttpStatusCode.BadRequest, "empty")]
    [InlineData("application/json", "[]", HttpStatusCode.BadRequest, "empty")]
    public async Task Post_BadBody_AnswersWithErrorBody(string contentType, string body, HttpStatusCode status, string message)
    {
        using var content = new StringContent(body, System.Text.Encoding.UTF8);
        content.Headers.ContentType = new(contentType);
        using var response = await receiver.SendAsync(HttpMethod.Post, "/api/v1/feedback", ApiReceiverFixture.FeedbackKey, content);
        var errors = await response.ErrorsAsync(status);
        Assert.Contains(errors, e => e.Message.Contains(message, StringComparison.OrdinalIgnoreCase));
    }

    [Fact]
    public async Task Post_TooManyItems_Answers413()
    {
        var trace = Convert.ToHexStringLower(Guid.NewGuid().ToByteArray());
        var batch = "[" + string.Join(",", Enumerable.Repeat($$"""{"traceId":"{{trace}}","value":1}""", 1001)) + "]";
        using var response = await receiver.PostJsonAsync("/api/v1/feedback", ApiReceiverFixture.FeedbackKey, batch);
        var errors = await response.ErrorsAsync(HttpStatusCode.RequestEntityTooLarge);
        errors.AssertHas(null, null, "1001 items");
    }

    [Theory]
    [InlineData(ApiReceiverFixture.IngestKey)]
    [InlineData(ApiReceiverFixture.ReadKey)]
    [InlineData(ApiReceiverFixture.AdminKey)]
    public async Task Post_KeyWithoutFeedbackScope_Answers403NamingIt(string key)
    {
        using var response = await receiver.PostJsonAsync("/api/v1/feedback", key, "{\"traceId\":\"4bf92f3577b34da6a3ce929d0e0e4736\",\"value\":1}");
        var errors = await response.ErrorsAsync(HttpStatusCode.Forbidden);
        errors.AssertHas(null, null, "'feedback' scope");
    }

    [Theory]
    [InlineData("/api/v1/feedback")]
    [InlineData("/api/v1/feedback/summary")]
    public async Task Reads_FeedbackKey_Answers403NamingReadScope(string path)
    {
        using var response = await receiver.GetAsync(path, ApiReceiverFixture.FeedbackKey);
        var errors = await response.ErrorsAsync(HttpStatusCode.Forbidden);
        errors.AssertHas(null, null, "'read' scope");
    }

    [Fact]
    public async Task List_JoinsEachFeedbackWithItsCall_BySpanResponseIdOrTrace()
    {
        var workload = "wl-" + Guid.NewGuid().ToString("N")[..8];
        var first = StoredCalls.Call("alpha", s_recent, "claude-sonnet-4", workload);
        var last = StoredCalls.Call("alpha", s_recent.AddSeconds(5), "gpt-4o-mini", workload);
        last.TraceId = first.TraceId;
        var other = StoredCalls.Call("alpha", s_recent, "gpt-4o", workload);
        await StoredCalls.InsertAsync(receiver.Database, first, last, other);

        var posted = $$"""
            [
              {"traceId":"{{first.TraceId}}","spanId":"{{first.SpanId}}","value":1,"comment":"by span"},
              {"traceId":"{{other.TraceId}}","responseId":"{{other.ResponseId}}","value":0,"comment":"by response id"},
              {"traceId":"{{first.TraceId}}","name":"score","value":0.25,"comment":"by trace"},
              {"traceId":"{{Convert.ToHexStringLower(Guid.NewGuid().ToByteArray())}}","value":1,"comment":"no call"}
            ]
            """;
        using (var post = await receiver.PostJsonAsync("/api/v1/feedback", ApiReceiverFixture.FeedbackKey, posted))
        {
            Assert.Equal(HttpStatusCode.Created, post.StatusCode);
        }

        using var response = await receiver.GetAsync($"/api/v1/feedback?workload={workload}", ApiReceiverFixture.ReadKey);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var page = await response.JsonAsync();
        var items = page.GetProperty("items").EnumerateArray().ToDictionary(i => i.GetProperty("comment").GetString()!);
        Assert.Equal(3, items.Count);
        Assert.Equal(first.SpanId, items["by span"].GetProperty("call").GetProperty("spanId").GetString());
        Assert.Equal("claude-sonnet-4", items["by span"].GetProperty("call").GetProperty("model").GetString());
        Assert.Equal(other.SpanId, items["by response id"].GetProperty("call").GetProperty("spanId").GetString());
        Assert.Equal("gpt-4o", items["by response id"].GetProperty("call").GetProperty("model").GetString());
        Assert.Equal(last.SpanId, items["by trace"].GetProperty("call").GetProperty("spanId").GetString());
        Assert.Equal(250.0, items["by trace"].GetProperty("call").GetProperty("durationMs").GetDouble());
        Assert.Equal(workload, items["by trace"].GetProperty("call").GetProperty("workload").GetString());

        using var byModel = await receiver.GetAsync($"/api/v1/feedback?workload={workload}&model=gpt-4o-mini", ApiReceiverFixture.ReadKey);
        var only = Assert.Single((await byModel.JsonAsync()).GetProperty("items").EnumerateArray());
        Assert.Equal("by trace", only.GetProperty("comment").GetString());

        using var all = await receiver.GetAsync($"/api/v1/feedback?limit=10000", ApiReceiverFixture.ReadKey);
        var noCall = (await all.JsonAsync()).GetProperty("items").EnumerateArray().Single(i => i.GetProperty("comment").GetString() == "no call");
        Assert.False(noCall.TryGetProperty("call", out _));
    }

    [Fact]
    public async Task Summary_GroupsByModelAndWorkload_WithCountMeanAndPositiveRate()
    {
        var workload = "sum-" + Guid.NewGuid().ToString("N")[..8];
        var modelA = "model-a-" + workload;
        var modelB = "model-b-" + workload;
        var callsA = Enumerable.Range(0, 4).Select(_ => StoredCalls.Call("alpha", s_recent, modelA, workload)).ToArray();
        var callB = StoredCalls.Call("alpha", s_recent, modelB, workload + "-other");
        await StoredCalls.InsertAsync(receiver.Database, [.. callsA, callB]);
        var items = callsA.Select((c, i) => $$"""{"traceId":"{{c.TraceId}}","spanId":"{{c.SpanId}}","value":{{(i < 3 ? 1 : 0)}}}""")
            .Append($$"""{"traceId":"{{callB.TraceId}}","spanId":"{{callB.SpanId}}","value":0}""")
            .Append($$"""{"traceId":"{{callB.TraceId}}","spanId":"{{callB.SpanId}}","name":"score","value":4}""");
        using (var post = await receiver.PostJsonAsync("/api/v1/feedback", ApiReceiverFixture.FeedbackKey, "[" + string.Join(",", items) + "]"))
        {
            Assert.Equal(HttpStatusCode.Created, post.StatusCode);
        }

        using var byModel = await receiver.GetAsync("/api/v1/feedback/summary?groupBy=model", ApiReceiverFixture.ReadKey);
        var groups = (await byModel.JsonAsync()).GetProperty("groups").EnumerateArray().ToList();
        var a = groups.Single(g => g.GetProperty("key").GetString() == modelA);
        Assert.Equal("thumbs", a.GetProperty("name").GetString());
        Assert.Equal(4, a.GetProperty("count").GetInt64());
        Assert.Equal(0.75, a.GetProperty("mean").GetDouble(), 9);
        Assert.Equal(0.75, a.GetProperty("positiveRate").GetDouble(), 9);
        var bThumbs = groups.Single(g => g.GetProperty("key").GetString() == modelB && g.GetProperty("name").GetString() == "thumbs");
        Assert.Equal(0.0, bThumbs.GetProperty("positiveRate").GetDouble());
        var bScore = groups.Single(g => g.GetProperty("key").GetString() == modelB && g.GetProperty("name").GetString() == "score");
        Assert.Equal(4.0, bScore.GetProperty("mean").GetDouble());

        using var byWorkload = await receiver.GetAsync("/api/v1/feedback/summary?groupBy=workload&name=thumbs&positiveAbove=0.5", ApiReceiverFixture.ReadKey);
        var w = (await byWorkload.JsonAsync()).GetProperty("groups").EnumerateArray().Single(g => g.GetProperty("key").GetString() == workload);
        Assert.Equal(4, w.GetProperty("count").GetInt64());
        Assert.Equal(0.75, w.GetProperty("positiveRate").GetDouble(), 9);
    }

    [Theory]
    [InlineData("/api/v1/feedback?from=yesterday", "from", "ISO 8601")]
    [InlineData("/api/v1/feedback?from=2025-06-01T00:00:00", "from", "ISO 8601")]
    [InlineData("/api/v1/feedback?from=2025-06-02T00:00:00Z&to=2025-06-01T00:00:00Z", "from", "must be before")]
    [InlineData("/api/v1/feedback?limit=0", "limit", "1 to 10000")]
    [InlineData("/api/v1/feedback/summary?groupBy=user", "groupBy", "model, workload, service")]
    [InlineData("/api/v1/feedback/summary?positiveAbove=high", "positiveAbove", "not a number")]
    public async Task Reads_BadQuery_Answers400NamingTheParameter(string path, string field, string message)
    {
        using var response = await receiver.GetAsync(path, ApiReceiverFixture.ReadKey);
        var errors = await response.ErrorsAsync(HttpStatusCode.BadRequest);
        errors.AssertHas(null, field, message);
    }

    [Fact]
    public async Task List_KeyOfAnotherProject_SeesOnlyItsOwnAndCannotNameOthers()
    {
        var trace = Convert.ToHexStringLower(Guid.NewGuid().ToByteArray());
        using (var post = await receiver.PostJsonAsync("/api/v1/feedback", ApiReceiverFixture.FeedbackKey, $$"""{"traceId":"{{trace}}","value":1,"comment":"alpha only"}"""))
        {
            Assert.Equal(HttpStatusCode.Created, post.StatusCode);
        }

        using var beta = await receiver.GetAsync("/api/v1/feedback?limit=10000", ApiReceiverFixture.BetaKey);
        Assert.DoesNotContain((await beta.JsonAsync()).GetProperty("items").EnumerateArray(), i => i.GetProperty("traceId").GetString() == trace);

        using var named = await receiver.GetAsync("/api/v1/feedback?project=alpha", ApiReceiverFixture.BetaKey);
        var errors = await named.ErrorsAsync(HttpStatusCode.Forbidden);
        errors.AssertHas(null, "project", "cannot read project 'alpha'");
    }
}
