using System.Net;
using System.Net.Http.Headers;
using System.Text;
using Google.Protobuf;
using OtelLlm.Receiver.Decoding;
using OtelLlm.TestSupport;

namespace OtelLlm.Reliability.Tests;

/// <summary>A 10 MB prompt attribute is cut to <c>MaxAttributeValueBytes</c> with a visible marker; the span and its call are kept.</summary>
public sealed class AttributeLimitTests(ClickHouseDatabase database) : IClassFixture<ClickHouseDatabase>
{
    private const int DefaultLimit = 1024 * 1024;

    [Fact]
    public async Task Export_TenMegabytePromptAttribute_TruncatedWithMarkerRestOfSpanKept()
    {
        await using var receiver = await ReceiverUnderTest.StartAsync(database.Url, database.Name, []);
        var prompt = "[{\"role\":\"user\",\"parts\":[{\"type\":\"text\",\"content\":\"" + new string('p', 10 * 1024 * 1024) + "\"}]}]";
        var legacyPrompt = new string('q', 10 * 1024 * 1024);
        var request = Load.GenAiSpans("big-prompt", 0, 1);
        var span = request.ResourceSpans[0].ScopeSpans[0].Spans[0];
        span.Attributes.Add(Load.Attr("gen_ai.input.messages", prompt));
        span.Attributes.Add(Load.Attr("gen_ai.prompt", legacyPrompt));
        span.Attributes.Add(Load.Attr("app.tag", "keep-me"));
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(120) };
        using var content = new ByteArrayContent(request.ToByteArray());
        content.Headers.ContentType = new MediaTypeHeaderValue("application/x-protobuf");
        using (var response = await http.PostAsync(new Uri($"http://127.0.0.1:{receiver.HttpPort}/v1/traces"), content))
        {
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        }

        // Acknowledged means in ClickHouse or durably spooled (and replayed shortly): wait for the row.
        Assert.Equal(1, await database.WaitForCountAsync("SELECT count() FROM otel_traces FINAL WHERE ServiceName = 'big-prompt'", 1, TimeSpan.FromSeconds(60)));
        var rows = await database.QueryAsync(
            "SELECT length(SpanAttributes.Value[indexOf(SpanAttributes.Key, 'gen_ai.input.messages')]), " +
            "substring(SpanAttributes.Value[indexOf(SpanAttributes.Key, 'gen_ai.input.messages')], 1048550, 100), " +
            "length(SpanAttributes.Value[indexOf(SpanAttributes.Key, 'gen_ai.prompt')]), " +
            "SpanAttributes.Value[indexOf(SpanAttributes.Key, 'app.tag')], " +
            "SpanAttributes.Value[indexOf(SpanAttributes.Key, 'gen_ai.request.model')], SpanName " +
            "FROM otel_traces FINAL WHERE ServiceName = 'big-prompt'");
        var row = Assert.Single(rows);
        var marker = $"…[truncated {Encoding.UTF8.GetByteCount(prompt) - DefaultLimit} bytes]";
        Assert.Equal(DefaultLimit + Encoding.UTF8.GetByteCount(marker), long.Parse(row[0], System.Globalization.CultureInfo.InvariantCulture));
        Assert.EndsWith(marker, row[1], StringComparison.Ordinal);
        Assert.Equal(DefaultLimit + Encoding.UTF8.GetByteCount($"…[truncated {legacyPrompt.Length - DefaultLimit} bytes]"), long.Parse(row[2], System.Globalization.CultureInfo.InvariantCulture));
        Assert.Equal("keep-me", row[3]);
        Assert.Equal("gpt-4o", row[4]);
        Assert.Equal("chat gpt-4o", row[5]);
        Assert.Equal(1, await database.WaitForCountAsync("SELECT count() FROM llm_calls FINAL WHERE ServiceName = 'big-prompt' AND RequestModel = 'gpt-4o' AND InputTokens > 0", 1, TimeSpan.FromSeconds(60)));
    }

    [Theory]
    [InlineData("short", 10, "short")]
    [InlineData("abcdefghijkl", 4, "abcd…[truncated 8 bytes]")]
    [InlineData("ééééé", 5, "éé…[truncated 6 bytes]")]
    [InlineData("a😀b", 3, "a…[truncated 5 bytes]")]
    [InlineData("abcdefghijkl", 0, "abcdefghijkl")]
    public void Truncate_CutsOnCharacterBoundaryWithMarker(string value, int limit, string expected)
        => Assert.Equal(expected, AnyValueText.Truncate(value, limit));
}
