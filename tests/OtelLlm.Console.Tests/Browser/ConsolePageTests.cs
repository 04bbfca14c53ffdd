using System.Text.RegularExpressions;
using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace OtelLlm.Console.Tests.Browser;

/// <summary>
/// Every console page in Chromium against the real receiver and ClickHouse, over the calls <see cref="SeedData"/> sent
/// through the receiver. Each test waits for what the page must show (Playwright's expectations), never for a time.
/// </summary>
public sealed partial class ConsolePageTests(ConsoleReceiverFixture receiver, ChromiumFixture chromium)
    : IClassFixture<ConsoleReceiverFixture>, IClassFixture<ChromiumFixture>, IAsyncLifetime
{
    private readonly List<string> _errors = [];
    private readonly List<string> _foreignRequests = [];
    private IPage _page = null!;

    private SeedData Seed => receiver.Seed;

    public async Task InitializeAsync()
    {
        _page = await chromium.NewPageAsync(_errors);

        // Works offline: the page may only ask its own origin for anything.
        _page.Request += (_, request) =>
        {
            if (!request.Url.StartsWith(receiver.ConsoleUrl.ToString(), StringComparison.Ordinal) && !request.Url.StartsWith("blob:", StringComparison.Ordinal) && !request.Url.StartsWith("data:", StringComparison.Ordinal))
            {
                _foreignRequests.Add(request.Url);
            }
        };
    }

    public async Task DisposeAsync()
    {
        await _page.CloseAsync();
        Assert.Empty(_foreignRequests);
        Assert.Empty(_errors);
    }

    private Task<IResponse?> OpenAsync(string path) => _page.GotoAsync(new Uri(receiver.ConsoleUrl, path).ToString());

    private ILocator Rows(string table) => _page.GetByTestId(table).Locator("tbody tr");

    [Fact]
    public async Task Overview_ShowsTheSeededFiguresChartsAndTopModels()
    {
        await OpenAsync("/");
        await Expect(_page.GetByTestId("figure-calls").Locator(".value")).ToHaveTextAsync(Seed.Calls.Count.ToString(System.Globalization.CultureInfo.InvariantCulture));
        await Expect(_page.GetByTestId("figure-errors").Locator(".value")).ToHaveTextAsync("1");
        await Expect(_page.GetByTestId("figure-cost").Locator(".value")).ToHaveTextAsync("$0.26");
        await Expect(Rows("top-models").First.Locator("td").First).ToHaveTextAsync("gpt-4o");
        await Expect(Rows("top-models")).ToHaveCountAsync(4);
        await ChromiumFixture.ScreenshotAsync(_page, "overview");
        // One line for all calls, one per model for cost, one for the error rate, p50/p95/p99 for latency.
        foreach (var (chart, lines) in new[] { ("chart-calls", 1), ("chart-cost", 4), ("chart-errors", 1), ("chart-latency", 3) })
        {
            await Expect(_page.GetByTestId(chart).Locator("path.series")).ToHaveCountAsync(lines);
        }

        await Expect(_page.GetByTestId("chart-cost").Locator("circle title").Filter(new() { HasText = "gpt-4o: $0.25" })).ToHaveCountAsync(1);

        await Expect(_page.GetByTestId("error-types")).ToContainTextAsync("rate_limit_error");

        // Each figure, row and chart leads to the calls behind it.
        await Rows("top-models").First.ClickAsync();
        await Expect(_page).ToHaveURLAsync(new Regex("/calls\\?model=gpt-4o&sort=cost$"));
        await Expect(Rows("calls-table")).ToHaveCountAsync(2);
        await Expect(Rows("calls-table").First).ToContainTextAsync("$0.25");
    }

    [Fact]
    public async Task Overview_ErrorTypeLeadsToTheFailedCall()
    {
        await OpenAsync("/");
        await _page.GetByTestId("error-types").GetByText("rate_limit_error").ClickAsync();
        await Expect(_page).ToHaveURLAsync(new Regex("status=error&errorType=rate_limit_error"));
        await Expect(Rows("calls-table")).ToHaveCountAsync(1);
        await Expect(Rows("calls-table").First).ToContainTextAsync("claude-sonnet-4");
    }

    [Fact]
    public async Task Calls_FiltersChangeTheRowsAndStayInTheUrl()
    {
        await OpenAsync("/calls");
        await Expect(Rows("calls-table")).ToHaveCountAsync(Seed.Calls.Count);
        await ChromiumFixture.ScreenshotAsync(_page, "calls");

        // A drop-down lists what the range holds and filters at once.
        await Expect(_page.GetByTestId("filter-provider").Locator("option[value='anthropic']")).ToHaveCountAsync(1);
        await _page.GetByTestId("filter-provider").SelectOptionAsync("anthropic");
        await Expect(_page).ToHaveURLAsync(new Regex("provider=anthropic"));
        await Expect(Rows("calls-table")).ToHaveCountAsync(1);
        await Expect(Rows("calls-table").First).ToContainTextAsync("claude-sonnet-4");

        // The URL keeps the view: opened anew, it shows the same rows.
        await _page.ReloadAsync();
        await Expect(Rows("calls-table")).ToHaveCountAsync(1);
        await Expect(_page.GetByTestId("filter-provider")).ToHaveValueAsync("anthropic");

        // Text search in prompts and answers, with the other filters cleared.
        await OpenAsync("/calls");
        await _page.GetByText("More filters").ClickAsync();
        await _page.GetByTestId("filter-q").FillAsync("red shoes");
        await _page.GetByTestId("filter-apply").ClickAsync();
        await Expect(_page).ToHaveURLAsync(new Regex("q=red\\+shoes"));
        await Expect(Rows("calls-table")).ToHaveCountAsync(6);
        await _page.GetByTestId("filter-minCost").FillAsync("0.001");
        await _page.GetByTestId("filter-userId").FillAsync("u-bob");
        await _page.GetByTestId("filter-q").FillAsync(string.Empty);
        await _page.GetByTestId("filter-apply").ClickAsync();
        await Expect(Rows("calls-table")).ToHaveCountAsync(1);
        await Expect(Rows("calls-table").First).ToContainTextAsync("$0.25");
    }

    [Fact]
    public async Task Calls_SortingByCostPutsTheCostliestFirst()
    {
        await OpenAsync("/calls");
        await _page.GetByTestId("sort-cost").ClickAsync();
        await Expect(_page).ToHaveURLAsync(new Regex("sort=cost&order=desc"));
        await Expect(Rows("calls-table").First).ToContainTextAsync("$0.25");
        await _page.GetByTestId("sort-cost").ClickAsync();
        await Expect(_page).ToHaveURLAsync(new Regex("sort=cost&order=asc"));
        await Expect(Rows("calls-table").First).ToContainTextAsync("$0");
        await Expect(Rows("calls-table").First).ToContainTextAsync("claude-sonnet-4");
    }

    [Fact]
    public async Task Call_ShowsTheExactPromptAnswerToolCallAndNumbers()
    {
        var help = Seed["order-help"];
        await OpenAsync("/calls?model=gpt-4o");
        await Rows("calls-table").Filter(new() { HasText = "shop-api" }).ClickAsync();
        await Expect(_page).ToHaveURLAsync(new Regex($"/calls/{help.TraceId}/{help.SpanId}"));
        await Expect(_page.GetByTestId("system-instructions")).ToContainTextAsync("You are the shop's helpful assistant.");
        var input = _page.GetByTestId("input-message");
        await Expect(input).ToHaveCountAsync(3);
        await Expect(input.Nth(0).Locator(".text")).ToHaveTextAsync(help.Prompt!);
        await Expect(input.Nth(1).GetByTestId("tool-call")).ToContainTextAsync("get_order_status");
        await Expect(input.Nth(1).GetByTestId("tool-call")).ToContainTextAsync("\"orderId\": \"1234\"");
        await Expect(input.Nth(2).GetByTestId("tool-result")).ToContainTextAsync("shipped");
        await Expect(_page.GetByTestId("output-message").Locator(".text")).ToHaveTextAsync(help.Answer!);
        await Expect(_page.GetByTestId("call-ttft").Locator(".value")).ToHaveTextAsync("350 ms");
        await Expect(_page.GetByTestId("call-duration").Locator(".value")).ToHaveTextAsync("1.80 s");
        await Expect(_page.GetByTestId("call-cost").Locator(".value")).ToHaveTextAsync("$0.0042");
        await Expect(_page.GetByTestId("call-parameters")).ToContainTextAsync(help.SpanId);
        await ChromiumFixture.ScreenshotAsync(_page, "call");
    }

    [Fact]
    public async Task Call_FailedCallShowsItsError()
    {
        var failed = Seed["billing-ratelimit"];
        await OpenAsync($"/calls/{failed.TraceId}/{failed.SpanId}");
        await Expect(_page.GetByTestId("call-error")).ToContainTextAsync("rate_limit_error: Too many requests: retry in 20 s.");
        await Expect(_page.GetByTestId("input-message").Locator(".text")).ToHaveTextAsync(failed.Prompt!);
        await Expect(_page.GetByTestId("output-message")).ToHaveCountAsync(0);
    }

    [Fact]
    public async Task Call_ThumbsDownWithCommentWritesAFeedbackRow()
    {
        var report = Seed["quarterly-report"];
        await OpenAsync($"/calls/{report.TraceId}/{report.SpanId}");
        await _page.GetByTestId("feedback-comment").FillAsync("missed the cost figures");
        await _page.GetByTestId("thumbs-down").ClickAsync();
        await Expect(_page.GetByTestId("feedback-status")).ToHaveTextAsync("Saved: thumbs down.");
        await Expect(_page.GetByTestId("feedback-list")).ToContainTextAsync("✗ bad missed the cost figures");
        await SeedData.WaitForAsync(
            receiver,
            $"SELECT concat(toString(Value), '|', Comment, '|', Source, '|', Name) FROM llm_feedback WHERE TraceId = '{report.TraceId}' AND SpanId = '{report.SpanId}'",
            "0|missed the cost figures|user|thumbs");
        await ChromiumFixture.ScreenshotAsync(_page, "call-feedback");
    }

    [Fact]
    public async Task Trace_WaterfallShowsEverySpanAndOpensTheCall()
    {
        var help = Seed["order-help"];
        await OpenAsync($"/calls/{help.TraceId}/{help.SpanId}");
        await _page.GetByTestId("open-trace").ClickAsync();
        await Expect(_page).ToHaveURLAsync(new Regex($"/traces/{help.TraceId}$"));
        await Expect(_page.GetByTestId("waterfall-row")).ToHaveCountAsync(Seed.TraceSpanCount);
        await Expect(_page.GetByTestId("span-count")).ToHaveTextAsync($"{Seed.TraceSpanCount} spans");
        await Expect(_page.GetByTestId("waterfall-row").First).ToContainTextAsync("POST /orders/help");
        await Expect(_page.Locator("[data-testid=waterfall-row][data-genai=true]")).ToHaveCountAsync(1);
        await Expect(_page.GetByTestId("trace-logs")).ToContainTextAsync("order 1234 looked up");

        // A span's details show its events.
        var load = _page.GetByTestId("waterfall-row").Filter(new() { HasText = "load order" });
        await load.GetByRole(AriaRole.Button, new() { Name = "Details" }).ClickAsync();
        await Expect(_page.GetByTestId("span-details")).ToContainTextAsync("cache miss");
        await ChromiumFixture.ScreenshotAsync(_page, "trace");

        await _page.GetByTestId("genai-span-link").ClickAsync();
        await Expect(_page).ToHaveURLAsync(new Regex($"/calls/{help.TraceId}/{help.SpanId}"));
        await Expect(_page.GetByTestId("output-message")).ToContainTextAsync(help.Answer!);
    }

    [Fact]
    public async Task Sessions_ListAndOneSessionInOrder()
    {
        await OpenAsync("/sessions");
        await Expect(Rows("sessions-table")).ToHaveCountAsync(3);
        await ChromiumFixture.ScreenshotAsync(_page, "sessions");
        await Rows("sessions-table").Filter(new() { HasText = "s-checkout" }).ClickAsync();
        await Expect(_page).ToHaveURLAsync(new Regex("/sessions/s-checkout"));
        var turns = _page.GetByTestId("turn");
        await Expect(turns).ToHaveCountAsync(2);
        await Expect(turns.Nth(0)).ToContainTextAsync(Seed["order-help"].Prompt!);
        await Expect(turns.Nth(1)).ToContainTextAsync(Seed["order-thanks"].Prompt!);
        await Expect(turns.Nth(1)).ToContainTextAsync(Seed["order-thanks"].Answer!);
        await Expect(_page.GetByTestId("totals-calls").Locator(".value")).ToHaveTextAsync("2");
        await Expect(_page.GetByTestId("totals-cost").Locator(".value")).ToHaveTextAsync("$0.0045");
        await ChromiumFixture.ScreenshotAsync(_page, "session");
    }

    [Fact]
    public async Task Users_ListAndOneUserWithTotals()
    {
        await OpenAsync("/users");
        await Expect(Rows("users-table")).ToHaveCountAsync(3);
        await Expect(Rows("users-table").First).ToContainTextAsync("u-bob");
        await ChromiumFixture.ScreenshotAsync(_page, "users");
        await Rows("users-table").Filter(new() { HasText = "u-carol" }).ClickAsync();
        await Expect(_page.GetByTestId("turn")).ToHaveCountAsync(6);
        await Expect(_page.GetByTestId("totals-calls").Locator(".value")).ToHaveTextAsync("6");
        await Expect(_page.GetByTestId("turn").First).ToContainTextAsync("Find red shoes, size 38.");
    }

    [Fact]
    public async Task UnknownPath_SaysSoAndLinksHome()
    {
        await OpenAsync("/nowhere");
        await Expect(_page.Locator("main h1")).ToHaveTextAsync("Not found");
        await _page.GetByText("Go to the overview.").ClickAsync();
        await Expect(_page.GetByTestId("figure-calls")).ToBeVisibleAsync();
    }
}
