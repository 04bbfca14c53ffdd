using System.Text.RegularExpressions;
using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace OtelLlm.Console.Tests.Browser;

/// <summary>
/// Every console page in Chromium against the real receiver and ClickHouse, over the calls <see cref="SeedData"/> sent
/// through the receiver. Each test waits for what the page must show (Playwright's expectations), never for a time.
/// </summary>
public sealed partial class ConsolePageTests(ConsoleReceiverFixture receiver, ChromiumFixture chromium)
    : BrowserPage<ConsoleReceiverFixture>(receiver, chromium), IClassFixture<ConsoleReceiverFixture>, IClassFixture<ChromiumFixture>
{
    private readonly List<string> _foreignRequests = [];

    private SeedData Seed => Receiver.Seed;

    public override async Task InitializeAsync()
    {
        await base.InitializeAsync();

        // Works offline: the page may only ask its own origin for anything.
        Page.Request += (_, request) =>
        {
            if (!request.Url.StartsWith(Receiver.ConsoleUrl.ToString(), StringComparison.Ordinal) && !request.Url.StartsWith("blob:", StringComparison.Ordinal) && !request.Url.StartsWith("data:", StringComparison.Ordinal))
            {
                _foreignRequests.Add(request.Url);
            }
        };
    }

    public override async Task DisposeAsync()
    {
        await base.DisposeAsync();
        Assert.Empty(_foreignRequests);
    }

    private ILocator Rows(string table) => Page.GetByTestId(table).Locator("tbody tr");

    // The seed sends 1,000 + duration input tokens and 50 output tokens per call; the receiver estimates each from the factors.
    private static double Energy(SeededCall c) => OtelLlm.Semantics.Energy.EnergyFactorTable.Default.EstimateCall(
        c.Provider, c.Model, c.Model, new OtelLlm.Semantics.Pricing.TokenUsage(1000 + (long)c.DurationMs, 50), out _)!.Value;

    // What JavaScript's toPrecision(3) writes for these magnitudes (0.001 to 999).
    private static string Significant(double value) => value.ToString(value >= 100 ? "0" : value >= 10 ? "0.0" : value >= 1 ? "0.00" : "G3", System.Globalization.CultureInfo.InvariantCulture);

    [Fact]
    public async Task Overview_ShowsTheSeededFiguresChartsAndTopModels()
    {
        await OpenAsync("/");
        await Expect(Page.GetByTestId("figure-calls").Locator(".value")).ToHaveTextAsync(Seed.Calls.Count.ToString(System.Globalization.CultureInfo.InvariantCulture));
        await Expect(Page.GetByTestId("figure-errors").Locator(".value")).ToHaveTextAsync("1");
        await Expect(Page.GetByTestId("figure-cost").Locator(".value")).ToHaveTextAsync("$0.26");
        // Energy estimated from each call's tokens, with its CO2e on the default grid (436 g/kWh), three significant digits.
        var energy = Seed.Calls.Sum(Energy);
        await Expect(Page.GetByTestId("figure-energy").Locator(".value")).ToHaveTextAsync(Significant(energy) + " Wh");
        await Expect(Page.GetByTestId("figure-energy").Locator(".detail")).ToHaveTextAsync($"estimated · {Significant(energy * 436 / 1000)} g CO₂e");
        await Expect(Rows("top-models").First.Locator("td").First).ToHaveTextAsync("gpt-4o");
        await Expect(Rows("top-models")).ToHaveCountAsync(4);
        await ChromiumFixture.ScreenshotAsync(Page, "overview");
        // One line for all calls, one per model for cost, one for the error rate, p50/p95/p99 for latency.
        foreach (var (chart, lines) in new[] { ("chart-calls", 1), ("chart-cost", 4), ("chart-errors", 1), ("chart-latency", 3) })
        {
            await Expect(Page.GetByTestId(chart).Locator("path.series")).ToHaveCountAsync(lines);
        }

        await Expect(Page.GetByTestId("chart-cost").Locator("circle title").Filter(new() { HasText = "gpt-4o: $0.25" })).ToHaveCountAsync(1);

        await Expect(Page.GetByTestId("error-types")).ToContainTextAsync("rate_limit_error");

        // Each figure, row and chart leads to the calls behind it.
        await Rows("top-models").First.ClickAsync();
        await Expect(Page).ToHaveURLAsync(new Regex("/calls\\?model=gpt-4o&sort=cost$"));
        await Expect(Rows("calls-table")).ToHaveCountAsync(2);
        await Expect(Rows("calls-table").First).ToContainTextAsync("$0.25");
    }

    [Fact]
    public async Task Overview_ErrorTypeLeadsToTheFailedCall()
    {
        await OpenAsync("/");
        await Page.GetByTestId("error-types").GetByText("rate_limit_error").ClickAsync();
        await Expect(Page).ToHaveURLAsync(new Regex("status=error&errorType=rate_limit_error"));
        await Expect(Rows("calls-table")).ToHaveCountAsync(1);
        await Expect(Rows("calls-table").First).ToContainTextAsync("claude-sonnet-4");
    }

    [Fact]
    public async Task Calls_FiltersChangeTheRowsAndStayInTheUrl()
    {
        await OpenAsync("/calls");
        await Expect(Rows("calls-table")).ToHaveCountAsync(Seed.Calls.Count);
        await ChromiumFixture.ScreenshotAsync(Page, "calls");

        // A drop-down lists what the range holds and filters at once.
        await Expect(Page.GetByTestId("filter-provider").Locator("option[value='anthropic']")).ToHaveCountAsync(1);
        await Page.GetByTestId("filter-provider").SelectOptionAsync("anthropic");
        await Expect(Page).ToHaveURLAsync(new Regex("provider=anthropic"));
        await Expect(Rows("calls-table")).ToHaveCountAsync(1);
        await Expect(Rows("calls-table").First).ToContainTextAsync("claude-sonnet-4");

        // The URL keeps the view: opened anew, it shows the same rows.
        await Page.ReloadAsync();
        await Expect(Rows("calls-table")).ToHaveCountAsync(1);
        await Expect(Page.GetByTestId("filter-provider")).ToHaveValueAsync("anthropic");

        // Text search in prompts and answers, with the other filters cleared.
        await OpenAsync("/calls");
        await Page.GetByText("More filters").ClickAsync();
        await Page.GetByTestId("filter-q").FillAsync("red shoes");
        await Page.GetByTestId("filter-apply").ClickAsync();
        await Expect(Page).ToHaveURLAsync(new Regex("q=red\\+shoes"));
        await Expect(Rows("calls-table")).ToHaveCountAsync(6);
        await Page.GetByTestId("filter-minCost").FillAsync("0.001");
        await Page.GetByTestId("filter-userId").FillAsync("u-bob");
        await Page.GetByTestId("filter-q").FillAsync(string.Empty);
        await Page.GetByTestId("filter-apply").ClickAsync();
        await Expect(Rows("calls-table")).ToHaveCountAsync(1);
        await Expect(Rows("calls-table").First).ToContainTextAsync("$0.25");
    }

    [Fact]
    public async Task Calls_SortingByCostPutsTheCostliestFirst()
    {
        await OpenAsync("/calls");
        await Page.GetByTestId("sort-cost").ClickAsync();
        await Expect(Page).ToHaveURLAsync(new Regex("sort=cost&order=desc"));
        await Expect(Rows("calls-table").First).ToContainTextAsync("$0.25");
        await Page.GetByTestId("sort-cost").ClickAsync();
        await Expect(Page).ToHaveURLAsync(new Regex("sort=cost&order=asc"));
        await Expect(Rows("calls-table").First).ToContainTextAsync("$0");
        await Expect(Rows("calls-table").First).ToContainTextAsync("claude-sonnet-4");
    }

    [Fact]
    public async Task Call_ShowsTheExactPromptAnswerToolCallAndNumbers()
    {
        var help = Seed["order-help"];
        await OpenAsync("/calls?model=gpt-4o");
        await Rows("calls-table").Filter(new() { HasText = "shop-api" }).ClickAsync();
        await Expect(Page).ToHaveURLAsync(new Regex($"/calls/{help.TraceId}/{help.SpanId}"));
        await Expect(Page.GetByTestId("system-instructions")).ToContainTextAsync("You are the shop's helpful assistant.");
        var input = Page.GetByTestId("input-message");
        await Expect(input).ToHaveCountAsync(3);
        await Expect(input.Nth(0).Locator(".text")).ToHaveTextAsync(help.Prompt!);
        await Expect(input.Nth(1).GetByTestId("tool-call")).ToContainTextAsync("get_order_status");
        await Expect(input.Nth(1).GetByTestId("tool-call")).ToContainTextAsync("\"orderId\": \"1234\"");
        await Expect(input.Nth(2).GetByTestId("tool-result")).ToContainTextAsync("shipped");
        await Expect(Page.GetByTestId("output-message").Locator(".text")).ToHaveTextAsync(help.Answer!);
        await Expect(Page.GetByTestId("call-ttft").Locator(".value")).ToHaveTextAsync("350 ms");
        await Expect(Page.GetByTestId("call-duration").Locator(".value")).ToHaveTextAsync("1.80 s");
        await Expect(Page.GetByTestId("call-cost").Locator(".value")).ToHaveTextAsync("$0.0042");
        await Expect(Page.GetByTestId("call-energy").Locator(".value")).ToHaveTextAsync(Significant(Energy(help)) + " Wh");
        await Expect(Page.GetByTestId("call-energy").Locator(".detail")).ToHaveTextAsync($"estimated · {Significant(Energy(help) * 436 / 1000)} g CO₂e");
        await Expect(Page.GetByTestId("call-parameters")).ToContainTextAsync(help.SpanId);
        await ChromiumFixture.ScreenshotAsync(Page, "call");
    }

    [Fact]
    public async Task Call_FailedCallShowsItsError()
    {
        var failed = Seed["billing-ratelimit"];
        await OpenAsync($"/calls/{failed.TraceId}/{failed.SpanId}");
        await Expect(Page.GetByTestId("call-error")).ToContainTextAsync("rate_limit_error: Too many requests: retry in 20 s.");
        await Expect(Page.GetByTestId("input-message").Locator(".text")).ToHaveTextAsync(failed.Prompt!);
        await Expect(Page.GetByTestId("output-message")).ToHaveCountAsync(0);
    }

    [Fact]
    public async Task Call_ThumbsDownWithCommentWritesAFeedbackRow()
    {
        var report = Seed["quarterly-report"];
        await OpenAsync($"/calls/{report.TraceId}/{report.SpanId}");
        await Page.GetByTestId("feedback-comment").FillAsync("missed the cost figures");
        await Page.GetByTestId("thumbs-down").ClickAsync();
        await Expect(Page.GetByTestId("feedback-status")).ToHaveTextAsync("Saved: thumbs down.");
        await Expect(Page.GetByTestId("feedback-list")).ToContainTextAsync("✗ bad missed the cost figures");
        await SeedData.WaitForAsync(
            Receiver,
            $"SELECT concat(toString(Value), '|', Comment, '|', Source, '|', Name) FROM llm_feedback WHERE TraceId = '{report.TraceId}' AND SpanId = '{report.SpanId}'",
            "0|missed the cost figures|user|thumbs");
        await ChromiumFixture.ScreenshotAsync(Page, "call-feedback");
    }

    [Fact]
    public async Task Trace_WaterfallShowsEverySpanAndOpensTheCall()
    {
        var help = Seed["order-help"];
        await OpenAsync($"/calls/{help.TraceId}/{help.SpanId}");
        await Page.GetByTestId("open-trace").ClickAsync();
        await Expect(Page).ToHaveURLAsync(new Regex($"/traces/{help.TraceId}$"));
        await Expect(Page.GetByTestId("waterfall-row")).ToHaveCountAsync(Seed.TraceSpanCount);
        await Expect(Page.GetByTestId("span-count")).ToHaveTextAsync($"{Seed.TraceSpanCount} spans");
        await Expect(Page.GetByTestId("waterfall-row").First).ToContainTextAsync("POST /orders/help");
        await Expect(Page.Locator("[data-testid=waterfall-row][data-genai=true]")).ToHaveCountAsync(1);
        await Expect(Page.GetByTestId("trace-logs")).ToContainTextAsync("order 1234 looked up");

        // A span's details show its events.
        var load = Page.GetByTestId("waterfall-row").Filter(new() { HasText = "load order" });
        await load.GetByRole(AriaRole.Button, new() { Name = "Details" }).ClickAsync();
        await Expect(Page.GetByTestId("span-details")).ToContainTextAsync("cache miss");
        await ChromiumFixture.ScreenshotAsync(Page, "trace");

        await Page.GetByTestId("genai-span-link").ClickAsync();
        await Expect(Page).ToHaveURLAsync(new Regex($"/calls/{help.TraceId}/{help.SpanId}"));
        await Expect(Page.GetByTestId("output-message")).ToContainTextAsync(help.Answer!);
    }

    [Fact]
    public async Task Sessions_ListAndOneSessionInOrder()
    {
        await OpenAsync("/sessions");
        await Expect(Rows("sessions-table")).ToHaveCountAsync(3);
        await ChromiumFixture.ScreenshotAsync(Page, "sessions");
        await Rows("sessions-table").Filter(new() { HasText = "s-checkout" }).ClickAsync();
        await Expect(Page).ToHaveURLAsync(new Regex("/sessions/s-checkout"));
        var turns = Page.GetByTestId("turn");
        await Expect(turns).ToHaveCountAsync(2);
        await Expect(turns.Nth(0)).ToContainTextAsync(Seed["order-help"].Prompt!);
        await Expect(turns.Nth(1)).ToContainTextAsync(Seed["order-thanks"].Prompt!);
        await Expect(turns.Nth(1)).ToContainTextAsync(Seed["order-thanks"].Answer!);
        await Expect(Page.GetByTestId("totals-calls").Locator(".value")).ToHaveTextAsync("2");
        await Expect(Page.GetByTestId("totals-cost").Locator(".value")).ToHaveTextAsync("$0.0045");
        await ChromiumFixture.ScreenshotAsync(Page, "session");
    }

    [Fact]
    public async Task Users_ListAndOneUserWithTotals()
    {
        await OpenAsync("/users");
        await Expect(Rows("users-table")).ToHaveCountAsync(3);
        await Expect(Rows("users-table").First).ToContainTextAsync("u-bob");
        await ChromiumFixture.ScreenshotAsync(Page, "users");
        await Rows("users-table").Filter(new() { HasText = "u-carol" }).ClickAsync();
        await Expect(Page.GetByTestId("turn")).ToHaveCountAsync(6);
        await Expect(Page.GetByTestId("totals-calls").Locator(".value")).ToHaveTextAsync("6");
        await Expect(Page.GetByTestId("turn").First).ToContainTextAsync("Find red shoes, size 38.");
    }

    [Fact]
    public async Task UnknownPath_SaysSoAndLinksHome()
    {
        await OpenAsync("/nowhere");
        await Expect(Page.Locator("main h1")).ToHaveTextAsync("Not found");
        await Page.GetByText("Go to the overview.").ClickAsync();
        await Expect(Page.GetByTestId("figure-calls")).ToBeVisibleAsync();
    }
}
