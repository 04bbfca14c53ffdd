using System.Net;
using System.Text.RegularExpressions;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using OtelLlm.Receiver;
using OtelLlm.Receiver.WebConsole;

namespace OtelLlm.Console.Tests.Hosting;

/// <summary>How the receiver host serves the console: on its own port, from files embedded in the receiver.</summary>
public sealed partial class ConsoleHostingTests(ConsoleReceiverFixture receiver) : IClassFixture<ConsoleReceiverFixture>
{
    private Task<HttpResponseMessage> ConsoleAsync(HttpMethod method, string path)
        => receiver.Http.SendAsync(new HttpRequestMessage(method, new Uri(receiver.ConsoleUrl, path)));

    [Theory]
    [InlineData("/")]
    [InlineData("/calls?model=gpt-4o")]
    [InlineData("/calls/0123456789abcdef0123456789abcdef/0011223344556677")]
    [InlineData("/sessions/s%20checkout")]
    public async Task EveryRoute_AnswersThePageWithItsSecurityHeaders(string path)
    {
        using var response = await ConsoleAsync(HttpMethod.Get, path);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("text/html", response.Content.Headers.ContentType?.MediaType);
        Assert.Contains("<script type=\"module\" src=\"/js/app.js\"></script>", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        var csp = string.Join(";", response.Headers.GetValues("Content-Security-Policy"));
        Assert.Contains("script-src 'self'", csp, StringComparison.Ordinal);
        Assert.Contains("connect-src 'self'", csp, StringComparison.Ordinal);
        Assert.Equal("nosniff", response.Headers.GetValues("X-Content-Type-Options").Single());
        Assert.Equal("DENY", response.Headers.GetValues("X-Frame-Options").Single());
    }

    [Fact]
    public async Task Files_AreServedWithTypesAndRevalidatedByETag()
    {
        using var script = await ConsoleAsync(HttpMethod.Get, "/js/app.js");
        Assert.Equal(HttpStatusCode.OK, script.StatusCode);
        Assert.Equal("text/javascript", script.Content.Headers.ContentType?.MediaType);
        Assert.Equal("no-cache", script.Headers.CacheControl?.ToString());
        var etag = script.Headers.ETag!;

        using var again = new HttpRequestMessage(HttpMethod.Get, new Uri(receiver.ConsoleUrl, "/js/app.js"));
        again.Headers.IfNoneMatch.Add(etag);
        using var notModified = await receiver.Http.SendAsync(again);
        Assert.Equal(HttpStatusCode.NotModified, notModified.StatusCode);

        using var css = await ConsoleAsync(HttpMethod.Get, "/css/console.css");
        Assert.Equal("text/css", css.Content.Headers.ContentType?.MediaType);
        using var missing = await ConsoleAsync(HttpMethod.Get, "/js/missing.js");
        Assert.Equal(HttpStatusCode.NotFound, missing.StatusCode);
    }

    [Fact]
    public async Task EveryModuleImport_NamesAShippedFile()
    {
        var assets = receiver.Services.GetRequiredService<ConsoleAssets>();
        var paths = assets.Paths.ToHashSet(StringComparer.Ordinal);
        var scripts = paths.Where(p => p.EndsWith(".js", StringComparison.Ordinal)).ToList();
        Assert.Contains("/js/app.js", scripts);
        foreach (var script in scripts)
        {
            Assert.True(assets.TryGet(script, out var file));
            var text = System.Text.Encoding.UTF8.GetString(file.Content);
            foreach (Match import in ImportPattern().Matches(text))
            {
                var target = new Uri(new Uri("http://console" + script), import.Groups[1].Value).AbsolutePath;
                Assert.True(paths.Contains(target), $"{script} imports {import.Groups[1].Value}, which is not shipped");
            }
        }

        // Nothing is loaded from another origin: no absolute URL in the page or the styles.
        foreach (var path in paths.Where(p => p.EndsWith(".html", StringComparison.Ordinal) || p.EndsWith(".css", StringComparison.Ordinal)))
        {
            Assert.True(assets.TryGet(path, out var file));
            Assert.DoesNotMatch("(src|href|url)\\s*[=(]\\s*[\"']?(https?:)?//", System.Text.Encoding.UTF8.GetString(file.Content));
        }
    }

    [Fact]
    public async Task ApiIsOnTheConsolesOrigin_OtlpIsNot()
    {
        using var me = await ConsoleAsync(HttpMethod.Get, "/api/v1/me");
        Assert.Equal(HttpStatusCode.OK, me.StatusCode);
        Assert.Contains("\"scopes\"", await me.Content.ReadAsStringAsync(), StringComparison.Ordinal);

        using var otlp = await receiver.Http.PostAsync(new Uri(receiver.ConsoleUrl, "/v1/traces"), new StringContent("{}", System.Text.Encoding.UTF8, "application/json"));
        Assert.Equal(HttpStatusCode.MethodNotAllowed, otlp.StatusCode);

        // And the OTLP/API port does not serve the console.
        using var page = await receiver.Http.GetAsync(new Uri(receiver.HttpEndpoint, "/"));
        Assert.Equal(HttpStatusCode.NotFound, page.StatusCode);
    }

    [Fact]
    public void Settings_ConsoleOffLoopbackWithoutAReadKey_StopsTheStart()
    {
        var e = Assert.Throws<OptionsValidationException>(() => ReceiverHost.Build(
        [
            "--OtelLlm:Receiver:GrpcPort=0", "--OtelLlm:Receiver:HttpPort=0", "--OtelLlm:Console:ListenAddress=0.0.0.0", "--Logging:LogLevel:Default=None",
        ]));
        Assert.Contains("OtelLlm:Console:ListenAddress = '0.0.0.0'", Assert.Single(e.Failures), StringComparison.Ordinal);

        // Keys without the read scope do not open it either; a read key does.
        Assert.Throws<OptionsValidationException>(() => ReceiverHost.Build(
        [
            "--OtelLlm:Receiver:GrpcPort=0", "--OtelLlm:Receiver:HttpPort=0", "--OtelLlm:Console:ListenAddress=0.0.0.0",
            "--OtelLlm:Receiver:Auth:Keys=k1=p;k2=p:feedback", "--Logging:LogLevel:Default=None",
        ]));
        using var app = ReceiverHost.Build(
        [
            "--OtelLlm:Receiver:GrpcPort=0", "--OtelLlm:Receiver:HttpPort=0", "--OtelLlm:Console:ListenAddress=0.0.0.0",
            "--OtelLlm:Receiver:Auth:Keys=k1=p;k2=p:read", "--Logging:LogLevel:Default=None",
        ]) as IDisposable;
    }

    [Fact]
    public void Settings_BadConsolePortOrAddress_AreNamed()
    {
        var e = Assert.Throws<OptionsValidationException>(() => ReceiverHost.Build(
        [
            "--OtelLlm:Receiver:GrpcPort=14317", "--OtelLlm:Receiver:HttpPort=14318", "--OtelLlm:Console:Port=14318",
            "--OtelLlm:Console:ListenAddress=somewhere", "--Logging:LogLevel:Default=None",
        ]));
        var problem = ReceiverHost.SettingsProblem(e);
        Assert.Contains("OtelLlm:Console:Port = '14318' must differ from the receiver's GrpcPort and HttpPort", problem, StringComparison.Ordinal);
        Assert.Contains("OtelLlm:Console:ListenAddress = 'somewhere' must be an IP address", problem, StringComparison.Ordinal);
        Assert.Contains("OtelLlm__Console__Port", problem, StringComparison.Ordinal);

        var zero = Assert.Throws<OptionsValidationException>(() => ReceiverHost.Build(["--OtelLlm:Receiver:GrpcPort=0", "--OtelLlm:Receiver:HttpPort=0", "--OtelLlm:Console:Port=0", "--Logging:LogLevel:Default=None"]));
        Assert.Contains("OtelLlm:Console:Port = '0' must be a port between 1 and 65535", Assert.Single(zero.Failures), StringComparison.Ordinal);

        // Off, its settings do not matter.
        using var off = ReceiverHost.Build(["--OtelLlm:Receiver:GrpcPort=0", "--OtelLlm:Receiver:HttpPort=0", "--OtelLlm:Console:Enabled=false", "--OtelLlm:Console:Port=0"]) as IDisposable;
    }

    [GeneratedRegex("(?:import|from)\\s*['\"](\\.{1,2}/[^'\"]+)['\"]")]
    private static partial Regex ImportPattern();
}
