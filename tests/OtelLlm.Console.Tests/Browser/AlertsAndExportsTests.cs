using System.Text.Json;
using static Microsoft.Playwright.Assertions;

namespace OtelLlm.Console.Tests.Browser;

/// <summary>The Alerts and Exports pages in Chromium, through the receiver's alert and export API.</summary>
public sealed class AlertsAndExportsTests(ConsoleReceiverFixture receiver, ChromiumFixture chromium)
    : BrowserPage<ConsoleReceiverFixture>(receiver, chromium), IClassFixture<ConsoleReceiverFixture>, IClassFixture<ChromiumFixture>
{

    private async Task<JsonElement> RuleAsync(string name)
        => (await Receiver.GetJsonAsync("/api/v1/alerts/rules")).GetProperty("items").EnumerateArray().Single(r => r.GetProperty("name").GetString() == name);

    [Fact]
    public async Task Alerts_RuleCreatedEditedDisabledAndDeletedInThePage_IsSoInTheApi()
    {
        await OpenAsync("/alerts");
        await Expect(Page.GetByTestId("rules-table-empty")).ToBeVisibleAsync();
        await Page.GetByTestId("rule-name").FillAsync("Billing errors");
        await Page.GetByTestId("rule-kind").SelectOptionAsync("error_rate");
        await Page.GetByTestId("rule-threshold").FillAsync("5");
        await Page.GetByTestId("rule-windowMinutes").FillAsync("10");
        await Page.GetByTestId("rule-filter-service").FillAsync(SeedData.BillingService);
        await Page.GetByTestId("rule-webhooks").FillAsync("http://127.0.0.1:9/hooks/billing");
        await Page.GetByTestId("rule-save").ClickAsync();
        var row = Page.GetByTestId("rules-table").Locator("tbody tr").Filter(new() { HasText = "Billing errors" });
        await Expect(row).ToContainTextAsync($"service={SeedData.BillingService}");
        await ChromiumFixture.ScreenshotAsync(Page, "alerts");

        var rule = await RuleAsync("Billing errors");
        Assert.Equal("error_rate", rule.GetProperty("kind").GetString());
        Assert.Equal(5, rule.GetProperty("threshold").GetDouble());
        Assert.Equal(10, rule.GetProperty("windowMinutes").GetInt32());
        Assert.Equal(SeedData.BillingService, rule.GetProperty("filters").GetProperty("service").GetString());
        Assert.Equal("http://127.0.0.1:9/hooks/billing", rule.GetProperty("webhooks")[0].GetProperty("url").GetString());
        Assert.True(rule.GetProperty("enabled").GetBoolean());

        await row.GetByTestId("rule-edit").ClickAsync();
        await Expect(Page.GetByTestId("rule-name")).ToHaveValueAsync("Billing errors");
        await Page.GetByTestId("rule-threshold").FillAsync("12.5");
        await Page.GetByTestId("rule-save").ClickAsync();
        await Expect(row).ToContainTextAsync("12.5 %");
        Assert.Equal(12.5, (await RuleAsync("Billing errors")).GetProperty("threshold").GetDouble());

        await row.GetByTestId("rule-toggle").ClickAsync();
        await Expect(row.GetByTestId("rule-toggle")).ToHaveTextAsync("Enable");
        Assert.False((await RuleAsync("Billing errors")).GetProperty("enabled").GetBoolean());

        await row.GetByTestId("rule-delete").ClickAsync();
        await Expect(Page.GetByTestId("rules-table-empty")).ToBeVisibleAsync();
        Assert.Empty((await Receiver.GetJsonAsync("/api/v1/alerts/rules")).GetProperty("items").EnumerateArray());
    }

    [Fact]
    public async Task Alerts_FiringEventIsListedAndAcknowledgedInThePage()
    {
        // The seed cost $0.26 in the last two hours: a cost rule over 0.1 fires at the evaluator's next round.
        using (var created = await Receiver.SendAsync(HttpMethod.Post, "/api/v1/alerts/rules", null,
            """{"name":"Spend","kind":"cost","threshold":0.1,"windowMinutes":180,"cooldownMinutes":0}"""))
        {
            Assert.True(created.IsSuccessStatusCode, await created.Content.ReadAsStringAsync());
        }

        var deadline = DateTime.UtcNow + TimeSpan.FromMinutes(1);
        while ((await Receiver.GetJsonAsync("/api/v1/alerts/events?state=firing")).GetProperty("items").GetArrayLength() == 0)
        {
            Assert.True(DateTime.UtcNow < deadline, "the cost rule did not fire within a minute");
            await Task.Delay(200);
        }

        await OpenAsync("/alerts");
        var firing = Page.GetByTestId("events-table").Locator("tbody tr").Filter(new() { HasText = "Spend" });
        await Expect(firing.First).ToContainTextAsync("firing");
        await firing.First.GetByTestId("event-ack").ClickAsync();
        await Expect(firing.First.GetByTestId("event-ack")).ToHaveCountAsync(0);
        await Expect(firing.First).ToContainTextAsync("by console");
        var acknowledged = (await Receiver.GetJsonAsync("/api/v1/alerts/events?state=firing")).GetProperty("items")[0];
        Assert.Equal("console", acknowledged.GetProperty("acknowledgedBy").GetString());
        await ChromiumFixture.ScreenshotAsync(Page, "alerts-events");
    }

    [Fact]
    public async Task Exports_DownloadTheFilteredCallsAsCsvJsonAndFineTuningJsonl()
    {
        var shop = Receiver.Seed.Calls.Where(c => c.Service == SeedData.ShopService).ToList();
        await OpenAsync($"/exports?service={SeedData.ShopService}");
        await ChromiumFixture.ScreenshotAsync(Page, "exports");

        var csv = await DownloadAsync("export-csv");
        var lines = csv.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(shop.Count + 1, lines.Length);
        Assert.StartsWith("timestamp,traceId,spanId,", lines[0], StringComparison.Ordinal);
        Assert.All(shop, c => Assert.Contains(lines, l => l.Contains(c.SpanId, StringComparison.Ordinal)));

        await Page.GetByTestId("export-content").CheckAsync();
        using var json = JsonDocument.Parse(await DownloadAsync("export-json"));
        var rows = json.RootElement.ValueKind == JsonValueKind.Array ? json.RootElement : json.RootElement.GetProperty("items");
        Assert.Equal(shop.Count, rows.GetArrayLength());
        Assert.Contains(shop[0].Prompt!, json.RootElement.GetRawText(), StringComparison.Ordinal);

        var jsonl = (await DownloadAsync("export-jsonl")).Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(shop.Count, jsonl.Length);
        Assert.All(jsonl, l => JsonDocument.Parse(l).Dispose());

        var finetune = (await DownloadAsync("export-finetune")).Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.NotEmpty(finetune);
        var answers = new List<string>();
        foreach (var line in finetune)
        {
            using var example = JsonDocument.Parse(line);
            var messages = example.RootElement.GetProperty("messages");
            Assert.Equal("assistant", messages[messages.GetArrayLength() - 1].GetProperty("role").GetString());
            answers.Add(messages[messages.GetArrayLength() - 1].GetRawText());
        }

        Assert.Contains(answers, a => a.Contains(Receiver.Seed["order-help"].Answer!, StringComparison.Ordinal));
        await Expect(Page.GetByTestId("export-status")).ToContainTextAsync("Downloaded");
    }

    private async Task<string> DownloadAsync(string button)
    {
        var download = await Page.RunAndWaitForDownloadAsync(() => Page.GetByTestId(button).ClickAsync());
        var path = Path.Combine(ChromiumFixture.Artifacts, "download-" + download.SuggestedFilename);
        await download.SaveAsAsync(path);
        return await File.ReadAllTextAsync(path);
    }
}
