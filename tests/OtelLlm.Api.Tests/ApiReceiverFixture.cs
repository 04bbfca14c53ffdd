using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using OtelLlm.Receiver.TestHost;

namespace OtelLlm.Api.Tests;

/// <summary>
/// The real receiver on a fresh ClickHouse database with one API key per scope, all for project <c>alpha</c>, and a
/// key of project <c>beta</c> with every scope.
/// </summary>
public class ApiReceiverFixture : ReceiverFixture
{
    public const string IngestKey = "k-ingest-alpha";
    public const string FeedbackKey = "k-feedback-alpha";
    public const string ReadKey = "k-read-alpha";
    public const string AdminKey = "k-admin-alpha";
    public const string AllKey = "k-all-alpha";
    public const string BetaKey = "k-all-beta";

    /// <summary>The grid intensity the receiver is configured with (g CO₂e per kWh), not the default, so a test sees it is used.</summary>
    public const double GridIntensity = 120;

    private readonly string _dataDirectory = Path.Combine(Path.GetTempPath(), "otelllm-api-tests-" + Guid.NewGuid().ToString("N")[..8]);

    public HttpClient Http { get; } = new() { Timeout = TimeSpan.FromSeconds(60) };

    protected override IEnumerable<KeyValuePair<string, string>> Settings =>
    [
        new("OtelLlm:Receiver:Auth:Keys", $"{IngestKey}=alpha;{FeedbackKey}=alpha:feedback;{ReadKey}=alpha:read;{AdminKey}=alpha:admin;{AllKey}=alpha:ingest+feedback+read+admin;{BetaKey}=beta:ingest+feedback+read+admin"),
        new("OtelLlm:Receiver:Wal:Directory", Path.Combine(_dataDirectory, "wal")),
        new("OtelLlm:Receiver:Wal:DeadLetterDirectory", Path.Combine(_dataDirectory, "dead-letter")),
        new("OtelLlm:Receiver:Normalization:GridCarbonIntensity", GridIntensity.ToString(System.Globalization.CultureInfo.InvariantCulture)),
        .. ExtraSettings,
    ];

    protected virtual IEnumerable<KeyValuePair<string, string>> ExtraSettings => [];

    public override async Task DisposeAsync()
    {
        await base.DisposeAsync();
        Http.Dispose();
        if (Directory.Exists(_dataDirectory))
        {
            Directory.Delete(_dataDirectory, recursive: true);
        }
    }

    public Uri Url(string pathAndQuery) => new(HttpEndpoint, pathAndQuery);

    public Task<HttpResponseMessage> GetAsync(string pathAndQuery, string? key)
        => SendAsync(HttpMethod.Get, pathAndQuery, key, content: null);

    public Task<HttpResponseMessage> PostJsonAsync(string pathAndQuery, string? key, string json)
        => SendAsync(HttpMethod.Post, pathAndQuery, key, new StringContent(json, Encoding.UTF8, "application/json"));

    public Task<HttpResponseMessage> PostJsonAsync<T>(string pathAndQuery, string? key, T body)
        => SendAsync(HttpMethod.Post, pathAndQuery, key, JsonContent.Create(body));

    public async Task<HttpResponseMessage> SendAsync(HttpMethod method, string pathAndQuery, string? key, HttpContent? content)
    {
        using var request = new HttpRequestMessage(method, Url(pathAndQuery)) { Content = content };
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
}

/// <summary>Reading API answers in tests.</summary>
public static class ApiAnswers
{
    public static async Task<JsonElement> JsonAsync(this HttpResponseMessage response)
    {
        var text = await response.Content.ReadAsStringAsync();
        using var doc = JsonDocument.Parse(text);
        return doc.RootElement.Clone();
    }

    /// <summary>Asserts the status and the uniform error body, and returns the errors.</summary>
    public static async Task<List<(int? Index, string? Field, string Message)>> ErrorsAsync(this HttpResponseMessage response, System.Net.HttpStatusCode status)
    {
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == status, $"expected {(int)status}, got {(int)response.StatusCode}: {text}");
        Assert.StartsWith("application/json", response.Content.Headers.ContentType?.MediaType, StringComparison.Ordinal);
        using var doc = JsonDocument.Parse(text);
        var errors = doc.RootElement.GetProperty("errors");
        Assert.True(errors.GetArrayLength() > 0, text);
        var list = new List<(int?, string?, string)>();
        foreach (var e in errors.EnumerateArray())
        {
            Assert.True(e.TryGetProperty("index", out var index), text);
            Assert.True(e.TryGetProperty("field", out var field), text);
            var message = e.GetProperty("message").GetString();
            Assert.False(string.IsNullOrWhiteSpace(message), text);
            list.Add((index.ValueKind == JsonValueKind.Null ? null : index.GetInt32(), field.ValueKind == JsonValueKind.Null ? null : field.GetString(), message!));
        }

        return list;
    }

    /// <summary>Whether one of the errors is about <paramref name="field"/> of item <paramref name="index"/> and mentions <paramref name="text"/>.</summary>
    public static void AssertHas(this List<(int? Index, string? Field, string Message)> errors, int? index, string? field, string text)
        => Assert.True(
            errors.Exists(e => e.Index == index && e.Field == field && e.Message.Contains(text, StringComparison.OrdinalIgnoreCase)),
            $"no error ({index}, {field}, '…{text}…') among: {string.Join(" | ", errors.Select(e => $"({e.Index}, {e.Field}, {e.Message})"))}");
}
