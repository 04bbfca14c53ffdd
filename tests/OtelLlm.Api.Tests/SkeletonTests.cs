using System.Net;

namespace OtelLlm.Api.Tests;

public sealed class SkeletonTests(ApiReceiverFixture receiver) : IClassFixture<ApiReceiverFixture>
{
    [Theory]
    [InlineData(ApiReceiverFixture.IngestKey, "ingest")]
    [InlineData(ApiReceiverFixture.FeedbackKey, "feedback")]
    [InlineData(ApiReceiverFixture.ReadKey, "read")]
    [InlineData(ApiReceiverFixture.AdminKey, "admin")]
    public async Task Me_AnyKey_NamesItsProjectAndScopes(string key, string scope)
    {
        using var response = await receiver.GetAsync("/api/v1/me", key);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var body = await response.JsonAsync();
        Assert.Equal("alpha", body.GetProperty("project").GetString());
        Assert.Equal([scope], body.GetProperty("scopes").EnumerateArray().Select(s => s.GetString()!));
        Assert.True(body.GetProperty("keyed").GetBoolean());
    }

    [Theory]
    [InlineData(null, "Missing API key")]
    [InlineData("not-a-key", "Invalid API key")]
    public async Task Me_NoOrUnknownKey_Answers401WithErrorBody(string? key, string message)
    {
        using var response = await receiver.GetAsync("/api/v1/me", key);
        var errors = await response.ErrorsAsync(HttpStatusCode.Unauthorized);
        errors.AssertHas(null, null, message);
    }

    [Fact]
    public async Task UnknownPath_Answers404WithErrorBody()
    {
        using var response = await receiver.GetAsync("/api/v1/no-such-thing", ApiReceiverFixture.AllKey);
        var errors = await response.ErrorsAsync(HttpStatusCode.NotFound);
        errors.AssertHas(null, null, "/api/v1/no-such-thing");
    }

    [Theory]
    [InlineData(ApiReceiverFixture.FeedbackKey)]
    [InlineData(ApiReceiverFixture.ReadKey)]
    [InlineData(ApiReceiverFixture.AdminKey)]
    public async Task OtlpHttp_KeyWithoutIngestScope_Answers403NamingTheScope(string key)
    {
        using var content = new StringContent("{\"resourceSpans\":[]}", System.Text.Encoding.UTF8, "application/json");
        using var response = await receiver.SendAsync(HttpMethod.Post, "/v1/traces", key, content);
        Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
        var body = await response.JsonAsync();
        Assert.Equal(7, body.GetProperty("code").GetInt32());
        Assert.Contains("'ingest' scope", body.GetProperty("message").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task OtlpHttp_IngestKey_IsAccepted()
    {
        using var content = new StringContent("{\"resourceSpans\":[]}", System.Text.Encoding.UTF8, "application/json");
        using var response = await receiver.SendAsync(HttpMethod.Post, "/v1/traces", ApiReceiverFixture.IngestKey, content);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }

    [Fact]
    public async Task OtlpGrpc_KeyWithoutIngestScope_EndsWithPermissionDenied()
    {
        using var client = Receiver.TestHost.InProcessReceiver.CreateGrpcClient();
        using var request = new HttpRequestMessage(HttpMethod.Post, new Uri(receiver.GrpcEndpoint, "/opentelemetry.proto.collector.trace.v1.TraceService/Export"))
        {
            Content = new ByteArrayContent([0, 0, 0, 0, 0]),
            Version = HttpVersion.Version20,
            VersionPolicy = HttpVersionPolicy.RequestVersionExact,
        };
        request.Content.Headers.ContentType = new("application/grpc");
        request.Headers.Add("x-api-key", ApiReceiverFixture.ReadKey);
        using var response = await client.SendAsync(request, HttpCompletionOption.ResponseHeadersRead);
        await response.Content.ReadAsByteArrayAsync();
        var status = response.TrailingHeaders.TryGetValues("grpc-status", out var s) ? s.Single()
            : response.Headers.TryGetValues("grpc-status", out var h) ? h.Single() : null;
        var message = response.TrailingHeaders.TryGetValues("grpc-message", out var m) ? m.Single()
            : response.Headers.TryGetValues("grpc-message", out var hm) ? hm.Single() : string.Empty;
        Assert.True(status == "7", $"headers: {response.Headers}; trailers: {response.TrailingHeaders}");
        Assert.Contains("'ingest' scope", Uri.UnescapeDataString(message), StringComparison.Ordinal);
    }

    [Fact]
    public async Task OpenApiDocument_DescribesTheApiWithScopesAndErrorBody()
    {
        using var response = await receiver.GetAsync("/openapi/v1.json", key: null);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var doc = await response.JsonAsync();
        Assert.StartsWith("3.", doc.GetProperty("openapi").GetString(), StringComparison.Ordinal);
        var paths = doc.GetProperty("paths");
        foreach (var path in paths.EnumerateObject())
        {
            Assert.StartsWith("/api/v1/", path.Name, StringComparison.Ordinal);
            foreach (var operation in path.Value.EnumerateObject())
            {
                Assert.True(operation.Value.TryGetProperty("x-scope", out _), $"{operation.Name} {path.Name} names no scope");
                Assert.True(operation.Value.GetProperty("responses").TryGetProperty("403", out _), $"{operation.Name} {path.Name} has no 403");
            }
        }

        Assert.True(paths.TryGetProperty("/api/v1/me", out _));
        var error = doc.GetProperty("components").GetProperty("schemas").GetProperty("ApiError").GetProperty("properties");
        Assert.True(error.TryGetProperty("index", out _));
        Assert.True(error.TryGetProperty("field", out _));
        Assert.True(error.TryGetProperty("message", out _));
        Assert.True(doc.GetProperty("components").GetProperty("securitySchemes").TryGetProperty("bearer", out _));
    }

    [Fact]
    public async Task ReferencePage_IsServedWithEverythingItLoadsFromThisHost()
    {
        using var page = await receiver.GetAsync("/api/reference/", key: null);
        Assert.Equal(HttpStatusCode.OK, page.StatusCode);
        var html = await page.Content.ReadAsStringAsync();
        Assert.Contains("OtelLlm API", html, StringComparison.Ordinal);
        Assert.DoesNotMatch("(src|href)=\"(https?:)?//", html);
        Assert.Contains("\"withDefaultFonts\":false", html, StringComparison.Ordinal);
        foreach (var script in System.Text.RegularExpressions.Regex.Matches(html, "src=\"([^\"]+)\"").Select(m => m.Groups[1].Value))
        {
            using var asset = await receiver.GetAsync("/api/reference/" + script, key: null);
            Assert.Equal(HttpStatusCode.OK, asset.StatusCode);
            Assert.True((await asset.Content.ReadAsByteArrayAsync()).Length > 1000, script);
        }
    }
}
