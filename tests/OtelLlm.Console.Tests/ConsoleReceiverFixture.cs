using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using OtelLlm.Receiver.TestHost;
using OtelLlm.TestSupport;

namespace OtelLlm.Console.Tests;

/// <summary>
/// The real receiver, console on, on a fresh ClickHouse database, seeded through the receiver itself (the ingest API
/// and OTLP/HTTP) with <see cref="SeedData"/>. Without keys, on loopback: every request reads every project.
/// </summary>
public class ConsoleReceiverFixture : ReceiverFixture
{
    private readonly int _consolePort = FreePort.NextOutsideEphemeralRange();

    public HttpClient Http { get; } = new() { Timeout = TimeSpan.FromSeconds(60) };

    public SeedData Seed { get; private set; } = null!;

    public int ConsolePort => _consolePort;

    /// <summary>The console's address: the receiver host serves it on a port of its own.</summary>
    public Uri ConsoleUrl => new($"http://127.0.0.1:{_consolePort}/");

    /// <summary>The key the seed is sent with (none when the receiver runs without keys).</summary>
    public virtual string? IngestKey => null;

    /// <summary>A key that may read (none when the receiver runs without keys).</summary>
    public virtual string? ReadKey => null;

    protected override IEnumerable<KeyValuePair<string, string>> Settings =>
    [
        new("OtelLlm:Console:Enabled", "true"),
        new("OtelLlm:Console:Port", _consolePort.ToString(System.Globalization.CultureInfo.InvariantCulture)),

        // Alert rules are checked every second, so a test waits a moment for an event rather than half a minute.
        new("OtelLlm:Api:Alerts:EvaluationInterval", "00:00:01"),
        .. ExtraSettings,
    ];

    protected virtual IEnumerable<KeyValuePair<string, string>> ExtraSettings => [];

    public override async Task InitializeAsync()
    {
        await base.InitializeAsync();
        Seed = await SeedData.SendAsync(this);
    }

    public override async Task DisposeAsync()
    {
        await base.DisposeAsync();
        Http.Dispose();
    }

    public Uri Url(string pathAndQuery) => new(HttpEndpoint, pathAndQuery);

    public async Task<HttpResponseMessage> SendAsync(HttpMethod method, string pathAndQuery, string? key, string? json = null)
    {
        using var request = new HttpRequestMessage(method, Url(pathAndQuery));
        if (json is not null)
        {
            request.Content = new StringContent(json, Encoding.UTF8, "application/json");
        }

        if (key is not null)
        {
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", key);
        }

        var response = await Http.SendAsync(request);
        if (method != HttpMethod.Get && response.IsSuccessStatusCode)
        {
            // Acknowledged means durable in the write-ahead log; the tests read ClickHouse next.
            await WaitUntilWrittenAsync();
        }

        return response;
    }

    /// <summary>GETs <paramref name="pathAndQuery"/> with the read key, asserts 200 and returns the JSON body.</summary>
    public async Task<JsonElement> GetJsonAsync(string pathAndQuery)
    {
        using var response = await SendAsync(HttpMethod.Get, pathAndQuery, ReadKey);
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.IsSuccessStatusCode, $"GET {pathAndQuery}: {(int)response.StatusCode} {text}");
        using var doc = JsonDocument.Parse(text);
        return doc.RootElement.Clone();
    }
}

/// <summary>The same receiver with API keys for project <c>alpha</c>: one per scope, and one of project <c>beta</c>.</summary>
public sealed class KeyedConsoleReceiverFixture : ConsoleReceiverFixture
{
    public const string Ingest = "k-ingest-alpha";
    public const string Read = "k-read-alpha";
    public const string Feedback = "k-feedback-alpha";
    public const string All = "k-all-alpha";
    public const string Beta = "k-all-beta";

    public override string? IngestKey => Ingest;

    public override string? ReadKey => Read;

    protected override IEnumerable<KeyValuePair<string, string>> ExtraSettings =>
    [
        new("OtelLlm:Receiver:Auth:Keys", $"{Ingest}=alpha;{Read}=alpha:read;{Feedback}=alpha:feedback;{All}=alpha:ingest+feedback+read+admin;{Beta}=beta:ingest+feedback+read+admin"),
    ];
}
